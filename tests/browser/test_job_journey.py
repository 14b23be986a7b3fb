"""An instructor imports a large file: the dry run waits for a worker with its progress bar,
the page follows the job by itself once a worker (a real Huey consumer) takes it, then the
preview, the go-ahead, and the import job's result."""

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from tests.browser.test_quiz_journey import log_in
from tests.conftest import make_test_app
from tests.reliability.test_job_worker import consumer
from tests.views.test_jobs import NEW_QUESTION

pytestmark = pytest.mark.slow
WORKER_WAIT = 30_000  # ms the page may take to see a worker's result (not a timing check)


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:
    """Every upload counts as large, and jobs wait in a SQLite queue for a consumer."""
    app = make_test_app("sqlite", tmp_path, WTF_CSRF_ENABLED=True, QUIZAPP_JOBS_IMMEDIATE=False,
                        QUIZAPP_QUEUE_PATH=str(tmp_path / "queue.sqlite3"),
                        QUIZAPP_INLINE_IMPORT_BYTES=0)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_large_import_shows_its_progress_then_its_result(
        page: Page, app, server_url, make_user, make_bank, shot, console_errors, tmp_path, axe):
    teacher = make_user("teacher", role="instructor")
    bank = make_bank(slug="minsk-talks", title="Minsk talks", owner=teacher)
    log_in(page, server_url, "teacher", axe)
    page.goto(f"{server_url}/author/banks/{bank.id}/transfer")
    axe(page, "import and export")
    upload = tmp_path / "big.yaml"
    upload.write_text(NEW_QUESTION)
    page.get_by_label("File").set_input_files(str(upload))
    page.locator("form:has(input[type=file])").get_by_label("Format").select_option("yaml")
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="Import: dry run: big.yaml")).to_be_visible()
    bar = page.get_by_role("progressbar", name="Waiting for a worker")
    expect(bar).to_have_attribute("value", "0")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    axe(page, "dry run waiting for a worker")
    shot("01-queued")

    with consumer(app, tmp_path):
        plan = page.get_by_role("status").filter(has_text="What importing would do")
        expect(plan).to_contain_text("1 added", timeout=WORKER_WAIT)
        expect(page.get_by_role("progressbar", name="Done")).to_have_attribute("value", "100")
        axe(page, "dry run done")
        shot("02-dry-run-done")
    page.get_by_role("button", name="Import 1 question").click()  # no worker: it waits
    expect(page.get_by_role("heading", name="Import: big.yaml")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Waiting for a worker")).to_be_visible()
    axe(page, "import waiting for a worker")
    with consumer(app, tmp_path):
        expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=WORKER_WAIT)
        axe(page, "import done")
        shot("03-imported")
    page.get_by_role("link", name="See the questions").click()
    expect(page.get_by_role("cell", name="Which city hosted the talks?")).to_be_visible()
    axe(page, "questions after the import")
    assert console_errors == []


def test_optimise_my_schedule_is_a_job_with_its_outcome(
        page: Page, app, server_url, make_user, shot, console_errors, tmp_path, axe):
    """Too few reviews yet: the job page says so plainly, offers Retry and the way back."""
    make_user("newbie")
    log_in(page, server_url, "newbie", axe)
    page.get_by_role("link", name="Settings").click()
    axe(page, "study settings")
    page.get_by_role("button", name="Optimise my schedule").click()
    expect(page.get_by_role("heading", name="Optimise my schedule")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Waiting for a worker")).to_be_visible()
    axe(page, "optimise job waiting")
    with consumer(app, tmp_path):
        expect(page.get_by_role("alert")).to_contain_text("needs at least 400 reviews",
                                                         timeout=WORKER_WAIT)
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    axe(page, "optimise job failed")
    shot("04-optimise-failed")
    page.get_by_role("link", name="← Study settings").click()
    expect(page.get_by_role("heading", name="Optimise my schedule")).to_be_visible()
    axe(page, "back to settings")
    assert console_errors == []
