"""Large imports and "optimise my schedule" as background jobs (Huey in immediate mode here):
the job page and its JSON, single-use tokens, capped uploads, failure and retry."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from quizapp.extensions import db
from quizapp.models import Bank, Job, PendingImport, User
from quizapp.models.types import utcnow
from quizapp.services import jobs, transfer
from tests.services.test_optimisation import seed_history
from tests.views import test_transfer
from tests.views.test_transfer import counts, upload

bank = test_transfer.bank  # the fixture: the minsk-talks bank, owned by "owner"

NEW_QUESTION = """\
bank: {slug: minsk-talks, title: Minsk talks}
questions:
  - key: job-import-1
    type: short_answer
    prompt: Which city hosted the talks?
    answers: [Minsk]
    explanation: The talks were held in Minsk.
    source: ["minsk-talks#1"]
    tags: [venue]
"""


@pytest.fixture
def large(app):
    """Every upload counts as large: it goes through the job path."""
    app.config["QUIZAPP_INLINE_IMPORT_BYTES"] = 0
    return app


def job_id(response) -> int:
    assert response.status_code == 302, response.data[:500]
    match = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def import_button_token(page: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_a_large_import_is_a_dry_run_job_then_an_apply_job(large, client, auth, bank):
    app = large
    auth.login("owner")
    before = counts(app)
    preview = job_id(upload(client, bank, NEW_QUESTION.encode(), "yaml", "big.yaml"))
    assert counts(app) == before  # the dry run writes no question
    page = client.get(f"/jobs/{preview}").data.decode()
    assert "What importing would do" in page and "1 added" in page and "job-import-1" in page
    assert '<progress id="job-progress" max="100" value="100"' in page
    assert client.get(f"/jobs/{preview}.json").json == {
        "state": "done", "progress": 100, "message": "Done", "error": None, "finished": True}
    token = import_button_token(page)

    applied = job_id(client.post(f"/author/banks/{bank}/transfer/apply", data={"token": token}))
    page = client.get(f"/jobs/{applied}").data.decode()
    assert "Imported" in page and "1 added" in page
    assert counts(app)[0] == before[0] + 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_the_job_page_polls_without_inline_script_and_refreshes_without_js(
        large, client, auth, bank, app):
    auth.login("owner")
    job = job_id(upload(client, bank, NEW_QUESTION.encode(), "yaml", "big.yaml"))
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == job).values(state="queued", progress=0))
        db.session.commit()
    response = client.get(f"/jobs/{job}")
    page = response.data.decode()
    assert response.headers["Cache-Control"] == "no-store"
    assert '<noscript><meta http-equiv="refresh"' in page and ">Refresh</a>" in page
    assert 'src="/static/js/job.js"' in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert client.get(f"/jobs/{job}.json").json["finished"] is False


def test_an_apply_token_is_single_use(large, client, auth, bank):
    auth.login("owner")
    page = client.get(f"/jobs/{job_id(upload(client, bank, NEW_QUESTION.encode(), 'yaml'))}")
    token = import_button_token(page.data.decode())
    first = client.post(f"/author/banks/{bank}/transfer/apply", data={"token": token})
    assert first.status_code == 302
    again = client.post(f"/author/banks/{bank}/transfer/apply", data={"token": token})
    assert again.status_code == 404
    assert "expired or was already imported" in again.data.decode()


def test_an_apply_token_is_bound_to_its_user_and_expires(large, client, auth, bank, make_user):
    app = large
    make_user("other", role="instructor")
    auth.login("owner")
    page = client.get(f"/jobs/{job_id(upload(client, bank, NEW_QUESTION.encode(), 'yaml'))}")
    token = import_button_token(page.data.decode())
    auth.logout()
    auth.login("other")
    with app.app_context():  # the other instructor may edit the bank, not use the upload
        the_bank = db.session.get(Bank, bank)
        the_bank.editors.append(db.session.scalar(select(User).where(User.username == "other")))
        db.session.commit()
    stolen = client.post(f"/author/banks/{bank}/transfer/apply", data={"token": token})
    assert stolen.status_code == 404
    auth.logout()
    auth.login("owner")
    with app.app_context():
        db.session.execute(update(PendingImport).values(
            created_at=utcnow() - transfer.PENDING_TTL - timedelta(minutes=1)))
        db.session.commit()
    before = counts(app)
    late = client.post(f"/author/banks/{bank}/transfer/apply", data={"token": token})
    assert late.status_code == 404
    assert counts(app) == before


def test_pending_uploads_are_capped_per_user(large, client, auth, bank):
    app = large
    app.config["QUIZAPP_PENDING_UPLOADS_PER_USER"] = 3
    auth.login("owner")
    started = [job_id(upload(client, bank, NEW_QUESTION.encode(), "yaml")) for _ in range(6)]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 3
    # the newest upload's preview still applies; the oldest one's is gone
    newest = import_button_token(client.get(f"/jobs/{started[-1]}").data.decode())
    oldest = import_button_token(client.get(f"/jobs/{started[0]}").data.decode())
    assert client.post(f"/author/banks/{bank}/transfer/apply",
                       data={"token": oldest}).status_code == 404
    assert client.post(f"/author/banks/{bank}/transfer/apply",
                       data={"token": newest}).status_code == 302


def test_small_uploads_are_capped_too(client, auth, bank, app):
    app.config["QUIZAPP_PENDING_UPLOADS_PER_USER"] = 2
    auth.login("owner")
    for _ in range(4):
        assert upload(client, bank, NEW_QUESTION.encode(), "yaml").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 2


def test_a_bad_large_file_fails_its_job_with_the_reason(large, client, auth, bank):
    auth.login("owner")
    job = job_id(upload(client, bank, b"bank: [unclosed\n", "yaml", "bad.yaml"))
    page = client.get(f"/jobs/{job}").data.decode()
    assert "<strong>failed</strong>" in page and 'role="alert"' in page
    assert client.get(f"/jobs/{job}.json").json["state"] == "failed"


def test_a_large_file_over_the_limit_is_refused_before_any_job(large, client, auth, bank):
    app = large
    auth.login("owner")
    response = upload(client, bank, b"a" * (2 * 1024 * 1024 + 1), "yaml")
    assert response.status_code == 400 and "larger than 2 MB" in response.data.decode()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_failed_apply_writes_nothing_and_can_be_retried(large, client, auth, bank,
                                                         monkeypatch):
    app = large
    auth.login("owner")
    page = client.get(f"/jobs/{job_id(upload(client, bank, NEW_QUESTION.encode(), 'yaml'))}")
    token = import_button_token(page.data.decode())
    before = counts(app)
    real_apply = transfer.apply

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(transfer, "apply", broken)
    job = job_id(client.post(f"/author/banks/{bank}/transfer/apply", data={"token": token}))
    page = client.get(f"/jobs/{job}").data.decode()
    assert "<strong>failed</strong>" in page and "nothing was written" in page
    assert "the disk is full" not in page  # no internals shown
    assert ">Retry</button>" in page
    assert counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 1

    monkeypatch.setattr(transfer, "apply", real_apply)
    assert job_id(client.post(f"/jobs/{job}/retry")) == job
    page = client.get(f"/jobs/{job}").data.decode()
    assert "<strong>done</strong>" in page and "(attempt 2)" in page
    assert counts(app)[0] == before[0] + 1
    assert client.post(f"/jobs/{job}/retry").status_code == 409  # done: nothing to retry


def test_a_job_is_only_its_owners(large, client, auth, bank, make_user):
    make_user("nosy", role="instructor")
    auth.login("owner")
    job = job_id(upload(client, bank, NEW_QUESTION.encode(), "yaml"))
    auth.logout()
    auth.login("nosy")
    assert client.get(f"/jobs/{job}").status_code == 404
    assert client.get(f"/jobs/{job}.json").status_code == 404
    assert client.post(f"/jobs/{job}/retry").status_code == 404
    assert client.get("/jobs/999999").status_code == 404


def test_fsrs_optimize_all_queues_a_job_per_learner(app, runner, make_user):
    learner = make_user("fitted")
    seed_history(app, learner.id)
    result = runner.invoke(args=["fsrs", "optimize", "--all"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 jobs" in result.output
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert (job.user_id, job.kind, job.state) == (learner.id, "optimise", "done")
        assert "RMSE" in job.result["summary"]


def test_a_large_bank_is_exported_by_a_job_then_downloaded(app, client, auth, bank):
    app.config["QUIZAPP_INLINE_EXPORT_QUESTIONS"] = 1
    auth.login("owner")
    page = client.get(f"/author/banks/{bank}/transfer").data.decode()
    assert "Prepare the download" in page and 'method="post"' in page
    job = job_id(client.post(f"/author/banks/{bank}/export", data={"format": "yaml"}))
    page = client.get(f"/jobs/{job}").data.decode()
    assert "<strong>done</strong>" in page and "Download minsk-talks.yaml" in page
    download = client.get(f"/jobs/{job}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "no-store"
    assert download.data == client.get(f"/author/banks/{bank}/export?format=yaml").data
    assert client.post(f"/author/banks/{bank}/export", data={"format": "nope"}).status_code == 400


def test_only_a_finished_export_has_a_download(large, client, auth, bank):
    auth.login("owner")
    job = job_id(upload(client, bank, NEW_QUESTION.encode(), "yaml"))
    assert client.get(f"/jobs/{job}/download").status_code == 404


def test_a_job_queued_twice_runs_once(large, client, auth, bank, app):
    auth.login("owner")
    job = job_id(upload(client, bank, NEW_QUESTION.encode(), "yaml"))
    with app.app_context():
        jobs.run(job)  # a second delivery of the same id: already done, left alone
        row = db.session.get(Job, job)
        assert (row.state, row.attempts) == ("done", 1)


def test_finished_jobs_are_purged_after_a_week(app, client, auth, bank):
    app.config["QUIZAPP_INLINE_EXPORT_QUESTIONS"] = 1
    auth.login("owner")
    old = job_id(client.post(f"/author/banks/{bank}/export", data={"format": "yaml"}))
    with app.app_context():
        db.session.execute(update(Job).where(Job.id == old).values(
            finished_at=utcnow() - jobs.KEEP_FINISHED - timedelta(minutes=1)))
        db.session.commit()
    new = job_id(client.post(f"/author/banks/{bank}/export", data={"format": "yaml"}))
    with app.app_context():
        assert list(db.session.scalars(select(Job.id))) == [new]
