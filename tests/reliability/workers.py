"""Code run in separate processes by the concurrency tests (importable for spawn)."""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import accounts, study


def increment(uri: str, user_id: int, times: int, locked: bool, via_service: bool) -> int:
    """Read-then-write `times` increments of one row; returns how many committed."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x", "QUIZAPP_LOCKING": locked})
    done = 0
    with app.app_context():
        for _ in range(times):
            if via_service:
                accounts.end_sessions(user_id)
            else:
                query = select(User.session_version).where(User.id == user_id)
                if locked:
                    query = query.with_for_update()
                current = db.session.scalar(query)
                time.sleep(0.002)  # widen the window another process can slip into
                db.session.execute(
                    update(User).where(User.id == user_id).values(session_version=current + 1)
                )
                db.session.commit()
            done += 1
        db.engine.dispose()
    return done


def grade_card(uri: str, user_id: int, card_id: int, submission_ids: list[str]) -> int:
    """Grade one card once per submission id (a tab or device); returns how many applied."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x"})
    applied = 0
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with app.app_context():
        for n, submission_id in enumerate(submission_ids):
            result = study.answer_card(user_id, card_id, 3, start + timedelta(seconds=n),
                                       submission_id=submission_id)
            applied += result.applied
        db.engine.dispose()
    return applied
