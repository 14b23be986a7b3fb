"""Accounts against hostile users: guessable passwords refused, current-password checks
throttled, the last administrator kept."""

import pytest

from quizapp.domain.passwords import verify_password
from quizapp.extensions import db
from quizapp.models import User
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
        db.session.commit()
    client = site.test_client()
    client.post("/auth/login", data={"username": "changer", "password": PASSWORD})
    response = client.post("/auth/password", data={
        "current": PASSWORD, "password": "Summer2024", "confirm": "Summer2024"})
    assert response.status_code == 400 and b"too easy to guess" in response.data


# --- current-password checks (a stolen session must not guess the password) -----------

REAUTH_POSTS = {
    "password": ("/auth/password", lambda guess: {"current": guess, "password": OTHER,
                                                   "confirm": OTHER}),
    "email": ("/auth/email", lambda guess: {"email-email": "new@example.org",
                                            "email-password": guess}),
    "delete": ("/progress/delete-account", lambda guess: {"confirm": "y", "password": guess}),
}
OTHER = "a different strong passphrase 42"


@pytest.mark.parametrize("check", sorted(REAUTH_POSTS))
def test_current_password_checks_are_throttled(tmp_path, check):
    app = make_test_app("sqlite", tmp_path, REAUTH_LIMITS=[(3, 900)])
    with app.app_context():
        db.create_all()
        user_id = accounts.create_user("holder", PASSWORD, now=NOW).id
        db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"username": "holder", "password": PASSWORD})
    path, body = REAUTH_POSTS[check]
    statuses = [client.post(path, data=body(f"guess number {n}")).status_code
                for n in range(3)]
    assert statuses == [400] * 3
    refused = client.post(path, data=body(PASSWORD))  # even the right one waits now
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    assert b"Too many password checks" in refused.data
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None and user.email is None
        assert verify_password(user.password_hash, PASSWORD)
        db.engine.dispose()


def test_a_right_current_password_is_given_back(tmp_path):
    app = make_test_app("sqlite", tmp_path, REAUTH_LIMITS=[(2, 900)])
    with app.app_context():
        db.create_all()
        accounts.create_user("holder", PASSWORD, now=NOW)
        db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"username": "holder", "password": PASSWORD})
    path, body = REAUTH_POSTS["email"]
    for _ in range(4):
        assert client.post(path, data=body(PASSWORD)).status_code == 302
    with app.app_context():
        db.engine.dispose()


# --- the FSRS optimiser (about a second of CPU a call) ---------------------------------

def test_the_optimise_endpoint_is_throttled(tmp_path):
    app = make_test_app("sqlite", tmp_path, OPTIMISE_LIMITS=[(2, 600)])
    with app.app_context():
        db.create_all()
        accounts.create_user("fitter", PASSWORD, now=NOW)
        db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"username": "fitter", "password": PASSWORD})
    statuses = [client.post("/study/settings/optimise").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    with app.app_context():
        db.engine.dispose()


# --- the last administrator ------------------------------------------------------------

def test_the_last_admin_cannot_be_demoted_disabled_or_deleted(site):
    with site.app_context():
        admin_id = accounts.create_user("boss", PASSWORD, role="admin", now=NOW).id
        db.session.commit()
    client = site.test_client()
    client.post("/auth/login", data={"username": "boss", "password": PASSWORD})
    demote = client.post(f"/admin/users/{admin_id}/role", data={f"u{admin_id}-role": "learner"})
    delete = client.post(f"/admin/users/{admin_id}/delete", data={"username": "boss"})
    own = client.post("/progress/delete-account", data={"confirm": "y", "password": PASSWORD})
    for response in (demote, delete, own):
        assert response.status_code == 400
        assert b"last administrator" in response.data
    with site.app_context():
        boss = db.session.get(User, admin_id)
        assert boss is not None and boss.is_admin and boss.is_active


# --- search: LIKE wildcards are literal -----------------------------------------------

@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_search_wildcards_are_literal(app, make_user, make_bank, make_question):
    owner = make_user("owner", role="instructor")
    bank = make_bank(owner=owner)
    make_question(bank, prompt="Exactly 50% of them?")
    make_question(bank, prompt="Plain words only")
    make_question(bank, prompt="snake_case names")
    client = app.test_client()
    client.post("/auth/login", data={"username": "owner", "password": PASSWORD})

    def found(text):
        page = client.get(f"/author/banks/{bank.id}/questions", query_string={"q": text})
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        return {p for p in ("Exactly 50%", "Plain words", "snake_case") if p in body}

    assert found("%") == {"Exactly 50%"}
    assert found("_") == {"snake_case"}
    assert found("e_c") == {"snake_case"}
    assert found("50%") == {"Exactly 50%"}
    make_user("a_b")
    make_user("axb")
    with app.app_context():
        assert [u.username for u in accounts.search_users("a_b", 1).items] == ["a_b"]
