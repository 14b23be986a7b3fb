"""The dashboard draws its charts in Chromium, and shows its tables without JavaScript."""

from playwright.sync_api import Page, expect

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import quizzes, study
from tests.browser.test_quiz_journey import log_in
from tests.conftest import NOW


def seed(app, make_user, make_bank, make_question):
    bank = make_bank(title="Charted bank")
    for n in range(3):
        make_question(bank, "numeric", key=f"c{n}", tags=["venue"])
    learner = make_user("cory")
    with app.app_context(), unit_of_work.unit():
        study.enrol(learner.id, bank.id, [], NOW)
        card = study.queue(db.session.get(User, learner.id), NOW).card
        study.answer_card(learner.id, card.id, 4, NOW, submission_id="chart-rev-1")
        attempt = quizzes.start_attempt(learner.id, bank_ids=[bank.id], tags=[], types=[],
                                        count=1, mode="test", now=NOW, seed=3)
        quizzes.submit_answer(learner.id, attempt.id, 0, "5063", NOW)


def test_dashboard_draws_charts(app, page: Page, server_url, make_user, make_bank,
                                make_question, shot, console_errors, axe):
    seed(app, make_user, make_bank, make_question)
    log_in(page, server_url, "cory", axe)
    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    # charts.js folds the tables before it draws: once folded, the script has run
    expect(page.locator("details[data-chart-table]").first).not_to_have_attribute("open", "")
    for kind in ("bar", "line"):
        canvas = page.locator(f"canvas[data-chart={kind}]")
        expect(canvas).to_be_visible()
        assert page.evaluate("k => !!Chart.getChart(document.querySelector("
                             "`canvas[data-chart=${k}]`))", kind)
    expect(page.locator("details[data-chart-table]").first).not_to_have_attribute("open", "")
    axe(page, "dashboard with charts")
    shot("dashboard")
    assert console_errors == []


def test_dashboard_tables_without_javascript(app, server_url, make_user, make_bank,
                                            make_question, shot, axe):
    seed(app, make_user, make_bank, make_question)
    page = axe.no_js_page()
    log_in(page, server_url, "cory", axe)
    page.goto(server_url + "/progress/")
    table = page.get_by_role("table", name="Cards due per day")
    expect(table).to_be_visible()
    expect(page.get_by_role("table", name="Quiz scores")).to_be_visible()
    expect(page.get_by_role("row", name="Charted bank")).to_be_visible()
    axe(page, "dashboard without JavaScript")
    shot("dashboard-no-js", of=page)
