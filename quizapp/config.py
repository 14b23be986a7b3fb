"""Configuration defaults, overridden by the environment and by create_app(config)."""

import os


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: SQLite in instance/
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: generated once into instance/
    REDIS_URL = os.environ.get("REDIS_URL")
    SOURCES_DIR = os.environ.get("QUIZAPP_SOURCES_DIR")
    BANK_DIR = os.environ.get("QUIZAPP_BANK_DIR")  # None: question_bank/ beside the package

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("QUIZAPP_SECURE_COOKIES", "") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; a long quiz must not expire
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024

    # Read-then-write requests lose updates without a lock: BEGIN IMMEDIATE on SQLite,
    # SELECT ... FOR UPDATE on PostgreSQL. Only the negative-control test turns this off.
    QUIZAPP_LOCKING = os.environ.get("QUIZAPP_UNSAFE_NO_LOCKING") != "1"

    PASSWORD_MIN_LENGTH = 8

    # Mail (Flask-Mailman), for password-reset links. Without MAIL_SERVER no mail is sent and
    # an admin hands out reset links from the users page instead.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER") or "quizapp@localhost"
    MAIL_TIMEOUT = 10
    MAIL_BACKEND = "smtp"  # Flask-Mailman would pick an in-memory outbox under TESTING

    # Login throttling: 5 failures per account and address per minute, then 429.
    LOGIN_LIMIT = "5 per minute"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_KEY_PREFIX = "quizapp"
