"""Background jobs: started by a request or the CLI, run by a worker, watched from a page.

`start` adds the row (the caller commits, then enqueues its id); `run` is what a worker
does with an id, as one unit of work; `status` tells a dead worker's job from a slow one;
`retry` queues a failed job again. Progress is committed as it goes, beside the job's unit of
work, so the page sees it from another session and a killed worker leaves nothing applied.
"""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Job
from quizapp.models.job import DONE, FAILED, QUEUED, RUNNING
from quizapp.models.types import utcnow
from quizapp.services import optimisation, transfer_jobs
from quizapp.services.errors import Conflict, NotFound, ServiceError

log = logging.getLogger(__name__)

IMPORT_PREVIEW, IMPORT_APPLY, EXPORT, OPTIMISE = (
    "import_preview", "import_apply", "export", "optimise")
LABELS = {IMPORT_PREVIEW: "Import: dry run", IMPORT_APPLY: "Import", EXPORT: "Export",
          OPTIMISE: "Optimise my schedule"}
WORKER_GONE = ("The worker running this job stopped before it finished; nothing was "
               "written. Retry it.")


KEEP_FINISHED = timedelta(days=7)  # then a finished job (and an export's file) is purged


def start(user_id: int, kind: str, params: dict[str, Any], now: datetime) -> Job:
    unit_of_work.write()
    db.session.execute(delete(Job).where(Job.finished_at < now - KEEP_FINISHED))
    job = Job(user_id=user_id, kind=kind, state=QUEUED, progress=0, message="Waiting for a worker",
              params=params, attempts=0, created_at=now)
    db.session.add(job)
    db.session.flush()
    return job


def export_for_user(job_id: int, user_id: int) -> Job:
    """The user's finished export, its file loaded."""
    job = get_for_user(job_id, user_id)
    if job.kind != EXPORT or job.state != DONE:
        raise NotFound("No such export.")
    return job


def get_for_user(job_id: int, user_id: int) -> Job:
    """The user's own job; another user's is as missing as one that does not exist."""
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != user_id:
        raise NotFound("No such job.")
    return job


@dataclass(frozen=True)
class Status:
    state: str
    progress: int
    message: str
    error: str | None

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state, "progress": self.progress, "message": self.message,
                "error": self.error, "finished": self.finished}


def _worker_alive(job: Job, now: datetime, lease: timedelta) -> bool:
    host, _, pid = (job.worker or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return job.started_at is None or now - job.started_at < lease


def status(job: Job, now: datetime, lease: timedelta) -> Status:
    """The job as a user should see it: a running job whose worker is gone has failed."""
    if job.state == RUNNING and not _worker_alive(job, now, lease):
        return Status(FAILED, job.progress, "Stopped", WORKER_GONE)
    return Status(job.state, job.progress, job.message, job.error)


def retry(job_id: int, now: datetime, lease: timedelta) -> Job:
    """Queue a failed job again (its row locked and read fresh: two clicks queue it once)."""
    unit_of_work.write()
    job = db.session.scalar(select(Job).where(Job.id == job_id).with_for_update())
    if job is None:
        raise NotFound("No such job.")
    if status(job, now, lease).state != FAILED:
        raise Conflict("Only a failed job can be retried.")
    job.state, job.progress, job.message, job.error = QUEUED, 0, "Waiting for a worker", None
    job.worker = job.started_at = job.finished_at = None
    db.session.flush()
    return job


def _fresh(job_id: int) -> Job:
    return db.session.scalar(select(Job).where(Job.id == job_id)
                             .execution_options(populate_existing=True))


def _take(job_id: int) -> bool:
    """Mark the job running in one conditional UPDATE, committed at once: delivered twice (two
    clicks on Retry, two workers), it is taken once."""
    with unit_of_work.unit():
        unit_of_work.write()
        taken = db.session.execute(update(Job).where(Job.id == job_id, Job.state == QUEUED)
                                   .values(state=RUNNING, started_at=utcnow(),
                                           attempts=Job.attempts + 1,
                                           worker=f"{socket.gethostname()}:{os.getpid()}"[:128]))
    return taken.rowcount == 1


def _reporter(job_id: int) -> Callable[[int, str], None]:
    """Progress, committed at once on a connection of its own, so the page sees it and the
    job's own unit of work stays whole. Reported only before the job's write (on SQLite a
    second writer would wait for the first, held by this very process)."""
    def report(progress: int, message: str) -> None:
        if unit_of_work.writing():
            return
        with db.engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == job_id)
                               .values(progress=progress, message=message[:200]))
    return report


def _work(job: Job, report: Callable[[int, str], None]) -> dict[str, Any]:
    if job.kind == IMPORT_PREVIEW:
        return transfer_jobs.run_preview(job, utcnow(), report)
    if job.kind == IMPORT_APPLY:
        return transfer_jobs.run_apply(job, utcnow(), report)
    if job.kind == EXPORT:
        return transfer_jobs.run_export(job, report)
    if job.kind == OPTIMISE:
        def fraction(done: float) -> None:
            report(5 + round(done * 90), "Fitting your parameters")
        return {"summary": optimisation.optimise_user(job.user_id, fraction).summary()}
    raise ServiceError(f"Unknown kind of job {job.kind!r}.")


def run(job_id: int) -> bool:
    """Run one job to its end (done or failed); False if it was not there to take.

    The job's work and its "done" are one unit of work: committed together, or (a failure, a
    killed worker) not at all. Progress is committed beside it (`_reporter`)."""
    if not _take(job_id):
        return False  # deleted, or already taken by another worker
    kind = db.session.scalar(select(Job.kind).where(Job.id == job_id))
    try:
        with unit_of_work.unit():
            job = _fresh(job_id)
            result = _work(job, _reporter(job_id))
            unit_of_work.write()
            job = _fresh(job_id)
            job.state, job.progress, job.message = DONE, 100, "Done"
            job.result, job.finished_at = result, utcnow()
    except Exception as e:
        if not isinstance(e, ServiceError):
            log.exception("job %s (%s) failed", job_id, kind)
        with unit_of_work.unit():
            unit_of_work.write()
            job = _fresh(job_id)
            job.state, job.finished_at = FAILED, utcnow()
            job.message = "Failed"
            job.error = str(e) if isinstance(e, ServiceError) else (
                "Something went wrong; nothing was written. Retry it, or tell an administrator.")
    return True
