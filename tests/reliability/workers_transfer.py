"""Code run in separate processes by tests/reliability/test_transfer_races.py (importable
for spawn). Each worker waits at a barrier so that both start the race together, and
reports what it was told ("applied"/"refused: ..." or whether it ran the job).

`safe=False` is the negative control: the single-use check done as a read, then a write
(both processes read before either writes), in an app without the write lock
(QUIZAPP_LOCKING False: no FOR UPDATE on PostgreSQL, pysqlite's autocommit-first-select
on SQLite)."""

from datetime import UTC, datetime

from sqlalchemy import select, update

from quizapp import create_app, unit_of_work
from quizapp.extensions import db
from quizapp.models import Job, PendingImport
from quizapp.models.job import QUEUED, RUNNING
from quizapp.services import jobs, transfer
from quizapp.services.errors import NotFound

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _app(uri: str, safe: bool):
    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x",
                       "QUIZAPP_SOURCES_DIR": None, "QUIZAPP_LOCKING": safe})


def apply_token(uri: str, user_id: int, bank_id: int, token: str, start, read, results,
                safe: bool) -> None:
    """Confirm a dry run, as the apply page does (one unit of work)."""
    app = _app(uri, safe)
    with app.app_context():
        if not safe:
            def racy_claim(user_id: int, bank_id: int, token: str, now: datetime):
                pending = db.session.scalar(select(PendingImport).where(
                    PendingImport.token == token, PendingImport.claimed_at.is_(None)))
                if pending is None:
                    raise NotFound(transfer.EXPIRED)
                read.wait()  # both read it unclaimed
                db.session.execute(update(PendingImport).where(PendingImport.id == pending.id)
                                   .values(claimed_at=now))
                return pending
            transfer.claim = racy_claim
        start.wait()
        try:
            with unit_of_work.unit():
                plan = transfer.apply_pending(user_id, bank_id, token, NOW)
            results.put(f"applied {len(plan.added)}")
        except NotFound as e:
            results.put(f"refused: {e}")
        db.engine.dispose()


def run_job(uri: str, job_id: int, start, read, results, safe: bool) -> None:
    """A worker given the job's id (both workers got the same delivery)."""
    app = _app(uri, safe)
    with app.app_context():
        if not safe:
            def racy_take(job_id: int) -> bool:
                with unit_of_work.unit():
                    state = db.session.scalar(select(Job.state).where(Job.id == job_id))
                    read.wait()  # both read it queued
                    if state != QUEUED:
                        return False
                    db.session.execute(update(Job).where(Job.id == job_id).values(
                        state=RUNNING, attempts=Job.attempts + 1, started_at=NOW))
                return True
            jobs._take = racy_take
        start.wait()
        results.put(jobs.run(job_id))
        db.engine.dispose()
