"""quizapp: quizzes and spaced-repetition flashcards traced to their source paragraphs."""

import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask

from quizapp import cli, errors, request_guard, security, templating
from quizapp.admin import bp as admin_bp
from quizapp.auth import bp as auth_bp
from quizapp.author import bp as author_bp
from quizapp.config import Config
from quizapp.database import configure_engine
from quizapp.extensions import csrf, db, limiter, login_manager, mail, migrate
from quizapp.main import bp as main_bp
from quizapp.progress import bp as progress_bp
from quizapp.quiz import bp as quiz_bp
from quizapp.routing import IdConverter
from quizapp.services.accounts import load_session_user
from quizapp.sources import bp as sources_bp
from quizapp.study import bp as study_bp

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.url_map.converters["int"] = IdConverter
    app.config.from_object(Config)
    if config:
        app.config.from_mapping(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "quizapp.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    # Flask-Limiter throttles logins on Redis when there is one; otherwise it stays off and
    # the database counts failures (services.throttle). Never in process memory.
    redis_url = app.config.get("REDIS_URL")
    app.config["RATELIMIT_ENABLED"] = bool(redis_url)
    app.config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)
    with app.app_context():
        configure_engine(db.engine, locking=app.config["QUIZAPP_LOCKING"])

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(sources_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(study_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(author_bp)
    cli.register(app)
    errors.register(app)
    security.register(app)
    request_guard.register(app)
    templating.register(app)
    return app


def _instance_secret(instance_path: str) -> str:
    """A secret key generated on first start and kept in instance/ (never committed)."""
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key)
        return key
