"""Fixtures: the app on SQLite and PostgreSQL, clients, and factories for users and banks."""

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from quizapp import create_app
from quizapp.domain.questions import QUESTION_TYPES
from quizapp.extensions import db
from quizapp.models import Bank, Question, Role, User
from quizapp.services import accounts
from quizapp.services.banks import add_revision, apply_spec

PG_URL = os.environ.get(
    "QUIZAPP_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

_pg_state: dict[str, Any] = {}


def _postgres_url() -> str:
    """The test PostgreSQL URL with a fresh schema; skip (or fail in CI) if unreachable."""
    if "error" in _pg_state:
        _unreachable(_pg_state["error"])
    if "ready" not in _pg_state:
        engine = create_engine(PG_URL)
        try:
            with engine.connect():
                pass
        except OperationalError as e:
            _pg_state["error"] = str(e).splitlines()[0]
            _unreachable(_pg_state["error"])
        finally:
            engine.dispose()
        app = create_app({"SQLALCHEMY_DATABASE_URI": PG_URL, "TESTING": True})
        with app.app_context():
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()
            db.engine.dispose()
        _pg_state["ready"] = True
    return PG_URL


def _unreachable(reason: str) -> None:
    message = f"PostgreSQL at {PG_URL} is not reachable ({reason})"
    if IN_CI:
        pytest.fail(message + "; CI=true requires it", pytrace=False)
    pytest.skip(message + "; set QUIZAPP_TEST_DATABASE_URL or start the server")


def make_test_app(database: str, tmp_path, **overrides: Any) -> Flask:
    if database == "postgresql":
        uri = _postgres_url()
    else:
        uri = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": uri,
        "WTF_CSRF_ENABLED": False,
        "QUIZAPP_SOURCES_DIR": None,
        "MAIL_SERVER": None,  # no mail unless a test starts its own SMTP server
        **overrides,
    }
    return create_app(config)


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's fixture of this name, which keeps one request context
    pushed for the whole test: every client request would then share one `g` and one
    database session, hiding bugs (a stale logged-in user, a transaction left open)."""
    yield


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> str:
    return request.param


@pytest.fixture
def app(database: str, tmp_path) -> Iterator[Flask]:
    """The app with an empty database. No app context stays pushed: each test request
    gets its own context (fresh `g` and session), as in production; tests that touch
    the database directly open `with app.app_context():` themselves."""
    app = make_test_app(database, tmp_path)
    with app.app_context():
        if database == "sqlite":
            db.create_all()
    yield app
    with app.app_context():
        if database == "postgresql":
            _truncate_all()
        db.engine.dispose()


def detached(obj):
    """Load `obj`'s columns and detach it, so a test can read it outside the context."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Replaces pytest-flask's client, which keeps the last request's context (and its
    database session, with SQLite's write lock) open until the next request."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


_numbers = count(1)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def make(username: str | None = None, role: str = "learner", password: str = PASSWORD) -> User:
        name = username or f"user{next(_numbers)}"
        with app.app_context():
            return detached(accounts.create_user(name, password, role=Role(role), now=NOW))

    return make


SAMPLE_ANSWERS: dict[str, dict[str, Any]] = {
    "single_choice": {"options": [{"text": "Minsk", "correct": True}, {"text": "Kyiv"},
                                  {"text": "Moscow"}]},
    "multiple_choice": {"options": [{"text": "OSCE", "correct": True},
                                    {"text": "Russia", "correct": True}, {"text": "EU"}]},
    "true_false": {"answer": True},
    "short_answer": {"answers": ["Zaslaūje", "Zaslavl"], "typos": True},
    "numeric": {"value": 5063, "tolerance": 0, "unit": "victims"},
    "ordering": {"items": ["First", "Second", "Third"]},
    "matching": {"pairs": [{"left": "Kuchma", "right": "Ukraine"},
                           {"left": "Zurabov", "right": "Russia"}]},
    "cloze": {"gaps": [["20", "twenty"]]},
}


def sample_question(qtype: str = "single_choice", key: str | None = None, **fields: Any):
    """A valid question spec of `qtype`; `fields` override any field."""
    data: dict[str, Any] = {
        "key": key or f"q-{next(_numbers)}",
        "type": qtype,
        "prompt": "They freed {{1}} detainees each." if qtype == "cloze" else f"A {qtype}?",
        "explanation": "Because the article says so.",
        "source": ["minsk-talks#2"],
        "tags": ["venue"],
        "difficulty": 2,
        **SAMPLE_ANSWERS[qtype],
        **fields,
    }
    return QUESTION_TYPES[qtype].model_validate(data)


@pytest.fixture
def make_bank(app: Flask) -> Callable[..., Bank]:
    def make(slug: str | None = None, owner: User | None = None, **fields: Any) -> Bank:
        with app.app_context():
            bank = Bank(slug=slug or f"bank-{next(_numbers)}", title=fields.pop("title", "A bank"),
                        owner_id=owner.id if owner else None, created_at=NOW, **fields)
            db.session.add(bank)
            db.session.commit()
            return detached(bank)

    return make


@pytest.fixture
def make_question(app: Flask, make_bank) -> Callable[..., Question]:
    def make(bank: Bank | None = None, qtype: str = "single_choice", **fields: Any) -> Question:
        bank = bank or make_bank()
        with app.app_context():
            question = Question(bank_id=bank.id, revision=1, archived=False, position=0)
            apply_spec(question, sample_question(qtype, **fields))
            add_revision(question, author_id=None, message="created", now=NOW)
            db.session.add(question)
            db.session.commit()
            return detached(question)

    return make


class AuthActions:
    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post(
            "/auth/login", data={"username": username, "password": password}
        )

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
