"""Login throttling: 5 failures per account and address per minute, then 429 + Retry-After.

On Redis (Flask-Limiter) when REDIS_URL is set, else counted in the database; both are
shared by gunicorn workers, which tests/reliability/test_gunicorn.py checks with 4 of them.
"""

import os

import pytest
import redis

from quizapp.extensions import db
from quizapp.services import accounts
from tests.conftest import IN_CI, NOW, PASSWORD, make_test_app

REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_skip() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as e:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is not reachable ({e}); CI=true requires it")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable ({e})")
    return REDIS_URL


@pytest.fixture(params=["database", "redis"])
def throttled_app(request, tmp_path):
    extra = {}
    if request.param == "redis":
        # Redis database 15 is the tests' own; start each test with it empty.
        redis.Redis.from_url(redis_or_skip()).flushdb()
        extra = {"REDIS_URL": REDIS_URL}
    app = make_test_app("sqlite", tmp_path, **extra)
    with app.app_context():
        db.create_all()
        accounts.create_user("target", PASSWORD, now=NOW)
        accounts.create_user("bystander", PASSWORD, now=NOW)
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
