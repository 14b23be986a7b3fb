import pytest

from tests.conftest import make_test_app


def test_home_says_what_the_app_is(client):
    page = client.get("/").data.decode()
    assert "Minsk" in page and "trafficking" in page
    assert 'href="#main"' in page  # skip link


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Traceback" not in response.data
    assert b"Back to the home page" in response.data


def test_headers_on_every_response(client):
    for path in ("/", "/auth/login", "/nope"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]


@pytest.mark.parametrize("database", ["sqlite"])
def test_post_without_csrf_token_is_a_400(database, tmp_path):
    app = make_test_app(database, tmp_path, WTF_CSRF_ENABLED=True)
    from quizapp.extensions import db

    with app.app_context():
        db.create_all()
        response = app.test_client().post("/auth/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    assert b"security token" in response.data


def test_server_error_page_rolls_back_and_hides_the_traceback(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"secret detail" not in response.data
    assert b"Something went wrong" in response.data


def test_ids_too_large_for_any_database_are_404(client, auth, make_user):
    make_user("big")
    auth.login("big")
    for path in ("/quiz/9223372036854775808", "/progress/class/99999999999999999999"):
        assert client.get(path).status_code == 404, path


def test_a_refusal_names_the_roles_the_page_is_for(client, auth, make_user):
    make_user("ivy", role="instructor")
    auth.login("ivy")
    admin_only = client.get("/admin/users")
    assert admin_only.status_code == 403
    assert "This page is for administrators." in admin_only.data.decode()
    assert "instructors" not in admin_only.data.decode()
    auth.logout()
    make_user("lee")
    auth.login("lee")
    authoring = client.get("/author/")
    assert authoring.status_code == 403
    assert "This page is for instructors and administrators." in authoring.data.decode()
