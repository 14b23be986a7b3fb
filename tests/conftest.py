"""Fixtures: the app on SQLite and PostgreSQL, clients, and factories for users and banks."""

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from quizapp import create_app
from quizapp.domain import passwords
from quizapp.extensions import db
from quizapp.models import Bank, Question, Role, User
from quizapp.qtypes.registry import SCHEMAS
from quizapp.services import accounts, topics
from quizapp.services.banks import add_revision, apply_spec

# The configured server; each run of the suite works in databases of its own on it (created
# here, dropped at the end), so two runs on one machine never touch each other's tables.
SERVER_URL = os.environ.get(
    "QUIZAPP_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

_pg_state: dict[str, Any] = {}
_scratch_databases: set[str] = set()
_scratch_roles: set[str] = set()


def scratch_database(suffix: str, *, connection_limit: int | None = None) -> str:
    """A new, empty PostgreSQL database of this run (`quizapp_t<run>_<suffix>`), recreated if
    it exists; skip (or fail in CI) when the server is unreachable. Dropped at session end.

    With `connection_limit`, the URL logs in as a role of its own that owns the database and
    may hold at most that many connections to it (superusers are not limited): a small
    `max_connections` without touching the shared server."""
    if "error" in _pg_state:
        _unreachable(_pg_state["error"])
    name = f"quizapp_t{RUN_ID}_{suffix}"
    url = make_url(SERVER_URL).set(database=name)
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if connection_limit is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
                conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
                _scratch_roles.add(name)
                conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{name}" '
                                  f"CONNECTION LIMIT {int(connection_limit)}"))
                url = url.set(username=name, password=None)
    except OperationalError as e:
        _pg_state["error"] = str(e).splitlines()[0]
        _unreachable(_pg_state["error"])
    finally:
        admin.dispose()
    _scratch_databases.add(name)
    return url.render_as_string(hide_password=False)


def drop_scratch_databases() -> None:
    if not (_scratch_databases or _scratch_roles):
        return
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for name in sorted(_scratch_databases):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for name in sorted(_scratch_roles):
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    finally:
        admin.dispose()
    _scratch_databases.clear()
    _scratch_roles.clear()


# Faults of one database of the run's own, for admin_sql: its connections killed, new ones
# refused, and allowed again.
TERMINATE = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE datname = '{db}' AND pid <> pg_backend_pid()")
CLOSE = 'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false'
REOPEN = 'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true'


def admin_sql(database_url: str, *statements: str) -> None:
    """Run statements as the configured (super)user, in autocommit, on the server of
    `database_url`: terminate a database's connections, close or reopen it to new ones."""
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    name = make_url(database_url).database
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement.format(db=name)))
    finally:
        admin.dispose()


def _postgres_url() -> str:
    """This run's PostgreSQL database with the schema created; skip (or fail in CI) if the
    server is unreachable."""
    if "error" in _pg_state:
        _unreachable(_pg_state["error"])
    if "url" not in _pg_state:
        url = scratch_database("main")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                          "SECRET_KEY": "test-secret"})
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        _pg_state["url"] = url
    return _pg_state["url"]


def _unreachable(reason: str) -> None:
    message = f"PostgreSQL at {SERVER_URL} is not reachable ({reason})"
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
        "QUIZAPP_JOBS_IMMEDIATE": True,  # jobs run inside enqueue, as ordinary code
        **overrides,
    }
    return create_app(config)


def _truncate_all() -> None:
    """Empty the tables a test filled and restart every sequence (ids start at 1 again).
    A TRUNCATE of every table cost about 90 ms a test (each table gets new files); most
    tests fill a few, and one statement finds which."""
    names = [t.name for t in db.metadata.sorted_tables]
    probe = " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT FROM \"{name}\")" for name in names)
    with db.engine.begin() as conn:
        filled = conn.execute(text(probe)).scalars().all()
        if filled:
            tables = ", ".join(f'"{name}"' for name in filled)
            conn.execute(text(f"TRUNCATE {tables} CASCADE"))
        conn.execute(text("SELECT setval(oid::regclass, 1, false) FROM pg_class "
                          "WHERE relkind = 'S'"))


# argon2id at its cheapest in the test process: each user a test makes and each login cost
# about 70 and 40 ms with the real parameters, most of many tests' time. The real ones are
# checked where hashing is the subject (marked `real_hashing`); processes a test starts
# (gunicorn, race workers) hash with them too, and verify() reads a hash's own parameters.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request, monkeypatch):
    if request.node.get_closest_marker("real_hashing") is None:
        monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)


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
def app_config() -> dict[str, Any]:
    """Config the `app` fixture is created with, over make_test_app's: a test module that
    needs settings read at start-up (mail, say) overrides this fixture."""
    return {}


@pytest.fixture
def app(database: str, tmp_path, app_config: dict[str, Any]) -> Iterator[Flask]:
    """The app with an empty database. No app context stays pushed: each test request
    gets its own context (fresh `g` and session), as in production; tests that touch
    the database directly open `with app.app_context():` themselves."""
    app = make_test_app(database, tmp_path, **app_config)
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
            user = accounts.create_user(name, password, role=Role(role), now=NOW)
            db.session.commit()
            return detached(user)

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
    return SCHEMAS[qtype].model_validate(data)


@pytest.fixture
def make_bank(app: Flask) -> Callable[..., Bank]:
    def make(slug: str | None = None, owner: User | None = None,
             topics_: tuple[str, ...] = (), **fields: Any) -> Bank:
        """`topics_`: topic slugs the bank starts with (labels made from the slugs)."""
        fields.setdefault("published_at", NOW)  # published unless a test says published_at=None
        with app.app_context():
            bank = Bank(slug=slug or f"bank-{next(_numbers)}", title=fields.pop("title", "A bank"),
                        owner_id=owner.id if owner else None, created_at=NOW, **fields)
            db.session.add(bank)
            db.session.flush()
            if topics_:
                topics.ensure_topics(bank.id, list(topics_))
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
            topics.ensure_topics(bank.id, question.tags)  # the bank owns the tags it uses
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


def _live_children() -> list[tuple[int, str]]:
    """This process's children that still run, with their command lines. Zombies are reaped,
    not counted; multiprocessing's resource tracker (started by any spawn-context pool, and
    ending with this process) is not a leak."""
    me = str(os.getpid())
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[1] != me:
            continue
        if fields[0] == "Z":
            try:
                os.waitpid(int(entry), os.WNOHANG)
            except ChildProcessError:
                pass
            continue
        if "multiprocessing.resource_tracker" in command:
            continue
        found.append((int(entry), command[:200]))
    return found


def pytest_sessionfinish(session, exitstatus):
    """Drop this run's databases; fail loudly if a test left a server or worker running
    (a leaked child can keep the run from ever exiting), and stop it."""
    drop_scratch_databases()
    leftovers = _live_children()
    if not leftovers:
        return
    for pid, _ in leftovers:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    listed = ", ".join(f"{command} (pid {pid})" for pid, command in leftovers)
    session.config.get_terminal_writer().line(
        f"FAILED: the suite left child processes running: {listed}", red=True, bold=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
