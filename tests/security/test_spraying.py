"""Password spraying and mass registration, through gunicorn with several workers: the
per-address and site-wide limits are counted once for all workers (services.throttle).

Before: the limit was per account (and address) only, so 600 guesses over 200 accounts in
10.8 s broke 20 of them; unknown names were never throttled (each an argon2 hash); one
address registered 64 accounts a second."""

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import PASSWORD
from tests.reliability.server import Client, gunicorn
from tests.security.test_login_throttle import redis_or_skip, redis_prefix

pytestmark = pytest.mark.slow
WORKERS = 3
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _post(server, path: str, fields: dict) -> tuple[int, dict]:
    client = Client(server)  # a new connection each time: any worker may answer
    client.request("GET", path)
    status, headers, _ = client.request(
        "POST", path, urlencode({**fields, "csrf_token": client.token}).encode(), FORM)
    client.close()
    return status, headers


def _env(backend: str, **extra: str) -> dict[str, str]:
    env = dict(extra)
    if backend == "redis":
        env.update(REDIS_URL=redis_or_skip(), QUIZAPP_REDIS_PREFIX=redis_prefix())
    return env


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_one_address_spraying_many_accounts_is_stopped_at_30(app, make_user, backend):
    """30 guesses a minute from one address, whatever the names (known or not)."""
    names = [make_user(f"sprayed{n}").username for n in range(5)]
    names += [f"nobody{n}" for n in range(30)]  # unknown names cost a hash too
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=WORKERS,
                  env=_env(backend)) as server:
        results = [_post(server, "/auth/login", {"username": name, "password": "Summer2024"})
                   for name in names]
        # The owner of an account nobody guessed at waits too, from this address.
        owner, _ = _post(server, "/auth/login", {"username": names[0], "password": PASSWORD})
    statuses = [status for status, _ in results]
    assert statuses == [400] * 30 + [429] * 5
    assert 0 < int(results[-1][1]["Retry-After"]) <= 60
    assert owner == 429


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_a_site_wide_ceiling_bounds_logins(app, backend):
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=WORKERS,
                  env=_env(backend, QUIZAPP_LOGIN_GLOBAL="8",
                           QUIZAPP_LOGIN_PER_ADDRESS="1000")) as server:
        statuses = [_post(server, "/auth/login", {"username": f"x{n}", "password": "guess"})[0]
                    for n in range(10)]
    assert statuses == [400] * 8 + [429] * 2


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_one_address_registers_five_accounts_an_hour(app, backend):
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=WORKERS,
                  env=_env(backend)) as server:
        results = [_post(server, "/auth/register", {
            "username": f"minted{n}", "password": PASSWORD, "confirm": PASSWORD})
            for n in range(7)]
    assert [status for status, _ in results] == [302] * 5 + [429] * 2
    assert int(results[-1][1]["Retry-After"]) > 60
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.username.like("minted%"))) == 5


def test_the_site_wide_registration_ceiling(app):
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=WORKERS,
                  env={"QUIZAPP_REGISTER_GLOBAL": "2"}) as server:
        statuses = [_post(server, "/auth/register", {
            "username": f"ceiling{n}", "password": PASSWORD, "confirm": PASSWORD})[0]
            for n in range(3)]
    assert statuses == [302, 302, 429]


def test_the_server_header_names_no_version(app):
    """gunicorn answers `Server: gunicorn`, no version to look up vulnerabilities by."""
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=1) as server:
        client = Client(server)
        for path in ("/auth/login", "/static/css/app.css", "/no-such-page"):
            _, headers, _ = client.request("GET", path)
            assert headers.get("Server", "gunicorn") == "gunicorn"
            assert not any(ch.isdigit() for ch in headers.get("Server", ""))
        client.close()
