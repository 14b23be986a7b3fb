import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Role, User


def test_user_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["user", "create", "teacher", "--role", "instructor", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "teacher"))
        assert user.role == Role.INSTRUCTOR


def test_user_create_applies_the_same_rules_as_the_form(runner):
    result = runner.invoke(args=["user", "create", "x1y", "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    assert "at least 8" in result.output


def test_ensure_admin_creates_admin_once(app, runner, auth, monkeypatch):
    monkeypatch.delenv("QUIZAPP_ADMIN_PASSWORD", raising=False)
    first = runner.invoke(args=["user", "ensure-admin", "--url", "http://127.0.0.1:5000/"])
    box = first.output.strip().splitlines()
    assert box[0] == box[-1] and set(box[0]) == {"+", "-"}  # a box, and nothing after it
    assert all(line.startswith("|") and line.endswith("|") for line in box[1:-1])
    text = " ".join(line.strip("| ") for line in box)
    assert "http://127.0.0.1:5000/" in text and "Log in as:  admin" in text
    assert "account page" in text and "flask --app quizapp user set-password admin" in text
    password = re.search(r"Password:\s+(\S+)", text).group(1)
    assert auth.login("admin", password).status_code == 302
    second = runner.invoke(args=["user", "ensure-admin"])
    assert second.output.startswith("An administrator account exists already.")
    assert password not in second.output
    with app.app_context():
        admins = db.session.scalars(select(User).where(User.role == Role.ADMIN)).all()
        assert [a.username for a in admins] == ["admin"]


def test_ensure_admin_takes_the_password_from_the_environment(app, runner, auth, monkeypatch):
    monkeypatch.setenv("QUIZAPP_ADMIN_PASSWORD", "admin passphrase here")
    result = runner.invoke(args=["user", "ensure-admin"])
    assert result.exit_code == 0 and "admin passphrase" not in result.output
    assert "QUIZAPP_ADMIN_PASSWORD" in result.output
    assert auth.login("admin", "admin passphrase here").status_code == 302


def test_set_role(app, runner, make_user):
    make_user("dan")
    assert runner.invoke(args=["user", "set-role", "dan", "admin"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.username == "dan")) == Role.ADMIN


def test_set_role_refuses_to_demote_the_last_admin(app, runner, make_user):
    make_user("ada", role="admin")
    result = runner.invoke(args=["user", "set-role", "ada", "learner"])
    assert result.exit_code != 0 and "last administrator" in result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.username == "ada")) == Role.ADMIN


def test_set_password_ends_the_sessions(app, runner, auth, client, make_user):
    make_user("dan")
    auth.login("dan")
    result = runner.invoke(args=["user", "set-password", "dan", "--password-stdin"],
                           input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert client.get("/study/settings").status_code == 302  # the old session ended
    assert auth.login("dan", "a brand new passphrase").status_code == 302
    short = runner.invoke(args=["user", "set-password", "dan", "--password-stdin"],
                          input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output
