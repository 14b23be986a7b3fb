"""Admins list and search users, change roles, disable and enable, and delete accounts; the
last administrator is kept."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Card, Role, User
from quizapp.models.types import utcnow
from quizapp.services import study
from tests.conftest import PASSWORD


@pytest.fixture
def admin(make_user, auth):
    user = make_user("ada", role="admin")
    auth.login("ada")
    return user


def test_users_are_listed_searched_and_paginated(client, admin, make_user):
    for n in range(30):
        make_user(f"learner{n:02d}")
    make_user("Zed_Smith")
    first = client.get("/admin/users").data.decode()
    assert "32 accounts" in first and "learner00" in first and "Page 1 of 2" in first
    assert "Zed_Smith" not in first
    second = client.get("/admin/users?page=2").data.decode()
    assert "Zed_Smith" in second and "learner00" not in second
    found = client.get("/admin/users?q=SMITH").data.decode()
    assert "1 account " in found and "Zed_Smith" in found and "learner01" not in found
    assert "0 accounts" in client.get("/admin/users?q=%25").data.decode()  # % is literal
    assert "1 account " in client.get("/admin/users?q=d_s").data.decode()  # so is _


@pytest.mark.parametrize("query", ["page=0", "page=x", "page=99999999999", "q=" + "a" * 300])
def test_bad_search_input_is_a_400_with_a_message(client, admin, query):
    response = client.get(f"/admin/users?{query}")
    assert response.status_code == 400 and b"page number" in response.data


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(app, client, admin, make_user):
    bob = make_user("bob")
    bobs = app.test_client()
    bobs.post("/auth/login", data={"username": "bob", "password": PASSWORD})
    assert bobs.get("/study/settings").status_code == 200

    assert client.post(f"/admin/users/{bob.id}/disable").status_code == 302
    assert bobs.get("/study/settings").status_code == 302  # logged out
    refused = app.test_client().post("/auth/login", data={"username": "bob",
                                                          "password": PASSWORD})
    assert refused.status_code == 400 and b"disabled" in refused.data
    assert b"Disabled" in client.get("/admin/users").data

    assert client.post(f"/admin/users/{bob.id}/enable").status_code == 302
    assert bobs.get("/study/settings").status_code == 302  # an old session stays ended
    assert app.test_client().post("/auth/login", data={"username": "bob",
                                                       "password": PASSWORD}
                                  ).status_code == 302


def test_a_disabled_account_gets_no_reset_link(app, client, admin, make_user):
    bob = make_user("bob")
    client.post(f"/admin/users/{bob.id}/disable")
    response = client.post(f"/admin/users/{bob.id}/reset-link")
    assert response.status_code == 400 and b"enable the account first" in response.data


def test_roles_change_from_the_users_page(app, client, admin, make_user):
    bob = make_user("bob")
    response = client.post(f"/admin/users/{bob.id}/role", data={f"u{bob.id}-role": "instructor"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, bob.id).role == Role.INSTRUCTOR


def test_the_last_admin_is_not_demoted_disabled_or_deleted(app, client, admin, make_user):
    for path, data in ((f"/admin/users/{admin.id}/role", {f"u{admin.id}-role": "learner"}),
                       (f"/admin/users/{admin.id}/disable", {}),
                       (f"/admin/users/{admin.id}/delete", {"username": "ada"})):
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert b"last administrator" in response.data, path
    with app.app_context():
        user = db.session.get(User, admin.id)
        assert user.role == Role.ADMIN and user.is_active
    # With a second admin, the first may step down.
    make_user("alma", role="admin")
    assert client.post(f"/admin/users/{admin.id}/role",
                       data={f"u{admin.id}-role": "learner"}).status_code == 302


def test_the_last_admin_cannot_delete_their_own_account_either(client, admin):
    response = client.post("/progress/delete-account", data={"confirm": "y",
                                                             "password": PASSWORD})
    assert response.status_code == 400 and b"last administrator" in response.data


def test_delete_asks_for_the_username_then_removes_the_data(app, client, admin, make_user,
                                                            make_question):
    bob = make_user("bob")
    question = make_question()
    with app.app_context():
        study.enrol(bob.id, question.bank_id, [], utcnow() - timedelta(days=1))
        db.session.commit()  # services flush; the caller commits
        assert db.session.scalar(select(func.count()).select_from(Card)
                                 .where(Card.user_id == bob.id)) == 1
    page = client.get(f"/admin/users/{bob.id}/delete")
    assert page.status_code == 200 and b"cards: 1" in page.data
    wrong = client.post(f"/admin/users/{bob.id}/delete", data={"username": "bobby"})
    assert wrong.status_code == 400 and b"Type bob to confirm" in wrong.data
    assert client.post(f"/admin/users/{bob.id}/delete", data={"username": "BOB"}
                       ).status_code == 302
    with app.app_context():
        assert db.session.get(User, bob.id) is None
        assert db.session.scalar(select(func.count()).select_from(Card)) == 0
    assert client.get(f"/admin/users/{bob.id}/delete").status_code == 404


def test_learners_and_instructors_cannot_manage_users(app, client, auth, make_user):
    bob = make_user("bob")
    make_user("ivy", role="instructor")
    auth.login("ivy")
    for path in (f"/admin/users/{bob.id}/disable", f"/admin/users/{bob.id}/delete"):
        response = client.post(path, data={"username": "bob"})
        assert response.status_code == 403
        assert b"administrators" in response.data
    with app.app_context():
        assert db.session.get(User, bob.id).is_active
