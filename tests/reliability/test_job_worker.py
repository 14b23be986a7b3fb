"""Jobs through a real Huey consumer on the SQLite queue: one runs an import to the end;
another is killed (SIGKILL) inside its apply transaction, leaving nothing half-applied, and
the job, shown as failed, is retried to the end by a fresh consumer."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db, job_queue
from quizapp.models import Bank, Job, PendingImport, Question, Role, User
from quizapp.models.types import utcnow
from quizapp.services import accounts, jobs, transfer, transfer_jobs
from quizapp.services.banks import load_paths
from tests.conftest import NOW, PASSWORD, make_test_app
from tests.views.test_jobs import NEW_QUESTION
from tests.views.test_transfer import BANKS

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60  # seconds a step may take before the test gives up (not a timing assertion)
LEASE = timedelta(minutes=15)


@pytest.fixture
def queued_app(tmp_path):
    """An app on SQLite whose jobs go to a SQLite queue file, for a separate consumer."""
    app = make_test_app("sqlite", tmp_path, QUIZAPP_JOBS_IMMEDIATE=False,
                        QUIZAPP_QUEUE_PATH=str(tmp_path / "queue.sqlite3"))
    with app.app_context():
        db.create_all()
        load_paths([BANKS / "minsk-talks.yaml"])
        accounts.create_user("owner", PASSWORD, role=Role.INSTRUCTOR, now=NOW)
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def start_job(app, kind: str) -> int:
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.username == "owner"))
        bank = db.session.scalar(select(Bank))
        pending = transfer_jobs.stash_upload(owner.id, bank, "yaml", "big.yaml",
                                             NEW_QUESTION.encode(), utcnow(), cap=5)
        if kind == jobs.IMPORT_APPLY:
            transfer.claim(owner.id, bank.id, pending.token, utcnow())
        job_id = jobs.start(owner.id, kind, {"pending_id": pending.id, "bank_id": bank.id},
                            utcnow()).id
        db.session.commit()
        job_queue.enqueue(job_id)
        return job_id


@contextmanager
def consumer(app, tmp_path, *extra: str, module: str = "huey.bin.huey_consumer"):
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
           "QUIZAPP_QUEUE_PATH": app.config["QUIZAPP_QUEUE_PATH"], "QUIZAPP_SOURCES_DIR": ""}
    env.pop("REDIS_URL", None)
    log = open(tmp_path / f"consumer-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", module, "quizapp.worker.huey", "-w", "1", "-d", "0.1", *extra],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def wait_for(check, what: str, process=None):
    deadline = time.monotonic() + DEADLINE
    while not check():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the consumer exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {DEADLINE} s")
        time.sleep(0.1)


def job_row(app, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def question_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Question))


def test_a_consumer_runs_a_dry_run_and_an_apply(queued_app, tmp_path):
    app = queued_app
    before = question_count(app)
    preview, apply = start_job(app, jobs.IMPORT_PREVIEW), start_job(app, jobs.IMPORT_APPLY)
    assert job_row(app, preview).state == "queued"
    with consumer(app, tmp_path) as process:
        wait_for(lambda: job_row(app, apply).state == "done", "finished apply", process)
        wait_for(lambda: job_row(app, preview).state == "done", "finished dry run", process)
    assert job_row(app, preview).result["added"] == 1
    assert job_row(app, apply).result["added"] == 1
    assert question_count(app) == before + 1


def test_a_worker_killed_mid_apply_leaves_nothing_and_the_job_can_be_retried(queued_app,
                                                                            tmp_path):
    app = queued_app
    before = question_count(app)
    job_id = start_job(app, jobs.IMPORT_APPLY)
    marker = tmp_path / "stalled"
    with consumer(app, tmp_path, str(marker), module="tests.reliability.job_worker") as process:
        wait_for(marker.exists, "stall inside the apply", process)
        process.send_signal(signal.SIGKILL)
        process.wait()

    job = job_row(app, job_id)
    assert job.state == "running"  # as the dead worker left it...
    status = jobs.status(job, utcnow(), LEASE)
    assert status.state == "failed" and "stopped before it finished" in status.error  # ...seen
    assert question_count(app) == before  # nothing half-applied
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 1
        jobs.retry(job_id, utcnow(), LEASE)
        db.session.commit()
        job_queue.enqueue(job_id)

    with consumer(app, tmp_path) as process:
        wait_for(lambda: job_row(app, job_id).state == "done", "retried apply", process)
    job = job_row(app, job_id)
    assert job.attempts == 2 and job.result["added"] == 1
    assert question_count(app) == before + 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0
