"""The benchmark's database: a fresh schema built by the real migrations, with its indexes."""

import os
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from quizapp import create_app
from quizapp.extensions import db

DATA_DIR = Path(__file__).resolve().parent / ".data"
SECRET_KEY = "bench-secret-key"  # the gunicorn workers use it too, so sessions carry over


POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1/quizapp_bench"


def default_url() -> str:
    return os.environ.get("DATABASE_URL") or sqlite_url()


def sqlite_url() -> str:
    return f"sqlite:///{DATA_DIR / 'bench.sqlite3'}"


def postgres_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or POSTGRES_URL


def ensure_postgres(url: str) -> str | None:
    """Create the PostgreSQL bench database if it is missing; the reason it cannot be used
    (server unreachable, no right to create it), or None."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": parsed.database}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    except SQLAlchemyError as e:
        return str(e.orig if getattr(e, "orig", None) else e).strip().splitlines()[0]
    finally:
        admin.dispose()
    return None


def kind(url: str) -> str:
    return make_url(url).get_backend_name()


def check_disposable(url: str, wipe: bool) -> None:
    """The benchmark empties its database: refuse one that does not look like its own."""
    parsed = make_url(url)
    name = Path(parsed.database or "").name
    if "bench" not in name and not wipe:
        raise SystemExit(f"refusing to empty database {name!r}: its name has no 'bench' in it; "
                         "point --database-url at a benchmark database, or pass --wipe")


def make_app(url: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                       "QUIZAPP_SOURCES_DIR": None, "REDIS_URL": None})


def fresh(url: str) -> Flask:
    """Empty the database, then build the schema with `flask db upgrade`'s code."""
    parsed = make_url(url)
    if kind(url) == "sqlite" and parsed.database:
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    app = make_app(url)
    with app.app_context():
        if kind(url) != "sqlite":
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()
    return app
