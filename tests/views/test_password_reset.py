"""Password reset: a one-time, expiring link by mail (to a real local SMTP server) or from an
admin; only its hash is stored; the reset ends every other session."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from quizapp.domain.passwords import reset_token_hash
from quizapp.extensions import db
from quizapp.models import PasswordReset, User
from quizapp.models.types import utcnow
from quizapp.services import password_reset
from tests.conftest import PASSWORD
from tests.smtp import reset_link, smtp_server

NEW = "a fresh long passphrase"


@pytest.fixture
def outbox():
    with smtp_server() as box:
        yield box


@pytest.fixture
def app_config(outbox):
    """Mail goes to the test's own SMTP server."""
    return outbox.config


def with_email(app, make_user, name: str, address: str | None, role: str = "learner"):
    user = make_user(name, role=role)
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(email=address))
        db.session.commit()
    return user


def path_of(link: str) -> str:
    return link[link.index("/auth/reset/"):]


def test_the_login_page_offers_a_reset(client):
    assert b'href="/auth/forgot"' in client.get("/auth/login").data


def test_a_mailed_link_resets_once_and_ends_other_sessions(app, client, outbox, make_user):
    with_email(app, make_user, "bob", "bob@example.org")
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"username": "bob", "password": PASSWORD})
    assert elsewhere.get("/study/settings").status_code == 200

    response = client.post("/auth/forgot", data={"identifier": "BOB@example.org"})
    assert response.status_code == 302
    [mail] = outbox.wait_for(1)
    assert mail["To"] == "bob@example.org" and mail["From"] == "quizapp@example.org"
    link = reset_link(mail)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalar(select(PasswordReset))
        assert stored.token_hash == reset_token_hash(token) and token not in stored.token_hash
        assert timedelta(minutes=59) < stored.expires_at - stored.created_at <= timedelta(hours=1)

    page = client.get(path_of(link))
    assert page.status_code == 200 and b"bob" in page.data
    done = client.post(path_of(link), data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert client.get("/study/settings").status_code == 200  # this browser is logged in
    assert elsewhere.get("/study/settings").status_code == 302  # the other session ended
    assert app.test_client().post("/auth/login", data={"username": "bob", "password": NEW}
                                  ).status_code == 302

    again = app.test_client().get(path_of(link))
    assert again.status_code == 400 and b"already used" in again.data
    reuse = app.test_client().post(path_of(link), data={"password": "yet another phrase",
                                                          "confirm": "yet another phrase"})
    assert reuse.status_code == 400 and b"already used" in reuse.data


def test_the_answer_never_says_whether_an_account_exists(app, client, outbox, make_user):
    with_email(app, make_user, "bob", "bob@example.org")
    with_email(app, make_user, "nomail", None)
    answers = []
    for identifier in ("bob", "nobody", "nomail", "someone@example.org"):
        response = client.post("/auth/forgot", data={"identifier": identifier},
                               follow_redirects=True)
        page = re.sub(rb'(csrf-token" content|csrf_token" type="hidden" value)="[^"]*"', b"",
                      response.data)  # a token carries its time
        answers.append((response.status_code, page))
    assert len(set(answers)) == 1
    assert b"If that account exists" in answers[0][1]
    assert len(outbox.wait_for(1)) == 1


def test_an_expired_link_gets_a_clear_page(app, client, make_user):
    user = make_user("bob")
    with app.app_context():
        issued = password_reset.issue(user.id, utcnow() - timedelta(hours=2))
        db.session.commit()
    response = client.get(f"/auth/reset/{issued.token}")
    assert response.status_code == 400 and b"expired" in response.data
    assert client.post(f"/auth/reset/{issued.token}",
                       data={"password": NEW, "confirm": NEW}).status_code == 400
    assert client.post("/auth/login", data={"username": "bob", "password": NEW}
                       ).status_code == 400


def test_an_unknown_link_and_a_weak_password_are_refused(app, client, make_user):
    assert client.get("/auth/reset/not-a-real-token").status_code == 400
    user = make_user("bob")
    with app.app_context():
        issued = password_reset.issue(user.id, utcnow())
        db.session.commit()
    weak = client.post(f"/auth/reset/{issued.token}", data={"password": "short",
                                                             "confirm": "short"})
    assert weak.status_code == 400 and b"at least 8" in weak.data
    with app.app_context():
        assert db.session.scalar(select(PasswordReset.used_at)) is None


def test_a_new_link_replaces_the_earlier_one(app, make_user):
    user = make_user("bob")
    with app.app_context():
        first = password_reset.issue(user.id, utcnow())
        second = password_reset.issue(user.id, utcnow())
        db.session.commit()
        with pytest.raises(password_reset.InvalidLink):
            password_reset.check(first.token, utcnow())
        assert password_reset.check(second.token, utcnow()).username == "bob"


def test_without_mail_the_page_says_to_ask_an_admin(app, client, outbox, make_user):
    app.config["MAIL_SERVER"] = None
    with_email(app, make_user, "bob", "bob@example.org")
    assert b"Ask an administrator" in client.get("/auth/forgot").data
    response = client.post("/auth/forgot", data={"identifier": "bob"})
    assert response.status_code == 400 and b"Ask an administrator" in response.data
    assert outbox.messages == []


def test_an_admin_issues_a_link_to_pass_on(app, client, auth, make_user):
    make_user("ada", role="admin")
    bob = make_user("bob")
    auth.login("ada")
    page = client.post(f"/admin/users/{bob.id}/reset-link")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    link = re.search(r'id="reset-link"[^>]* value="([^"]+)"', page.data.decode()).group(1)
    assert "/auth/reset/" in link
    other = app.test_client()
    assert other.post(path_of(link), data={"password": NEW, "confirm": NEW}).status_code == 302
    assert other.get("/study/settings").status_code == 200


def test_a_user_sets_the_address_reset_links_go_to(app, client, auth, outbox, make_user):
    make_user("bob")
    auth.login("bob")
    assert b"Email address" in client.get("/auth/password").data
    wrong = client.post("/auth/email", data={"email-email": "bob@example.org",
                                             "email-password": "not my password"})
    assert wrong.status_code == 400 and b"password is not right" in wrong.data
    bad = client.post("/auth/email", data={"email-email": "bob at example",
                                           "email-password": PASSWORD})
    assert bad.status_code == 400 and b"ann@example.org" in bad.data
    assert client.post("/auth/email", data={"email-email": "bob@example.org",
                                            "email-password": PASSWORD}).status_code == 302
    assert b'value="bob@example.org"' in client.get("/auth/password").data
    app.test_client().post("/auth/forgot", data={"identifier": "bob"})
    [mail] = outbox.wait_for(1)
    assert mail["To"] == "bob@example.org"
    assert client.post("/auth/email", data={"email-email": "", "email-password": PASSWORD}
                       ).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.username == "bob")) is None


def test_reset_mails_are_throttled_per_account_and_per_address(app, client, outbox, make_user):
    """Nobody can flood a mailbox (3 an hour per account asked for) or mail every account
    from one address (10 an hour); the refusal says nothing about the account."""
    with_email(app, make_user, "bob", "bob@example.org")

    def ask(identifier: str, address: str = "10.0.0.1"):
        return client.post("/auth/forgot", data={"identifier": identifier},
                           environ_base={"REMOTE_ADDR": address})

    assert [ask("bob").status_code for _ in range(4)] == [302, 302, 302, 429]
    assert len(outbox.wait_for(3)) == 3
    refused = ask("bob", "10.0.0.2")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert [ask(f"someone{n}", "10.0.0.3").status_code for n in range(11)] == [302] * 10 + [429]
