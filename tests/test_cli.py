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


def test_ensure_admin_creates_admin_once(app, runner, monkeypatch):
    monkeypatch.delenv("QUIZAPP_ADMIN_PASSWORD", raising=False)
    first = runner.invoke(args=["user", "ensure-admin"])
    assert "admin / " in first.output
    second = runner.invoke(args=["user", "ensure-admin"])
    assert second.output == ""
    with app.app_context():
        admins = db.session.scalars(select(User).where(User.role == Role.ADMIN)).all()
        assert [a.username for a in admins] == ["admin"]


def test_ensure_admin_takes_the_password_from_the_environment(app, runner, auth, monkeypatch):
    monkeypatch.setenv("QUIZAPP_ADMIN_PASSWORD", "admin passphrase here")
    result = runner.invoke(args=["user", "ensure-admin"])
    assert result.exit_code == 0 and "admin /" not in result.output
    assert auth.login("admin", "admin passphrase here").status_code == 302


def test_set_role(app, runner, make_user):
    make_user("dan")
    assert runner.invoke(args=["user", "set-role", "dan", "admin"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.username == "dan")) == Role.ADMIN
