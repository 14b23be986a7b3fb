"""quizapp: quizzes and spaced-repetition flashcards traced to their source paragraphs."""

import os
import secrets
import sys
import tempfile
from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.middleware.proxy_fix import ProxyFix

from quizapp import cli, errors, request_guard, security, templating, unit_of_work
from quizapp.admin import bp as admin_bp
from quizapp.auth import bp as auth_bp
from quizapp.author import bp as author_bp
from quizapp.classes import bp as classes_bp
from quizapp.config import Config
from quizapp.database import configure_engine
from quizapp.extensions import csrf, db, job_queue, login_manager, mail, redis_store
from quizapp.jobs import bp as jobs_bp
from quizapp.main import bp as main_bp
from quizapp.progress import bp as progress_bp
from quizapp.quiz import bp as quiz_bp
from quizapp.routing import IdConverter
from quizapp.services import jobs
from quizapp.services.accounts import load_session_user
from quizapp.sources import bp as sources_bp
from quizapp.study import bp as study_bp

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def _runs_migrations() -> bool:
    """Whether this process may migrate: the `flask` command (`flask db upgrade`), or code
    that imported Flask-Migrate to call its upgrade() (tests, the bench). Alembic weighs
    about 11 MB that a web worker never uses, so gunicorn's workers go without it."""
    return os.environ.get("FLASK_RUN_FROM_CLI") == "true" or "flask_migrate" in sys.modules


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
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        if url.get_backend_name() != "sqlite":
            raise RuntimeError(
                "SECRET_KEY is not set. With DATABASE_URL pointing at a shared database the app "
                "may run on several machines, and each would make up its own key, refusing the "
                "others' sessions. Set the same SECRET_KEY (e.g. from `python -c 'import "
                "secrets; print(secrets.token_hex(32))'`) on every instance.")
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config, url))
    if app.config["QUIZAPP_PROXY_FIX"]:
        hops = int(app.config["QUIZAPP_PROXY_FIX"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)

    db.init_app(app)
    if _runs_migrations():
        from flask_migrate import Migrate  # noqa: PLC0415 (see _runs_migrations)

        Migrate(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    redis_store.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    job_queue.init_app(app, run=jobs.run)
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
    app.register_blueprint(classes_bp)
    app.register_blueprint(author_bp)
    app.register_blueprint(jobs_bp)
    cli.register(app)
    errors.register(app)
    security.register(app)
    request_guard.register(app)
    templating.register(app)
    unit_of_work.register(app)  # last: it wraps every view registered above
    return app


def _engine_options(config: Mapping[str, Any], url) -> dict[str, Any]:
    """Pool settings from the environment (see Config); connections checked before use."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    postgresql = url.get_backend_name() == "postgresql"
    if postgresql:
        options["connect_args"] = {"connect_timeout": int(config["QUIZAPP_DB_CONNECT_TIMEOUT"])}
    if int(config["QUIZAPP_DB_POOL_SIZE"]) <= 0:
        # A connection per request, kept by nobody: the mode for PgBouncer in transaction
        # mode, where a server-side prepared statement could land on another server
        # connection, so psycopg prepares none.
        options["poolclass"] = NullPool
        if postgresql:
            options["connect_args"]["prepare_threshold"] = None
    elif url.database not in (None, "", ":memory:"):
        options.update(pool_size=int(config["QUIZAPP_DB_POOL_SIZE"]),
                       max_overflow=int(config["QUIZAPP_DB_MAX_OVERFLOW"]),
                       pool_timeout=int(config["QUIZAPP_DB_POOL_TIMEOUT"]),
                       pool_recycle=int(config["QUIZAPP_DB_POOL_RECYCLE"]))
    return options


def _instance_secret(instance_path: str) -> str:
    """A secret key generated on first start and kept in instance/ (never committed).

    Written whole to a temporary file, then linked into place, which fails if another
    process got there first: every process then reads the one key that won."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        fd, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    with open(path) as f:
        key = f.read().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it, or set SECRET_KEY")
    return key
