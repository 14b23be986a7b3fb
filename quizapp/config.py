"""Configuration defaults, overridden by the environment and by create_app(config)."""

import os


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: SQLite in instance/
    # Required with any database but SQLite: every instance must sign sessions alike.
    # With SQLite alone, generated once into instance/secret_key.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    REDIS_URL = os.environ.get("REDIS_URL")
    SOURCES_DIR = os.environ.get("QUIZAPP_SOURCES_DIR")
    BANK_DIR = os.environ.get("QUIZAPP_BANK_DIR")  # None: question_bank/ beside the package

    # Connection pool per worker process (PostgreSQL). QUIZAPP_DB_POOL_SIZE=0 opens a
    # connection per request and keeps none (NullPool): for PgBouncer, or when
    # workers x instances x (size + overflow) would exceed the server's max_connections.
    QUIZAPP_DB_POOL_SIZE = _env_int("QUIZAPP_DB_POOL_SIZE", 2)
    QUIZAPP_DB_MAX_OVERFLOW = _env_int("QUIZAPP_DB_MAX_OVERFLOW", 2)
    QUIZAPP_DB_POOL_TIMEOUT = _env_int("QUIZAPP_DB_POOL_TIMEOUT", 3)  # whole s to wait for one
    QUIZAPP_DB_POOL_RECYCLE = _env_int("QUIZAPP_DB_POOL_RECYCLE", 1800)  # s a connection lives
    QUIZAPP_DB_CONNECT_TIMEOUT = _env_int("QUIZAPP_DB_CONNECT_TIMEOUT", 3)  # s, PostgreSQL
    # Seconds a client is told to wait (Retry-After) when the database or pool is unavailable.
    QUIZAPP_RETRY_AFTER = _env_int("QUIZAPP_RETRY_AFTER", 5)

    QUIZAPP_REDIS_TIMEOUT = _env_float("QUIZAPP_REDIS_TIMEOUT", 0.25)  # connect and read, s
    QUIZAPP_REDIS_RETRY_SECONDS = _env_float("QUIZAPP_REDIS_RETRY_SECONDS", 5)
    QUIZAPP_REDIS_PREFIX = os.environ.get("QUIZAPP_REDIS_PREFIX", "quizapp")

    # Behind N reverse proxies (load balancer, nginx): trust N X-Forwarded-* hops.
    QUIZAPP_PROXY_FIX = _env_int("QUIZAPP_PROXY_FIX", 0)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("QUIZAPP_SECURE_COOKIES", "") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Inactivity timeout: a session unused this many days ends (the signed cookie carries
    # its time, checked by the server; every request renews it). "Remember me" keeps a login
    # this many days from the last login.
    QUIZAPP_SESSION_IDLE_DAYS = _env_int("QUIZAPP_SESSION_IDLE_DAYS", 14)
    QUIZAPP_REMEMBER_DAYS = _env_int("QUIZAPP_REMEMBER_DAYS", 30)
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; a long quiz must not expire
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    SOURCE_MAX_BYTES = 1024 * 1024  # one pasted or uploaded source (text, .md, .txt, .html)

    # Read-then-write requests lose updates without a lock: BEGIN IMMEDIATE on SQLite,
    # SELECT ... FOR UPDATE on PostgreSQL. Only the negative-control test turns this off.
    QUIZAPP_LOCKING = os.environ.get("QUIZAPP_UNSAFE_NO_LOCKING") != "1"

    PASSWORD_MIN_LENGTH = 8

    # Background jobs (quizapp.job_queue): Redis with REDIS_URL, else a SQLite queue file
    # (QUIZAPP_QUEUE_PATH, default beside the SQLite database or in instance/).
    QUIZAPP_QUEUE_PATH = os.environ.get("QUIZAPP_QUEUE_PATH")
    QUIZAPP_JOBS_IMMEDIATE = os.environ.get("QUIZAPP_JOBS_IMMEDIATE") == "1"  # run in-process
    # Uploads larger than this are read, previewed and applied by a worker, not the request.
    QUIZAPP_INLINE_IMPORT_BYTES = _env_int("QUIZAPP_INLINE_IMPORT_BYTES", 256 * 1024)
    QUIZAPP_PENDING_UPLOADS_PER_USER = _env_int("QUIZAPP_PENDING_UPLOADS_PER_USER", 5)
    # Banks with more questions than this are exported by a worker (the page offers a job).
    QUIZAPP_INLINE_EXPORT_QUESTIONS = _env_int("QUIZAPP_INLINE_EXPORT_QUESTIONS", 2000)
    # A running job whose worker is gone (same host: its pid; elsewhere: no word for this
    # long) is reported failed, and can be retried.
    QUIZAPP_JOB_LEASE_SECONDS = _env_int("QUIZAPP_JOB_LEASE_SECONDS", 15 * 60)

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

    # Throttling (services.throttle): (attempts, window in seconds) for each counter, in the
    # order counted. Logins: per account and address; per account from any address, slowly
    # (spraying one account from many addresses); per address across accounts (spraying
    # many accounts from one); and a ceiling for the whole site (a botnet spraying many
    # accounts: while it is reached, logins wait, but no password is tried).
    LOGIN_LIMITS = [(5, 60), (30, 15 * 60),
                    (_env_int("QUIZAPP_LOGIN_PER_ADDRESS", 30), 60),
                    (_env_int("QUIZAPP_LOGIN_GLOBAL", 600), 60)]
    # Registrations: per address, then for the whole site (an hour each).
    REGISTER_LIMITS = [(_env_int("QUIZAPP_REGISTER_PER_ADDRESS", 5), 60 * 60),
                       (_env_int("QUIZAPP_REGISTER_GLOBAL", 100), 60 * 60)]
    # The current password asked again (password change, email change, account deletion):
    # per account, whoever holds its session.
    REAUTH_LIMITS = [(10, 15 * 60)]
    # Password-reset mails: per account asked for, then per client address (an hour each).
    RESET_LIMITS = [(3, 60 * 60), (10, 60 * 60)]
    # "Optimise my schedule" fits FSRS to every review (about a second of CPU): per account.
    OPTIMISE_LIMITS = [(3, 10 * 60)]
