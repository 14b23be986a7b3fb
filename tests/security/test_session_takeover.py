"""No cookie outlives its account: ids are never reused, and cookies carry a random token.

Before: SQLite gave a deleted account's id to the next account, and the cookies carried only
"id:version", so a kept cookie of a deleted account opened whoever registered next."""

import sqlite3

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import accounts, my_data
from tests.conftest import NOW, PASSWORD

OTHER = "a different strong passphrase 42"


def _cookies(client) -> dict[str, str]:
    return {c.key: c.value for c in client._cookies.values()}


def _whoami(app, cookies: dict[str, str]) -> int:
    """The status of /progress/ with only these cookies (200 logged in, 302 to login)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client.get("/progress/").status_code


def _login(app, username: str, password: str = PASSWORD):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": username, "password": password,
                                                "remember": "y"})
    assert response.status_code == 302
    return client


def test_a_deleted_accounts_cookies_open_nothing_of_the_next_account(app):
    with app.app_context():
        accounts.create_user("keeper", PASSWORD, now=NOW)
        old_id = accounts.create_user("leaver", PASSWORD, now=NOW).id
        db.session.commit()
    client = _login(app, "leaver")
    session_only = {k: v for k, v in _cookies(client).items() if k == "session"}
    remember_only = {k: v for k, v in _cookies(client).items() if k == "remember_token"}
    assert session_only and remember_only
    assert _whoami(app, session_only) == 200 and _whoami(app, remember_only) == 200

    with app.app_context():
        my_data.delete_account(old_id, PASSWORD)
        new = accounts.create_user("newcomer", PASSWORD, role="instructor", now=NOW)
        db.session.commit()
        assert new.id != old_id  # never given again
    assert _whoami(app, session_only) == 302
    assert _whoami(app, remember_only) == 302
    assert _whoami(app, {**session_only, **remember_only}) == 302


@pytest.mark.parametrize("action", ["logout", "password", "disable"])
def test_ending_sessions_rotates_the_token(app, action):
    with app.app_context():
        user_id = accounts.create_user("rotor", PASSWORD, now=NOW).id
        accounts.create_user("admin2", PASSWORD, role="admin", now=NOW)
        db.session.commit()
    kept = _cookies(_login(app, "rotor"))
    other = _login(app, "rotor")
    if action == "logout":
        other.post("/auth/logout")
    elif action == "password":
        assert other.post("/auth/password", data={"current": PASSWORD, "password": OTHER,
                                                  "confirm": OTHER}).status_code == 302
    else:
        with app.app_context():
            accounts.set_disabled(user_id, True, NOW)
            db.session.commit()
            accounts.set_disabled(user_id, False, NOW)
            db.session.commit()
    assert _whoami(app, {"session": kept["session"]}) == 302
    assert _whoami(app, {"remember_token": kept["remember_token"]}) == 302


def test_the_migration_keeps_every_row_and_stops_reusing_ids(tmp_path):
    """0009 on a SQLite database holding data: users, their cards' owners, reset links and
    the case-insensitive username index all survive the table copy; ids are not reused."""
    path = tmp_path / "old.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0008")
        db.engine.dispose()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA foreign_keys=ON")
    for n in (1, 2, 3):
        raw.execute("INSERT INTO user (id, username, password_hash, role, created_at, settings,"
                    " session_version) VALUES (?, ?, 'x', 'learner', '2026-01-01', '{}', 1)",
                    (n, f"u{n}"))
    raw.execute("INSERT INTO bank (id, slug, title, description, owner_id, archived, "
                "created_at) VALUES (1, 'b', 'B', '', 3, 0, '2026-01-01')")
    raw.execute("INSERT INTO password_reset (user_id, token_hash, created_at, expires_at) "
                "VALUES (2, 'h', '2026-01-01', '2026-01-02')")
    raw.commit()
    raw.close()

    with app.app_context():
        upgrade()
        rows = db.session.execute(select(User.id, User.username, User.session_token)
                                  .order_by(User.id)).all()
        assert [(r.id, r.username) for r in rows] == [(1, "u1"), (2, "u2"), (3, "u3")]
        assert len({r.session_token for r in rows}) == 3
        db.engine.dispose()
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT owner_id FROM bank").fetchall() == [(3,)]
    assert raw.execute("SELECT user_id FROM password_reset").fetchall() == [(2,)]
    assert raw.execute("PRAGMA foreign_keys").fetchone() == (0,)  # a fresh connection
    indexes = {r[1] for r in raw.execute("PRAGMA index_list('user')")}
    assert "uq_user_username_lower" in indexes
    assert "AUTOINCREMENT" in raw.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'user'").fetchone()[0]
    for table in ("bank", "card", "password_reset", "quiz_attempt", "enrolment"):
        assert "user" in {r[2] for r in raw.execute(f"PRAGMA foreign_key_list('{table}')")}
    raw.execute("PRAGMA foreign_keys=ON")
    raw.execute("DELETE FROM password_reset")
    raw.execute("UPDATE bank SET owner_id = NULL")
    raw.execute("DELETE FROM user WHERE id = 3")
    raw.execute("INSERT INTO user (username, password_hash, role, created_at, settings, "
                "session_version, session_token) VALUES ('u4', 'x', 'learner', '2026-01-01', "
                "'{}', 1, 't4')")
    assert raw.execute("SELECT id FROM user WHERE username = 'u4'").fetchone() == (4,)
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("INSERT INTO user (username, password_hash, role, created_at, settings, "
                    "session_version, session_token) VALUES ('U1', 'x', 'learner', "
                    "'2026-01-01', '{}', 1, 't5')")
    raw.close()
