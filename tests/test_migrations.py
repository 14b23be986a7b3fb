"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from quizapp import create_app
from quizapp.extensions import db
from tests.conftest import scratch_database

pytestmark = pytest.mark.slow


def _fresh_database_url(database: str, tmp_path) -> str:
    if database == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return scratch_database("migrations")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrations_match_the_models(database, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _fresh_database_url(database, tmp_path),
                      "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_0015_classes_keeps_existing_rows(database, tmp_path):
    """0015 on a database holding 0011's schema WITH data: users, banks, enrolments and
    cards survive, and a class can be made beside them."""
    from sqlalchemy import select, text

    from quizapp.models import User
    from quizapp.services import classes
    from quizapp.unit_of_work import unit

    app = create_app({"SQLALCHEMY_DATABASE_URI": _fresh_database_url(database, tmp_path),
                      "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            conn.execute(text(
                'INSERT INTO "user" (id, username, password_hash, role, created_at, settings, '
                "session_version, session_token) VALUES "
                "(1, 'ingrid', 'x', 'instructor', '2026-01-01', '{}', 1, 't1'), "
                "(2, 'lena', 'x', 'learner', '2026-01-01', '{}', 1, 't2')"))
            conn.execute(text("INSERT INTO bank (id, slug, title, description, owner_id, "
                              "archived, created_at) VALUES (1, 'b', 'B', '', 1, false, "
                              "'2026-01-01')"))
            conn.execute(text("INSERT INTO enrolment (id, user_id, bank_id, tags, created_at) "
                              "VALUES (1, 2, 1, '[]', '2026-01-01')"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text('SELECT username FROM "user" ORDER BY id')).scalars(
            ).all() == ["ingrid", "lena"]
            assert conn.execute(text("SELECT owner_id FROM bank")).scalars().all() == [1]
            assert conn.execute(text("SELECT user_id FROM enrolment")).scalars().all() == [2]
        with app.test_request_context(), unit():
            teacher = db.session.scalar(select(User).where(User.id == 1))
            klass = classes.create_class(teacher, name="After the upgrade")
            classes.link_bank(klass.id, teacher, 1)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT bank_id FROM class_bank")).scalars().all() == [1]
        downgrade(revision="0011")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM enrolment")).scalar() == 1
        db.engine.dispose()
