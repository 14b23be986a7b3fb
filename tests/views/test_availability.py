"""Faults of the database and Redis: a quick 503 with Retry-After (never a 500, a hang or a
bare page), readiness that says so, and recovery without a restart. PostgreSQL faults are
made on a database of the test's own: its connections terminated, new ones refused, or a
connection limit of its own; the shared server is never stopped."""

import multiprocessing
import os

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.pool import NullPool, QueuePool

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Bank, Question, Review, User
from quizapp.services import accounts, study
from quizapp.services.banks import add_revision, apply_spec
from tests.conftest import (
    CLOSE,
    NOW,
    PASSWORD,
    REOPEN,
    TERMINATE,
    admin_sql,
    make_test_app,
    sample_question,
    scratch_database,
)
from tests.redis_server import own_redis

pytestmark = pytest.mark.slow



def _app(tmp_path, url: str, **config):
    app = make_test_app("sqlite", tmp_path, SQLALCHEMY_DATABASE_URI=url, **config)
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def own_pg(tmp_path):
    url = scratch_database("availability")
    app = _app(tmp_path, url)
    yield app, url
    admin_sql(url, REOPEN)
    with app.app_context():
        db.engine.dispose()


def _learner_with_a_card(app) -> tuple[int, int]:
    """A learner enrolled in a one-question bank: (user id, card id)."""
    with app.app_context():
        user = accounts.create_user("learner", PASSWORD, now=NOW)
        bank = Bank(slug="b", title="B", created_at=NOW, published_at=NOW)
        db.session.add(bank)
        db.session.flush()
        question = Question(bank_id=bank.id, revision=1, archived=False, position=0)
        apply_spec(question, sample_question("true_false"))
        add_revision(question, author_id=None, message="created", now=NOW)
        db.session.add(question)
        db.session.commit()
        study.enrol(user.id, bank.id, [], NOW)
        db.session.commit()  # services flush; the caller commits
        return user.id, study.queue(db.session.get(User, user.id), NOW).card.id


def _make_user(app) -> None:
    with app.app_context():
        accounts.create_user("learner", PASSWORD, now=NOW)
        db.session.commit()


def _logged_in(app):
    client = app.test_client()
    assert client.post("/auth/login", data={"username": "learner", "password": PASSWORD}
                       ).status_code == 302
    return client


def test_healthz_is_liveness_and_readyz_checks_the_database(own_pg):
    app, url = own_pg
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json == {
        "status": "ready", "checks": {"database": "ok"}}
    admin_sql(url, CLOSE, TERMINATE)
    assert client.get("/healthz").status_code == 200
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.json["checks"]["database"].startswith("unreachable")
    assert int(down.headers["Retry-After"]) > 0
    admin_sql(url, REOPEN)
    assert client.get("/readyz").status_code == 200  # recovers by itself


def test_readyz_reports_redis(tmp_path):
    with own_redis(tmp_path) as server:
        app = _app(tmp_path, f"sqlite:///{tmp_path / 'r.sqlite3'}", REDIS_URL=server.url)
        client = app.test_client()
        assert client.get("/readyz").json["checks"] == {"database": "ok", "redis": "ok"}
        server.hang()
        hung = client.get("/readyz")
        assert hung.status_code == 503 and hung.json["checks"]["redis"] == "unreachable"
        server.resume()
        assert client.get("/readyz").status_code == 200
        server.stop()
        assert client.get("/readyz").status_code == 503


def test_pages_answer_503_while_the_database_is_away_then_recover(own_pg):
    app, url = own_pg
    _learner_with_a_card(app)
    client = _logged_in(app)
    assert client.get("/study/").status_code == 200
    admin_sql(url, CLOSE, TERMINATE)
    page = client.get("/study/")
    assert page.status_code == 503
    assert int(page.headers["Retry-After"]) > 0
    assert b"Temporarily unavailable" in page.data and b"Traceback" not in page.data
    api = client.post("/study/review",
                      json={"card_id": 1, "rating": 3, "submission_id": "submission-1"})
    assert api.status_code == 503
    assert api.json["saved"] is False and api.json["retry_safe"] is True
    admin_sql(url, REOPEN)
    assert client.get("/study/").status_code == 200  # same session, no restart


