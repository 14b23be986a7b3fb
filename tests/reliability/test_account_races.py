"""Accounts under concurrent requests from several processes, on SQLite and PostgreSQL:
each invariant holds with the locking, and a negative control shows that the same race
without it breaks the invariant (so the test would notice)."""

import multiprocessing

import pytest
from sqlalchemy import select

from quizapp import unit_of_work
from quizapp.domain.passwords import verify_password
from quizapp.extensions import db
from quizapp.models import PasswordReset, ThrottleCounter, User
from quizapp.models.types import utcnow
from quizapp.services import accounts, password_reset
from tests.conftest import PASSWORD
from tests.reliability.workers_accounts import (
    log_in,
    log_in_and_refresh,
    redeem_reset,
    toggle_disabled,
)

pytestmark = pytest.mark.slow
CTX = multiprocessing.get_context("spawn")


def in_parallel(function, argument_lists):
    """Run `function` once per argument list, each in its own process, all released at once."""
    with CTX.Manager() as manager:
        barrier = manager.Barrier(len(argument_lists))
        with CTX.Pool(len(argument_lists)) as pool:
            return pool.starmap(function, [(*args, barrier) for args in argument_lists])


def uri(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def user_row(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


# --- (a) one reset link, redeemed by several browsers at once ----------------------------

REDEEMERS = 3


def redeem_at_once(app, make_user, locked: bool):
    user = make_user("bob")
    with app.app_context(), unit_of_work.unit():
        token = password_reset.issue(user.id, utcnow()).token
    passwords = [f"new passphrase number {n} here" for n in range(REDEEMERS)]
    statuses = in_parallel(redeem_reset, [(uri(app), token, p, locked) for p in passwords])
    return user, passwords, statuses


def test_a_reset_link_redeemed_at_once_works_exactly_once(app, make_user):
    user, passwords, statuses = redeem_at_once(app, make_user, locked=True)
    assert sorted(statuses) == [302] + [400] * (REDEEMERS - 1)
    after = user_row(app, user.id)
    [winner] = [p for p, status in zip(passwords, statuses, strict=True) if status == 302]
    assert verify_password(after.password_hash, winner)
    assert after.session_version == user.session_version + 1  # the sessions ended once
    with app.app_context():
        assert db.session.scalar(select(PasswordReset.used_at)) is not None


def test_negative_control_without_locking_a_link_works_twice(app, make_user):
    _, _, statuses = redeem_at_once(app, make_user, locked=False)
    assert statuses.count(302) > 1, f"expected the link used more than once: {statuses}"


# --- (b) the first login, by many browsers at once ---------------------------------------

LOGGERS = 4
EACH = 3


def log_in_at_once(app, make_user, locked: bool):
    user = make_user("ivy", role="instructor")
    went = in_parallel(log_in, [(uri(app), "ivy", PASSWORD, f"10.0.0.{n}", EACH, locked)
                                for n in range(LOGGERS)])
    return user, [location for locations in went for location in locations]


def test_the_first_login_is_recorded_once_and_the_counters_are_exact(app, make_user, client):
    user, locations = log_in_at_once(app, make_user, locked=True)
    assert len(locations) == LOGGERS * EACH
    assert locations.count("/start") == 1  # one login, the first, shows getting started
    first = user_row(app, user.id).first_login_at
    assert first is not None
    with app.app_context():  # every success gave its attempt back
        counts = db.session.execute(select(ThrottleCounter.key, ThrottleCounter.count)).all()
    assert counts and all(count == 0 for _, count in counts), counts
    assert client.post("/auth/login", data={"username": "ivy", "password": PASSWORD}
                       ).location == "/"
    assert user_row(app, user.id).first_login_at == first  # never overwritten


def test_negative_control_without_locking_the_first_login_is_recorded_twice(app, make_user):
    _, locations = log_in_at_once(app, make_user, locked=False)
    assert locations.count("/start") > 1, f"expected several first logins: {locations}"


# --- (c) disable and enable, racing with logins and page loads ---------------------------
# The invariant: every disable that changed the account ended its sessions exactly once
# (session_version counts them: none lost, none doubled), every answer is a page or a
# refusal (302, 400 or 429, never a 500), and once the account is disabled no session made by any
# of the logins opens a page.

TOGGLERS = 2
TOGGLES = 6


def race_disable_and_login(app, make_user, locked: bool):
    user = make_user("dora")
    jobs = [(toggle_disabled, (uri(app), user.id, TOGGLES, locked)) for _ in range(TOGGLERS)]
    jobs += [(log_in_and_refresh, (uri(app), "dora", PASSWORD, f"10.0.1.{n}", TOGGLES))
             for n in range(2)]
    with CTX.Manager() as manager:
        barrier = manager.Barrier(len(jobs))
        with CTX.Pool(len(jobs)) as pool:
            pending = [pool.apply_async(f, (*args, barrier)) for f, args in jobs]
            results = [p.get(timeout=600) for p in pending]
    return user, results[:TOGGLERS], results[TOGGLERS:]


def test_disable_and_enable_racing_with_logins_stay_consistent(app, make_user):
    user, disables, logins = race_disable_and_login(app, make_user, locked=True)
    after = user_row(app, user.id)
    assert after.disabled_at is None  # each toggler ends with an enable
    assert after.session_version - user.session_version == sum(disables) >= TOGGLES
    statuses = [s for seen, _ in logins for s in seen]
    assert set(statuses) <= {200, 302, 400, 429}, statuses
    with app.app_context(), unit_of_work.unit():
        assert accounts.set_disabled(user.id, True, utcnow())
    for cookie in (c for _, cookies in logins for c in cookies):
        browser = app.test_client()
        browser.set_cookie("session", cookie)
        assert browser.get("/auth/password").status_code == 302


def test_negative_control_without_locking_disables_are_lost_or_doubled(app, make_user):
    user, disables, _ = race_disable_and_login(app, make_user, locked=False)
    after = user_row(app, user.id)
    assert after.session_version - user.session_version != sum(disables), (
        "expected the session version to miscount the disables without locking")
