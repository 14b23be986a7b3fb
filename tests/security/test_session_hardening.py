"""Sessions survive hostile requests: a cross-site POST leaves the victim's session alone."""

import pytest

from quizapp.extensions import db
from quizapp.services import accounts
from tests.conftest import NOW, PASSWORD, make_test_app


@pytest.fixture
def csrf_app(tmp_path):
    app = make_test_app("sqlite", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        accounts.create_user("victim", PASSWORD, now=NOW)
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
