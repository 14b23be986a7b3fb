import pytest
from sqlalchemy import select

from quizapp import unit_of_work
from quizapp.auth import mail
from quizapp.domain import passwords
from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.models.types import utcnow
from quizapp.services import accounts, password_reset
from tests.conftest import PASSWORD


def test_register_logs_in_as_learner(client, app):
    response = client.post(
        "/auth/register",
        data={"username": "ann", "password": PASSWORD, "confirm": PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert b"Hello, ann" in response.data
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "ann"))
        assert user.role == Role.LEARNER
        assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "ann", "password": "short", "confirm": "short"}, b"at least 8"),
        ({"username": "a", "password": PASSWORD, "confirm": PASSWORD}, b"3-64 letters"),
        ({"username": "ann", "password": PASSWORD, "confirm": "other thing"}, b"differ"),
        ({"username": "ann", "password": "password123", "confirm": "password123"}, b"common"),
        ({}, b"This field is required"),
    ],
)
def test_register_rejects_bad_input_with_400(app, client, data, message):
    response = client.post("/auth/register", data=data)
    assert response.status_code == 400
    assert message in response.data
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None


def test_usernames_are_unique_ignoring_case(client, make_user):
    make_user("Ann")
    response = client.post(
        "/auth/register", data={"username": "aNN", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 400
    assert b"taken" in response.data


def test_login_and_logout(client, auth, make_user):
    make_user("bob")
    assert auth.login("bob").status_code == 302
    assert b"Hello, bob" in client.get("/").data
    auth.logout()
    assert b"Hello, bob" not in client.get("/").data


def test_login_with_wrong_password_is_refused(client, auth, make_user):
    make_user("bob")
    response = auth.login("bob", "not the password")
    assert response.status_code == 400
    assert b"Wrong username or password" in response.data
    assert auth.login("nobody", PASSWORD).status_code == 400


def test_login_redirects_only_within_the_site(client, make_user):
    make_user("bob")
    data = {"username": "bob", "password": PASSWORD}
    assert client.post("/auth/login?next=/admin/users", data=data).location == "/admin/users"
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client.post("/auth/logout")
        response = client.post(f"/auth/login?next={target}", data=data)
        assert response.location == "/"


def test_logout_ends_the_session_cookie_everywhere(app, make_user):
    make_user("bob")
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/auth/login", data={"username": "bob", "password": PASSWORD})
    first.post("/auth/logout")
    assert b"Hello, bob" not in second.get("/").data


def test_password_change_ends_other_sessions(app, make_user):
    make_user("bob")
    mine, other = app.test_client(), app.test_client()
    for c in (mine, other):
        c.post("/auth/login", data={"username": "bob", "password": PASSWORD})
    new = "another long passphrase"
    response = mine.post(
        "/auth/password", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert b"Hello, bob" in mine.get("/").data
    assert b"Hello, bob" not in other.get("/").data
    other.post("/auth/login", data={"username": "bob", "password": new})
    assert b"Hello, bob" in other.get("/").data


def test_password_change_needs_the_current_password(client, auth, make_user):
    make_user("bob")
    auth.login("bob")
    new = "another long passphrase"
    response = client.post(
        "/auth/password", data={"current": "wrong one!", "password": new, "confirm": new}
    )
    assert response.status_code == 400
    assert b"current password is not right" in response.data


@pytest.mark.parametrize(
    ("role", "path", "expected"),
    [
        (None, "/admin/users", 302),
        ("learner", "/admin/users", 403),
        ("instructor", "/admin/users", 403),
        ("admin", "/admin/users", 200),
        (None, "/auth/password", 302),
        ("learner", "/auth/password", 200),
        (None, "/sources/trafficking", 302),
        ("learner", "/sources/trafficking", 404),
        (None, "/", 200),
        ("learner", "/", 200),
    ],
)
def test_access_rules(client, auth, make_user, role, path, expected):
    if role:
        make_user("someone", role=role)
        auth.login("someone")
    response = client.get(path)
    assert response.status_code == expected
    if expected == 302:
        assert response.location.startswith("/auth/login")


def test_admin_changes_a_role(app, client, auth, make_user):
    make_user("root", role="admin")
    learner = make_user("carol")
    auth.login("root")
    form = {f"u{learner.id}-role": "instructor"}
    response = client.post(f"/admin/users/{learner.id}/role", data=form)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, learner.id).role == Role.INSTRUCTOR
    bad = client.post(f"/admin/users/{learner.id}/role", data={f"u{learner.id}-role": "emperor"})
    assert bad.status_code == 400
    assert client.post("/admin/users/99999/role", data={}).status_code == 404


# --- argon2 never runs inside a write transaction -----------------------------------------

class HasherSpy:
    """Wraps the app's argon2 hasher and notes, at each hash or verify, whether the
    database session had declared a write (unit_of_work.writing)."""

    def __init__(self, hasher):
        self.hasher = hasher
        self.calls: list[tuple[str, bool]] = []

    def hash(self, password):
        self.calls.append(("hash", unit_of_work.writing()))
        return self.hasher.hash(password)

    def verify(self, password_hash, password):
        self.calls.append(("verify", unit_of_work.writing()))
        return self.hasher.verify(password_hash, password)

    def assert_outside_writes(self, *kinds: str) -> None:
        assert {kind for kind, _ in self.calls} >= set(kinds), self.calls
        assert [call for call in self.calls if call[1]] == [], self.calls
        self.calls.clear()


@pytest.fixture
def hasher(monkeypatch) -> HasherSpy:
    spy = HasherSpy(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", spy)
    return spy


def test_the_spy_notices_a_hash_inside_a_write(app, hasher):
    """The tests below can fail: a hash after write() is seen."""
    with app.test_request_context(), unit_of_work.unit():
        unit_of_work.write()
        passwords.hash_password(PASSWORD)
    assert hasher.calls == [("hash", True)]


def test_registration_hashes_before_its_write(app, client, hasher):
    response = client.post("/auth/register", data={"username": "ann", "password": PASSWORD,
                                                   "confirm": PASSWORD})
    assert response.status_code == 302
    hasher.assert_outside_writes("hash")


def test_login_verifies_before_its_write(app, client, make_user, hasher):
    make_user("bob")
    hasher.calls.clear()
    assert client.post("/auth/login", data={"username": "bob", "password": PASSWORD}
                       ).status_code == 302
    hasher.assert_outside_writes("verify")
    assert client.post("/auth/login", data={"username": "nobody", "password": PASSWORD}
                       ).status_code == 400
    hasher.assert_outside_writes("hash")


def test_a_password_change_verifies_and_hashes_before_its_write(app, client, auth, make_user,
                                                                hasher):
    make_user("bob")
    auth.login("bob")
    hasher.calls.clear()
    new = "another long passphrase"
    assert client.post("/auth/password", data={"current": PASSWORD, "password": new,
                                               "confirm": new}).status_code == 302
    hasher.assert_outside_writes("verify", "hash")
    assert client.post("/auth/email", data={"email-email": "bob@example.org",
                                            "email-password": new}).status_code == 302
    hasher.assert_outside_writes("verify")


def test_a_password_reset_hashes_before_its_write(app, client, make_user, hasher):
    user = make_user("bob")
    with app.app_context(), unit_of_work.unit():
        token = password_reset.issue(user.id, utcnow()).token
    hasher.calls.clear()
    new = "a fresh long passphrase"
    assert client.post(f"/auth/reset/{token}", data={"password": new, "confirm": new}
                       ).status_code == 302
    hasher.assert_outside_writes("hash")


def test_set_password_hashes_before_its_write(app, make_user, hasher):
    """The service behind `flask user set-password`."""
    user = make_user("bob")
    hasher.calls.clear()
    with app.app_context(), unit_of_work.unit():
        accounts.set_password(user.id, "a brand new passphrase")
    hasher.assert_outside_writes("hash")
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
        assert passwords.verify_password(stored, "a brand new passphrase")


def test_account_deletion_verifies_before_its_write(app, client, auth, make_user, hasher):
    make_user("bob")
    auth.login("bob")
    hasher.calls.clear()
    assert client.post("/progress/delete-account", data={"confirm": "y", "password": PASSWORD}
                       ).status_code == 302
    hasher.assert_outside_writes("verify")
    with app.app_context():
        assert accounts.find_user("bob") is None


def test_a_name_registered_a_moment_ago_is_refused_beside_the_field(app, client, make_user,
                                                                   monkeypatch):
    """Two registrations of one name at once: the one whose check came too early is refused
    by the unique index at its flush (a SAVEPOINT), with the form's message, not a 500."""
    make_user("Ann")
    monkeypatch.setattr(accounts, "find_user", lambda username: None)  # the check raced
    response = client.post("/auth/register", data={"username": "aNN", "password": PASSWORD,
                                                   "confirm": PASSWORD})
    assert response.status_code == 400 and b"taken" in response.data
    with app.app_context():
        assert db.session.scalars(select(User.username)).all() == ["Ann"]


def test_a_savepoint_inside_a_unit_keeps_the_write_going(app):
    """Two accounts created in one unit of work (each insert in a SAVEPOINT): both kept."""
    with app.app_context(), unit_of_work.unit():
        accounts.create_user("first", PASSWORD, now=utcnow())
        accounts.create_user("second", PASSWORD, now=utcnow())
    with app.app_context():
        assert sorted(db.session.scalars(select(User.username))) == ["first", "second"]


def test_no_reset_mail_leaves_when_the_request_fails(app, make_user, monkeypatch):
    """The mail goes after the commit: a request that answers an error sends none."""
    sent = []
    monkeypatch.setattr(mail, "send_reset_link", lambda *args: sent.append(args) or True)
    app.config["MAIL_SERVER"] = "127.0.0.1"
    user = make_user("bob")
    with app.app_context():
        db.session.get(User, user.id).email = "bob@example.org"
        db.session.commit()
    ok = app.test_client().post("/auth/forgot", data={"identifier": "bob"})
    assert ok.status_code == 302 and len(sent) == 1

    def fail(*args, **kwargs):
        raise RuntimeError("the page could not be completed")

    monkeypatch.setattr("quizapp.auth.views.flash", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failed = app.test_client().post("/auth/forgot", data={"identifier": "bob"})
    assert failed.status_code == 500 and len(sent) == 1
