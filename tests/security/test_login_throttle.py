"""Login throttling: 5 failures per account and address per minute, then 429 + Retry-After.

On Redis (Flask-Limiter) when REDIS_URL is set, else counted in the database; both are
shared by gunicorn workers, which tests/reliability/test_gunicorn.py checks with 4 of them.
"""

import logging
import os
from itertools import count

import pytest
import redis
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import ThrottleCounter
from quizapp.services import accounts
from tests.conftest import IN_CI, NOW, PASSWORD, RUN_ID, make_test_app
from tests.redis_server import own_redis

REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_skip() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as e:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is not reachable ({e}); CI=true requires it")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({e})")
    return REDIS_URL


_prefixes = count(1)


def redis_prefix() -> str:
    """A key prefix no other test or run shares, so nobody has to empty Redis."""
    return f"quizapp-test-{RUN_ID}-{next(_prefixes)}"


def _app_with_users(tmp_path, **extra):
    app = make_test_app("sqlite", tmp_path, **extra)
    with app.app_context():
        db.create_all()
        accounts.create_user("target", PASSWORD, now=NOW)
        accounts.create_user("bystander", PASSWORD, now=NOW)
        db.session.commit()
    return app


@pytest.fixture(params=["database", "redis"])
def throttled_app(request, tmp_path):
    extra = {}
    if request.param == "redis":
        extra = {"REDIS_URL": redis_or_skip(), "QUIZAPP_REDIS_PREFIX": redis_prefix()}
    app = _app_with_users(tmp_path, **extra)
    yield app
    with app.app_context():
        db.engine.dispose()


def login(client, username, password="wrong password!", address="10.0.0.1"):
    return client.post("/auth/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_sixth_failure_gets_429_with_retry_after(throttled_app):
    client = throttled_app.test_client()
    for _ in range(5):
        assert login(client, "target").status_code == 400
    blocked = login(client, "target")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    assert b"Too many" in blocked.data
    # Even the right password waits: the throttle comes before the check.
    assert login(client, "target", PASSWORD).status_code == 429


def test_throttle_is_per_account_and_address(throttled_app):
    client = throttled_app.test_client()
    for _ in range(5):
        login(client, "target")
    assert login(client, "bystander", PASSWORD).status_code == 302
    assert login(client, "target", PASSWORD, address="10.0.0.2").status_code == 302


def test_successes_do_not_count(throttled_app):
    client = throttled_app.test_client()
    for _ in range(8):
        assert login(client, "target", PASSWORD).status_code == 302
        client.post("/auth/logout")


def test_retry_after_only_on_refusals(throttled_app):
    client = throttled_app.test_client()
    assert "Retry-After" not in login(client, "target", PASSWORD).headers
    client.post("/auth/logout")
    assert "Retry-After" not in login(client, "target").headers
    assert "Retry-After" not in client.get("/auth/login").headers


def test_a_json_login_shares_the_form_count(throttled_app):
    client = throttled_app.test_client()
    for _ in range(5):
        login(client, "target")
    response = client.post("/auth/login", json={"username": "Target ", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.status_code == 429


def test_unknown_usernames_are_throttled_too(throttled_app):
    client = throttled_app.test_client()
    statuses = [login(client, "nobody-here").status_code for _ in range(7)]
    assert statuses == [400] * 5 + [429] * 2


def test_account_limit_bounds_guesses_from_many_addresses(tmp_path):
    app = _app_with_users(tmp_path, LOGIN_LIMITS=[(5, 60), (3, 900), (30, 60), (600, 60)])
    client = app.test_client()
    statuses = [login(client, "target", address=f"10.1.0.{n}").status_code for n in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    # The owner too waits, from anywhere; another account does not.
    assert login(client, "target", PASSWORD, address="10.9.9.9").status_code == 429
    assert login(client, "bystander", PASSWORD, address="10.1.0.1").status_code == 302


def test_refusals_by_address_do_not_count_against_the_account(tmp_path):
    """One address hammering an account past its limit cannot lock the owner out elsewhere."""
    app = _app_with_users(tmp_path, LOGIN_LIMITS=[(2, 60), (4, 900), (30, 60), (600, 60)])
    client = app.test_client()
    for _ in range(20):
        login(client, "target", address="10.6.6.6")
    assert login(client, "target", PASSWORD, address="10.0.0.7").status_code == 302


def test_expired_counters_are_forgotten(tmp_path):
    # already over
    app = _app_with_users(tmp_path, LOGIN_LIMITS=[(5, -1), (30, -1), (30, -1), (600, -1)])
    client = app.test_client()
    for _ in range(3):
        login(client, "target")
    with app.app_context():
        assert db.session.scalars(select(ThrottleCounter)).all() == []


def test_redis_stopped_or_hung_falls_back_to_the_database(tmp_path, caplog):
    """Logins keep working when Redis stops or hangs (counted in the database meanwhile,
    the outage logged once), and move back to Redis when it answers again."""
    with own_redis(tmp_path) as server:
        app = _app_with_users(tmp_path, REDIS_URL=server.url, QUIZAPP_REDIS_PREFIX="t",
                              QUIZAPP_REDIS_RETRY_SECONDS=0)
        client = app.test_client()
        own = redis.Redis.from_url(server.url)
        assert login(client, "target").status_code == 400
        assert own.get("t:login|target|10.0.0.1") == b"1"

        caplog.set_level(logging.WARNING, logger="quizapp.redis_store")
        for fault in (server.hang, server.stop):
            fault()
            assert login(client, "target", address="10.0.0.2").status_code == 400
            assert login(client, "target", PASSWORD, address="10.0.0.3").status_code == 302
            client.post("/auth/logout")
            with app.app_context():
                stored = db.session.get(ThrottleCounter, "login|target|10.0.0.2")
                assert stored is not None and stored.count >= 1
            if fault == server.hang:
                server.resume()
                assert login(client, "target", address="10.0.0.4").status_code == 400
                assert own.get("t:login|target|10.0.0.4") == b"1"
        outages = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(outages) == 2  # once per outage, not once per request
        for _ in range(5):
            login(client, "target", address="10.0.0.5")
        assert login(client, "target", address="10.0.0.5").status_code == 429
