"""Sessions survive hostile requests: a cross-site POST leaves the victim's session alone."""

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import accounts
from tests.conftest import NOW, PASSWORD, make_test_app


@pytest.fixture
def csrf_app(tmp_path):
    app = make_test_app("sqlite", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        accounts.create_user("victim", PASSWORD, now=NOW)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _logged_in(app):
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = client.post("/auth/login", data={"username": "victim", "password": PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/progress/").status_code == 200
    return client


@pytest.mark.parametrize("path", ["/auth/logout", "/auth/password", "/progress/delete-account"])
@pytest.mark.parametrize("as_json", [False, True])
def test_a_cross_site_post_sets_no_session_cookie(csrf_app, path, as_json):
    """A browser sends no Lax cookie with a cross-site POST but keeps any cookie the answer
    sets: a fresh session cookie there would replace (log out) the victim's."""
    victim = _logged_in(csrf_app)
    forged = csrf_app.test_client()  # what arrives: no cookies, no token
    if as_json:
        response = forged.post(path, json={"x": 1})
    else:
        response = forged.post(path, data={"password": "x"})
    assert response.status_code == 400
    assert b"security token" in response.data
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert victim.get("/progress/").status_code == 200


def _login_plain(app, remember=False):
    client = app.test_client()
    data = {"username": "victim", "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 302
    return client


@pytest.fixture
def plain_app(tmp_path):
    app = make_test_app("sqlite", tmp_path)
    with app.app_context():
        db.create_all()
        accounts.create_user("victim", PASSWORD, now=NOW)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def clock(monkeypatch):
    """The clock the signed session cookie's timestamp is read and checked against."""
    import itsdangerous.timed

    now = [time.time()]

    class Clock:
        @staticmethod
        def time():
            return now[0]

    monkeypatch.setattr(itsdangerous.timed, "time", Clock)

    def advance(days):
        now[0] += days * 86400

    return advance


def test_a_session_ends_after_14_idle_days_and_lives_while_used(plain_app, clock):
    client = _login_plain(plain_app)
    for _ in range(5):  # used every 13 days: still logged in after 65
        clock(13)
        assert client.get("/progress/").status_code == 200
    clock(15)
    assert client.get("/progress/").status_code == 302


def test_the_idle_limit_and_remember_me_are_configurable(tmp_path, clock):
    app = make_test_app("sqlite", tmp_path, QUIZAPP_SESSION_IDLE_DAYS=2,
                        QUIZAPP_REMEMBER_DAYS=5)
    with app.app_context():
        db.create_all()
        accounts.create_user("victim", PASSWORD, now=NOW)
        db.session.commit()
    client = _login_plain(app, remember=True)
    response = app.test_client().post("/auth/login", data={
        "username": "victim", "password": PASSWORD, "remember": "y"})
    expiry = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie")
                          if c.startswith("session="))
    assert _days_left(expiry) == pytest.approx(5, abs=0.01)
    assert _days_left(session_cookie) == pytest.approx(2, abs=0.01)
    clock(3)
    fresh = app.test_client()
    fresh.set_cookie("session", client.get_cookie("session").value)
    assert fresh.get("/progress/").status_code == 302
    with app.app_context():
        db.engine.dispose()


def test_remember_me_lasts_30_days_by_default(plain_app):
    response = plain_app.test_client().post("/auth/login", data={
        "username": "victim", "password": PASSWORD, "remember": "y"})
    expiry = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    assert _days_left(expiry) == pytest.approx(30, abs=0.01)


def _days_left(set_cookie: str) -> float:
    expires = next(p.split("=", 1)[1] for p in set_cookie.split("; ")
                   if p.lower().startswith("expires="))
    return (parsedate_to_datetime(expires) - datetime.now(UTC)).total_seconds() / 86400


@pytest.mark.parametrize("path", ["/progress/", "/auth/password", "/",
                                  "/progress/export/reviews.csv"])
def test_private_pages_are_never_cached(plain_app, path):
    client = _login_plain(plain_app)
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_and_static_files_may_be_cached(plain_app):
    client = plain_app.test_client()
    assert "no-store" not in client.get("/auth/login").headers.get("Cache-Control", "")
    logged_in = _login_plain(plain_app)
    with logged_in.get("/static/css/app.css") as css:
        assert "no-store" not in css.headers.get("Cache-Control", "")


@pytest.mark.parametrize("secure", [False, True])
def test_security_headers(tmp_path, secure):
    app = make_test_app("sqlite", tmp_path, SESSION_COOKIE_SECURE=secure)
    response = app.test_client().get("/auth/login")
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    hsts = response.headers.get("Strict-Transport-Security")
    assert (hsts is not None) is secure
    if secure:
        assert "max-age=31536000" in hsts
    with app.app_context():
        db.engine.dispose()


def test_sqlite_files_are_private(tmp_path):
    """The database holds password hashes and every learner's answers: owner-only, 0600,
    its WAL and shared-memory files too; a database made before is tightened on open."""
    path = tmp_path / "test.sqlite3"
    app = make_test_app("sqlite", tmp_path)
    with app.app_context():
        db.create_all()
        accounts.create_user("someone", PASSWORD, now=NOW)
        db.session.commit()
        files = [p for p in tmp_path.iterdir() if p.name.startswith("test.sqlite3")]
        assert {p.name for p in files} >= {"test.sqlite3", "test.sqlite3-wal",
                                           "test.sqlite3-shm"}
        assert {p.name: p.stat().st_mode & 0o777 for p in files} == {
            p.name: 0o600 for p in files}
        db.engine.dispose()
    path.chmod(0o644)
    with app.app_context():
        db.session.execute(db.select(User.id)).all()
        assert path.stat().st_mode & 0o777 == 0o600
        db.engine.dispose()
