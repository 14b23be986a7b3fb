"""Code run in separate processes by the concurrency tests (importable for spawn)."""

import time

from sqlalchemy import select, update

from quizapp import create_app, unit_of_work
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import accounts


def increment(uri: str, user_id: int, times: int, locked: bool, via_service: bool) -> int:
    """Read-then-write `times` increments of one row; returns how many committed."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x", "QUIZAPP_LOCKING": locked})
    done = 0
    with app.app_context():
        for _ in range(times):
            if via_service:
                with unit_of_work.unit():
                    accounts.end_sessions(user_id)
            else:
                query = select(User.session_version).where(User.id == user_id)
                if locked:  # as a service does: BEGIN IMMEDIATE on SQLite, a row lock on PG
                    unit_of_work.write()
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

