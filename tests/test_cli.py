import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
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


def test_check_sources_reports_a_banks_habits(runner, tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "demo.md").write_text(
        "# Demo\n\n[1] Poroshenko phoned Lukashenka on 29 July about hosting the talks.\n",
        encoding="utf-8")
    questions = "".join(f"""
  - key: caller-{i}
    type: single_choice
    prompt: Who phoned about hosting the talks?
    options:
      - {{text: "Poroshenko", correct: true}}
      - {{text: "Zurabov"}}
    explanation: The call came from Poroshenko.
    source: [demo#1]
    tags: [venue]
""" for i in range(2))
    bank = tmp_path / "demo.yaml"
    bank.write_text("bank:\n  slug: demo\n  title: Demo\n  article: demo\nquestions:"
                    + questions, encoding="utf-8")
    result = runner.invoke(args=["bank", "check-sources", "--articles", str(articles),
                                 str(bank)])
    assert result.exit_code == 1
    assert "(bank): the right option comes first in 2 of 2 single-choice questions" in (
        result.output)
    assert "2 questions checked, 2 problem(s)" in result.output  # and the longest option


def _modules_after_create_app(tmp_path, **env) -> set[str]:
    code = ("import sys; from quizapp import create_app; create_app(); "
            "print(' '.join(m for m in ('alembic', 'flask_migrate') if m in sys.modules))")
    environ = {k: v for k, v in os.environ.items() if k != "FLASK_RUN_FROM_CLI"}
    environ.update(DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}", SECRET_KEY="x" * 32, **env)
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, check=True)
    return set(done.stdout.split())


@pytest.mark.slow
def test_a_web_worker_goes_without_alembic_and_the_command_line_migrates(tmp_path):
    """Alembic is for `flask db`; an app made outside the flask command (gunicorn's
    workers) does not load it (about 11 MB of each worker's memory)."""
    assert _modules_after_create_app(tmp_path) == set()
    assert _modules_after_create_app(tmp_path, FLASK_RUN_FROM_CLI="true") == {
        "alembic", "flask_migrate"}
    flask = Path(sys.executable).with_name("flask")
    environ = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
               "SECRET_KEY": "x" * 32}
    subprocess.run([str(flask), "--app", "quizapp", "db", "upgrade"], env=environ,
                   capture_output=True, timeout=120, check=True, cwd=tmp_path)
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()
