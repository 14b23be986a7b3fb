"""The Alembic migrations build exactly the schema the models describe, on both databases."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from quizapp import create_app
from quizapp.extensions import db
from tests.conftest import NOW, scratch_database

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


# --- upgrades keep the rows of the schema before them --------------------------------------

def _filler(column: sa.Column, n: int):
    """A value for a NOT NULL column the test does not care about, by the column's type."""
    kind = type(column.type).__name__.upper()
    if "INT" in kind:
        return 0
    if "BOOL" in kind:
        return False
    if "TIME" in kind or "DATE" in kind:
        return NOW
    if "JSON" in kind:
        return {}
    if "FLOAT" in kind or "REAL" in kind or "DOUBLE" in kind or "NUMERIC" in kind:
        return 0.0
    return f"x{n}"


class _Rows:
    """Insert rows into the reflected schema of an older revision (the models may have moved
    on), filling the NOT NULL columns a test does not name."""

    def __init__(self, conn):
        self.conn = conn
        self.meta = sa.MetaData()
        self.meta.reflect(conn)
        self.n = 0

    def add(self, table: str, **values) -> int:
        self.n += 1
        t = self.meta.tables[table]
        for column in t.columns:
            if (column.name not in values and not column.nullable and not column.primary_key
                    and column.server_default is None):
                values[column.name] = _filler(column, self.n)
        if "id" in t.columns and "id" not in values:
            return self.conn.execute(t.insert().values(**values).returning(t.c.id)).scalar_one()
        self.conn.execute(t.insert().values(**values))
        return 0


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_0012_gives_each_bank_the_topics_its_questions_carry(database, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _fresh_database_url(database, tmp_path),
                      "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            rows = _Rows(conn)
            user = rows.add("user", username="learner", role="learner", settings={})
            minsk = rows.add("bank", slug="minsk", title="Minsk", description="", archived=False)
            other = rows.add("bank", slug="other", title="Other", description="", archived=False)
            rows.add("bank", slug="empty", title="Empty", description="", archived=False)
            questions = {}
            for bank, key, tags in [(minsk, "a", ["people", "venue"]), (minsk, "b", ["venue"]),
                                    (other, "c", ["venue", "own-topic"])]:
                q = rows.add("question", bank_id=bank, key=key, position=0,
                             type="single_choice", prompt=f"{key}?", data={"options": []},
                             explanation="", sources=[], tags=tags, difficulty=2,
                             revision=1, archived=False)
                questions[key] = q
                rows.add("question_revision", question_id=q, number=1,
                         snapshot={"key": key}, message="created", created_at=NOW)
                for tag in tags:
                    rows.add("question_tag", question_id=q, tag=tag)
            card = rows.add("card", user_id=user, question_id=questions["a"], due=NOW, reps=3)
            rows.add("review", card_id=card, user_id=user, rating=3, reviewed_at=NOW,
                     origin="flashcard", state_before={})
        upgrade(revision="0012")
        with db.engine.connect() as conn:
            got = conn.execute(sa.text(
                "SELECT b.slug, t.slug, t.label, t.position FROM topic t "
                "JOIN bank b ON b.id = t.bank_id ORDER BY b.slug, t.position")).all()
            assert got == [("minsk", "venue", "Venue", 0), ("minsk", "people", "People", 1),
                           ("other", "venue", "Venue", 0),
                           ("other", "own-topic", "Own topic", 1)]
            counts = [conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in ("bank", "question", "question_revision", "question_tag",
                                "card", "review")]
            assert counts == [3, 3, 3, 5, 1, 1]
            assert conn.execute(sa.text("SELECT reps FROM card")).scalar_one() == 3
        downgrade(revision="0011")
        with db.engine.connect() as conn:
            assert "topic" not in sa.inspect(conn).get_table_names()
            assert conn.execute(sa.text("SELECT count(*) FROM question")).scalar_one() == 3
        db.engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_0014_classes_keeps_existing_rows(database, tmp_path):
    """0014 (classes) on a database holding 0011's schema WITH data: users, banks, enrolments and
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


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_0015_publishes_the_banks_learners_saw_and_keeps_their_rows(database, tmp_path):
    """0015 (bank policy and publishing) on 0014's schema with data: every existing bank is
    traced and published as of its creation (learners see what they saw), and its questions,
    cards and reviews are untouched; going back keeps them too."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": _fresh_database_url(database, tmp_path),
                      "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0014")
        with db.engine.begin() as conn:
            rows = _Rows(conn)
            user = rows.add("user", username="learner", role="learner", settings={})
            bank = rows.add("bank", slug="minsk", title="Minsk", description="",
                            archived=False, created_at=NOW)
            question = rows.add("question", bank_id=bank, key="a", position=0,
                                type="single_choice", prompt="a?", data={"options": []},
                                explanation="", sources=["minsk-talks#3"], tags=[],
                                difficulty=2, revision=1, archived=False)
            card = rows.add("card", user_id=user, question_id=question, due=NOW, reps=4)
            rows.add("review", card_id=card, user_id=user, rating=3, reviewed_at=NOW,
                     origin="flashcard", state_before={})
        upgrade(revision="0015")
        with db.engine.connect() as conn:
            policy, published, created = conn.execute(sa.text(
                "SELECT policy, published_at, created_at FROM bank")).one()
            assert policy == "traced" and published is not None and published == created
            assert conn.execute(sa.text("SELECT reps FROM card")).scalar_one() == 4
            assert conn.execute(sa.text("SELECT sources FROM question")).scalar_one() in (
                ["minsk-talks#3"], '["minsk-talks#3"]')
            assert conn.execute(sa.text("SELECT count(*) FROM review")).scalar_one() == 1
        downgrade(revision="0014")
        with db.engine.connect() as conn:
            assert "policy" not in {c["name"] for c in sa.inspect(conn).get_columns("bank")}
            assert conn.execute(sa.text("SELECT count(*) FROM card")).scalar_one() == 1
        db.engine.dispose()