def test_a_write_that_committed_is_never_reported_as_failed(own_pg):
    """The connection dies right after the review commits: the answer says it was saved,
    and sending it again (same submission id) applies nothing twice."""
    app, url = own_pg
    _, card_id = _learner_with_a_card(app)
    client = _logged_in(app)

    killed = []

    def kill_after_commit(session):
        if session.in_nested_transaction() or killed:  # a SAVEPOINT released: not yet
            return
        killed.append(True)
        admin_sql(url, CLOSE, TERMINATE)

    with app.app_context():
        event.listen(db.session, "after_commit", kill_after_commit)
    payload = {"card_id": card_id, "rating": 3, "submission_id": "only-once-1"}
    first = client.post("/study/review", json=payload)
    admin_sql(url, REOPEN)
    # The review commits before the next card is read (unit_of_work.change_done: no lock
    # held while the answer is built), so the next card cannot be read: the answer is a
    # 503 that says the review was saved, never that it failed.
    assert first.status_code == 503
    assert first.json["saved"] is True and first.json["retry_safe"] is True
    again = client.post("/study/review", json=payload)
    assert again.status_code == 200 and again.json["applied"] is False
    with app.app_context():
        assert db.session.scalar(select(func.count(Review.id))) == 1


def test_out_of_connections_is_a_quick_503_and_recovers(tmp_path):
    url = scratch_database("connlimit", connection_limit=1)
    app = _app(tmp_path, url)
    client = app.test_client()
    with app.app_context():
        db.engine.dispose()
    hog = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with hog.app_context(), db.engine.connect() as held:  # the database's only connection
        held.execute(text("SELECT 1"))
        busy = client.get("/readyz")
        assert busy.status_code == 503 and "Retry-After" in busy.headers
        page = client.get("/auth/register")
        assert page.status_code == 200  # a page that needs no database still works
        login = client.post("/auth/login", data={"username": "x", "password": "y" * 8})
        assert login.status_code == 503 and "Retry-After" in login.headers
    with hog.app_context():
        db.engine.dispose()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_the_500_page_survives_a_failing_rollback(tmp_path, monkeypatch):
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'e.sqlite3'}", TESTING=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    def broken_rollback(*args, **kwargs):
        raise RuntimeError("rollback failed too")

    with app.app_context():
        monkeypatch.setattr(type(db.session()), "rollback", broken_rollback)
        response = app.test_client().get("/boom")
    assert response.status_code in (500, 503)
    assert b"<h1>" in response.data and b"Traceback" not in response.data


def test_a_shared_database_needs_a_secret_key(monkeypatch):
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1:1/x",
                    "SECRET_KEY": None})


def _start_app(instance: str, queue) -> None:
    original = Flask.__init__

    def init(self, *args, **kwargs):
        kwargs["instance_path"] = instance
        original(self, *args, **kwargs)

    Flask.__init__ = init
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/db.sqlite3"})
    queue.put(app.config["SECRET_KEY"])


def test_first_boot_key_is_the_same_for_processes_starting_together(tmp_path):
    instance = str(tmp_path / "instance")
    os.makedirs(instance)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_start_app, args=(instance, queue)) for _ in range(6)]
    for process in processes:
        process.start()
    keys = [queue.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert all(process.exitcode == 0 for process in processes)
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert os.stat(os.path.join(instance, "secret_key")).st_size == 64
    assert [name for name in os.listdir(instance) if name.startswith(".secret_key")] == []


@pytest.mark.parametrize("proxies", [0, 1])
def test_proxy_fix_takes_the_client_address_from_the_proxy(tmp_path, proxies):
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'p.sqlite3'}", QUIZAPP_PROXY_FIX=proxies)
    _make_user(app)
    client = app.test_client()

    def login(password: str, client_address: str):
        return client.post("/auth/login", data={"username": "learner", "password": password},
                           headers={"X-Forwarded-For": client_address},
                           environ_base={"REMOTE_ADDR": "10.0.0.254"})  # the balancer

    for _ in range(5):
        login("wrong password", "198.51.100.1")
    owner = login(PASSWORD, "203.0.113.9")
    # Behind the proxy each user keeps their own address; without ProxyFix all share one.
    assert owner.status_code == (302 if proxies else 429)


def test_pool_settings_come_from_the_configuration(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "SECRET_KEY": "x", "QUIZAPP_DB_POOL_SIZE": 3,
                      "QUIZAPP_DB_MAX_OVERFLOW": 1, "QUIZAPP_DB_POOL_TIMEOUT": 2})
    with app.app_context():
        pool = db.engine.pool
        assert isinstance(pool, QueuePool) and pool.size() == 3 and pool._max_overflow == 1
        assert pool._timeout == 2
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'y.sqlite3'}",
                      "SECRET_KEY": "x", "QUIZAPP_DB_POOL_SIZE": 0})
    with app.app_context():
        assert isinstance(db.engine.pool, NullPool)
