"""Login throttling without Redis: failed attempts counted in the database, which every
gunicorn worker shares (an in-process counter would not be)."""

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from quizapp.extensions import db
from quizapp.models import LoginFailure

MAX_FAILURES = 5
WINDOW = timedelta(minutes=1)


def login_key(username: str, address: str | None) -> str:
    return f"{username.strip().lower()[:100]}|{address or '-'}"


def retry_after(key: str, now: datetime) -> int | None:
    """Seconds to wait if `key` already failed MAX_FAILURES times in the window, else None."""
    since = now - WINDOW
    count, oldest = db.session.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.failed_at))
        .where(LoginFailure.key == key, LoginFailure.failed_at > since)).one()
    if count < MAX_FAILURES:
        return None
    if oldest.tzinfo is None:  # SQLite hands aggregates back without the column's type
        oldest = datetime.fromisoformat(str(oldest)).replace(tzinfo=now.tzinfo)
    return max(1, math.ceil((oldest + WINDOW - now).total_seconds()))


def record_failure(key: str, now: datetime) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - WINDOW))
    db.session.add(LoginFailure(key=key, failed_at=now))
    db.session.commit()


def clear(key: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == key))
    db.session.commit()
