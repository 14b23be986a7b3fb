"""Flashcard work run in separate processes by the concurrency tests (importable for spawn).

Each function makes its own app on the test's database and runs every operation as one unit
of work, as a request would; `locked=False` is the negative control (no FOR UPDATE on
PostgreSQL, pysqlite's autocommit-first-select on SQLite)."""

from datetime import UTC, datetime, timedelta

from quizapp import create_app, unit_of_work
from quizapp.extensions import db
from quizapp.services import study
from quizapp.services.errors import ServiceError
from tests.reliability.processes import meet_after

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _app(uri: str, locked: bool = True):
    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x",
                       "QUIZAPP_LOCKING": locked})


def grade_card(uri: str, user_id: int, card_id: int, submission_ids: list[str],
               locked: bool = True) -> int:
    """Grade one card once per submission id (a tab or device); returns how many applied."""
    app = _app(uri, locked)
    applied = 0
    with app.app_context():
        for n, submission_id in enumerate(submission_ids):
            with unit_of_work.unit():
                result = study.answer_card(user_id, card_id, 3, START + timedelta(seconds=n),
                                           submission_id=submission_id)
            applied += result.applied
        db.engine.dispose()
    return applied


def undo(uri: str, user_id: int, submission_ids: list[str | None], locked: bool = True) -> int:
    """Undo once per submission id; returns how many undos were applied (refusals, such as
    nothing left to undo, count as not applied)."""
    app = _app(uri, locked)
    applied = 0
    with app.app_context():
        for submission_id in submission_ids:
            try:
                with unit_of_work.unit():
                    result = study.undo_last(user_id, START, submission_id=submission_id)
            except ServiceError:
                continue
            applied += result.applied
        db.engine.dispose()
    return applied


def meet_at_store(uri: str, locked: bool, barrier, results, role: str, user_id: int,
                  card_id: int) -> None:
    """One grade (role "grade") or one undo (role "undo") of the learner's newest review,
    where each racer, once it has read everything it writes from and set the card's new
    state in memory (`study._store`), waits for the other to have done the same
    (`meet_after`): without the locks both read before either writes, every time. Reports
    (role, "applied" | the refusal | "child failed: ...")."""
    study._store = meet_after(study._store, barrier)
    try:
        app = _app(uri, locked)
        with app.app_context():
            try:
                with unit_of_work.unit():
                    if role == "grade":
                        study.answer_card(user_id, card_id, 3, START)
                    else:
                        study.undo_last(user_id, START)
                outcome = "applied"
            except ServiceError as e:
                outcome = f"refused: {e}"
            db.engine.dispose()
    except Exception as e:  # noqa: BLE001 - the parent test reports it
        outcome = f"child failed: {e!r}"
    results.put((role, outcome))
