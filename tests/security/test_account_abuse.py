"""Accounts against hostile users: guessable passwords refused, current-password checks
throttled, the last administrator kept."""

import pytest

from quizapp.extensions import db
from quizapp.services import accounts
from tests.conftest import NOW, PASSWORD, make_test_app


@pytest.fixture
def site(tmp_path):
    app = make_test_app("sqlite", tmp_path)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("password", "advice"), [
    ("aaaaaaaa", "Repeats"),
    ("qwerty12", "common password"),
    ("P@ssw0rd", "similar to a commonly used password"),
    ("Summer2024", "Add another word"),
    ("sprayer12345", "Add another word"),  # the username itself, with digits
    ("quizapp123", "Add another word"),  # the app's name
])
def test_registration_refuses_guessable_passwords_with_advice(site, password, advice):
    response = site.test_client().post("/auth/register", data={
        "username": "sprayer", "password": password, "confirm": password})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "too easy to guess" in page and advice in page
    with site.app_context():
        assert accounts.find_user("sprayer") is None


def test_a_strong_passphrase_is_accepted(site):
    response = site.test_client().post("/auth/register", data={
        "username": "sprayer", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    with site.app_context():
        assert accounts.find_user("sprayer") is not None


def test_password_change_refuses_guessable_passwords(site):
    with site.app_context():
        accounts.create_user("changer", PASSWORD, now=NOW)
    client = site.test_client()
    client.post("/auth/login", data={"username": "changer", "password": PASSWORD})
    response = client.post("/auth/password", data={
        "current": PASSWORD, "password": "Summer2024", "confirm": "Summer2024"})
    assert response.status_code == 400 and b"too easy to guess" in response.data
