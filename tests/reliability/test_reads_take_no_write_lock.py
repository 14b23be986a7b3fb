"""A read-only request holds no write lock on SQLite: a writer finishes while a reader is
stopped in the middle of its request (issue 15). Processes, a real database file, real
requests through the app; no timings, only the order of events."""

import multiprocessing

import pytest

from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import accounts
from tests.conftest import NOW, PASSWORD, make_test_app
from tests.reliability.processes import reap
from tests.reliability.workers_uow import SETTINGS, read_slowly, write_while_read

pytestmark = pytest.mark.slow


def race(tmp_path, make_users, *, reads_lock: bool) -> tuple[int, dict]:
    app = make_test_app("sqlite", tmp_path)
    with app.app_context():
        db.create_all()
    reader, writer = make_users(app)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    ctx = multiprocessing.get_context("spawn")
    ready, reading, written = ctx.Event(), ctx.Event(), ctx.Event()
    outcome = ctx.Value("i", -1)
    write = ctx.Process(target=write_while_read, args=(uri, writer, PASSWORD, ready, reading,
                                                      written))
    read = ctx.Process(target=read_slowly, args=(uri, reader, PASSWORD, reading, written,
                                                 outcome, reads_lock))
    write.start()
    try:
        assert ready.wait(timeout=60), "the writer could not log in"
        read.start()
        read.join(timeout=90)
        write.join(timeout=90)
    finally:
        reap((read, write), timeout=0)
    assert read.exitcode == 0 and write.exitcode == 0, (read.exitcode, write.exitcode)
    with app.app_context():
        settings = db.session.scalar(db.select(User.settings).where(User.username == writer))
        db.engine.dispose()
    return outcome.value, settings


@pytest.fixture
def make_users():
    def make(app):
        with app.app_context():
            for name in ("reader", "writer"):
                accounts.create_user(name, PASSWORD, now=NOW)
            db.session.commit()
        return "reader", "writer"
    return make


def test_a_writer_proceeds_while_a_reader_is_mid_request(tmp_path, make_users):
    finished_meanwhile, settings = race(tmp_path, make_users, reads_lock=False)
    assert finished_meanwhile == 1, "the write waited for a read-only request to end"
    assert settings["new_per_day"] == int(SETTINGS["new_per_day"])


def test_negative_control_a_read_holding_the_write_lock_is_caught(tmp_path, make_users):
    """The reader takes the write lock at its start, as every request used to: the writer
    cannot finish until the reader's request ends, and the test above would say so."""
    finished_meanwhile, settings = race(tmp_path, make_users, reads_lock=True)
    assert finished_meanwhile == 0, "expected the writer to be blocked behind the reader"
    assert settings["new_per_day"] == int(SETTINGS["new_per_day"])  # it ran, afterwards
