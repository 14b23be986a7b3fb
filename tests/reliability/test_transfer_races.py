"""Two processes at once on one single-use thing: a dry-run token confirmed twice imports
once (the other is told the upload was already imported), and a job delivered to two
workers runs once. Each has a negative control that shows the test would see the bug."""

import multiprocessing

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Job, PendingImport, Question, QuestionRevision
from quizapp.services import jobs, transfer
from tests.reliability import workers_transfer
from tests.reliability.workers_transfer import NOW
from tests.views.test_jobs import NEW_QUESTION

pytestmark = pytest.mark.slow
WORKERS = 2
WAIT = 120  # seconds before a stuck child fails the test (not a timing assertion)


@pytest.fixture
def bank(app, make_user, make_bank):
    owner = make_user("owner", role="instructor")
    return owner.id, make_bank(slug="minsk-talks", owner=owner).id


def race(app, target, *args, safe: bool) -> list:
    """Run `target` in WORKERS processes started together; what each reported."""
    ctx = multiprocessing.get_context("spawn")
    start, read, results = ctx.Barrier(WORKERS), ctx.Barrier(WORKERS), ctx.Queue()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    processes = [ctx.Process(target=target, args=(uri, *args, start, read, results, safe))
                 for _ in range(WORKERS)]
    for process in processes:
        process.start()
    out = [results.get(timeout=WAIT) for _ in processes]
    for process in processes:
        process.join(WAIT)
        assert process.exitcode == 0
    return out


def staged(app, user_id: int, bank_id: int, *, claimed: bool = False) -> PendingImport:
    with app.app_context():
        pending = transfer.keep_upload(user_id, bank_id, "yaml", "one.yaml",
                                       NEW_QUESTION.encode(), NOW, cap=5)
        if claimed:
            transfer.claim(user_id, bank_id, pending.token, NOW)
        db.session.commit()
        db.session.refresh(pending)
        db.session.expunge(pending)
        return pending


def imported(app) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Question)),
                db.session.scalar(select(func.count()).select_from(QuestionRevision)),
                db.session.scalar(select(func.count()).select_from(PendingImport)))


def confirm_twice(app, bank, *, safe: bool) -> list[str]:
    user_id, bank_id = bank
    token = staged(app, user_id, bank_id).token
    return sorted(race(app, workers_transfer.apply_token, user_id, bank_id, token, safe=safe))


def test_a_token_confirmed_twice_at_once_imports_once(app, bank):
    said = confirm_twice(app, bank, safe=True)
    assert said == ["applied 1", f"refused: {transfer.EXPIRED}"]
    assert imported(app) == (1, 1, 0)


def test_negative_control_a_racy_claim_accepts_the_token_twice(app, bank):
    said = confirm_twice(app, bank, safe=False)
    assert not any(s.startswith("refused") for s in said), said  # both told "imported"


def deliver_twice(app, bank, *, safe: bool) -> tuple[list[bool], Job]:
    user_id, bank_id = bank
    pending = staged(app, user_id, bank_id, claimed=True)
    with app.app_context():
        job_id = jobs.start(user_id, jobs.IMPORT_APPLY, {"pending_id": pending.id,
                                                         "bank_id": bank_id}, NOW).id
        db.session.commit()
    ran = race(app, workers_transfer.run_job, job_id, safe=safe)
    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
    return ran, job


def test_a_job_delivered_to_two_workers_runs_once(app, bank):
    ran, job = deliver_twice(app, bank, safe=True)
    assert sorted(ran) == [False, True]
    assert (job.state, job.attempts, job.result["added"]) == ("done", 1, 1)
    assert imported(app) == (1, 1, 0)


def test_negative_control_a_racy_take_runs_the_job_twice(app, bank):
    ran, job = deliver_twice(app, bank, safe=False)
    assert ran == [True, True] and job.attempts == 2
