"""Staff see a getting-started page at their first login; it stays under Help."""

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize("role", ["admin", "instructor"])
def test_staff_see_getting_started_at_their_first_login_only(client, auth, make_user, role):
    make_user("sam", role=role)
    assert auth.login("sam").location == "/start"
    page = client.get("/start").data.decode()
    assert "getting started" in page and "QUIZAPP_SOURCES_DIR=../shared/articles make run" in page
    assert 'href="/author/banks/new"' in page and 'href="/start"' in page  # and in the nav
    assert ("admin/users" in page) == (role == "admin")
    auth.logout()
    assert auth.login("sam").location == "/"


def test_a_learner_goes_home_and_is_refused_the_page(client, auth, make_user):
    make_user("lea")
    assert auth.login("lea").location == "/"
    assert client.get("/start").status_code == 403


def test_a_first_login_with_a_destination_goes_there(client, make_user):
    make_user("sam", role="instructor")
    response = client.post("/auth/login?next=/author/",
                           data={"username": "sam", "password": PASSWORD})
    assert response.location == "/author/"
