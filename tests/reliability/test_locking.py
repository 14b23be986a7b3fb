"""Concurrent read-then-write from several processes loses no update (and would notice)."""

import multiprocessing

import pytest

from quizapp.extensions import db
from quizapp.models import User
from tests.reliability.workers import increment

PROCESSES = 4
TIMES = 25

pytestmark = pytest.mark.slow


def run_concurrently(app, user_id: int, *, locked: bool, via_service: bool) -> tuple[int, int]:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        before = db.session.get(User, user_id).session_version
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        results = pool.starmap(
            increment, [(uri, user_id, TIMES, locked, via_service)] * PROCESSES
        )
    with app.app_context():
        after = db.session.get(User, user_id).session_version
    return sum(results), after - before


@pytest.mark.parametrize("via_service", [False, True], ids=["locked-query", "service"])
def test_no_update_is_lost_with_locking(app, make_user, via_service):
    user = make_user()
    committed, applied = run_concurrently(app, user.id, locked=True, via_service=via_service)
    assert committed == PROCESSES * TIMES
    assert applied == committed


def test_negative_control_without_locking_loses_updates(app, make_user):
    """The same read-then-write without the lock: the test above would see the loss."""
    user = make_user()
    committed, applied = run_concurrently(app, user.id, locked=False, via_service=False)
    assert committed == PROCESSES * TIMES
    assert applied < committed, "expected lost updates without locking"
