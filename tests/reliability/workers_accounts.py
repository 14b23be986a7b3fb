"""Code run in separate processes by tests/reliability/test_account_races.py (importable for
spawn). Each child makes its own app on the test's database; `locked=False` is the negative
control (QUIZAPP_LOCKING False: no FOR UPDATE on PostgreSQL, pysqlite's autocommit reads on
SQLite). A short sleep after each read of the rows in question widens the window a racing
process can slip into; where the race is between racers of one kind (a reset link, the first
login), each racer also waits after its locked read for the others (`meet_after`), so that
without the locks they all read before any writes. Both are the same with and without the
protection."""

import time
from datetime import UTC, datetime

from sqlalchemy import event

from quizapp import create_app, unit_of_work
from quizapp.extensions import db
from quizapp.services import accounts, password_reset
from tests.reliability.processes import meet_after

WIDEN_SECONDS = 0.05


def child_app(uri: str, locked: bool):
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "test-secret",
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "QUIZAPP_LOCKING": locked,
                      "MAIL_SERVER": None, "REDIS_URL": None, "QUIZAPP_SOURCES_DIR": None,
                      "QUIZAPP_JOBS_IMMEDIATE": True})
    with app.app_context():
        @event.listens_for(db.engine, "after_cursor_execute")
        def _widen(_conn, _cursor, statement, _params, _context, _many):
            if statement.lstrip().upper().startswith("SELECT") and (
                    "FROM password_reset" in statement or 'FROM "user"' in statement
                    or "FROM user" in statement):
                time.sleep(WIDEN_SECONDS)
    return app


def redeem_reset(uri: str, token: str, password: str, locked: bool, barrier) -> int:
    """Set `password` through the reset link, as a browser does; the answer's status."""
    app = child_app(uri, locked)
    find, meeting = password_reset._find, meet_after(password_reset._find, barrier)
    password_reset._find = lambda token, lock=False: (meeting if lock else find)(token, lock)
    client = app.test_client()
    barrier.wait()
    status = client.post(f"/auth/reset/{token}",
                         data={"password": password, "confirm": password}).status_code
    with app.app_context():
        db.engine.dispose()
    return status


def log_in(uri: str, username: str, password: str, address: str, times: int, locked: bool,
           barrier) -> list[str]:
    """Log in `times` times from fresh browsers; where each successful login went."""
    app = child_app(uri, locked)
    accounts._lock_user = meet_after(accounts._lock_user, barrier)  # record_login's read
    barrier.wait()
    went = []
    for _ in range(times):
        response = app.test_client().post(
            "/auth/login", data={"username": username, "password": password},
            environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 302, response.status_code
        went.append(response.location)
    with app.app_context():
        db.engine.dispose()
    return went


def toggle_disabled(uri: str, user_id: int, times: int, locked: bool, barrier) -> int:
    """Disable then enable the account `times` times, as an admin does; how many of the
    disables changed it (the others found it disabled already)."""
    app = child_app(uri, locked)
    barrier.wait()
    disabled = 0
    with app.app_context():
        for n in range(times):
            for disable in (True, False):
                with unit_of_work.unit():
                    changed = accounts.set_disabled(user_id, disable,
                                                    datetime(2026, 3, 2, 9, n, tzinfo=UTC))
                disabled += changed and disable
        db.engine.dispose()
    return disabled


def log_in_and_refresh(uri: str, username: str, password: str, address: str, times: int,
                       barrier) -> tuple[list[int], list[str]]:
    """Log in and load a page, `times` times, while the account is switched on and off:
    the statuses seen, and the session cookies of the logins that were let in."""
    app = child_app(uri, True)
    barrier.wait()
    statuses, cookies = [], []
    for _ in range(times):
        client = app.test_client()
        response = client.post("/auth/login", data={"username": username,
                                                    "password": password},
                               environ_base={"REMOTE_ADDR": address})
        statuses.append(response.status_code)
        if response.status_code == 302:
            cookies.append(client.get_cookie("session").value)
            statuses.append(client.get("/auth/password").status_code)
    with app.app_context():
        db.engine.dispose()
    return statuses, cookies
