"""In Chromium, on a desktop and a phone: the reviewer's keys leave links and buttons alone,
its page-load message goes once reviewing starts, type-in shows what differs, and a timed
test that runs out opens the results."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Card, QuizAttempt
from quizapp.models.types import utcnow
from quizapp.services import accounts, quizzes
from tests.browser.test_quiz_journey import log_in


@pytest.fixture
def facts(make_bank, make_question):
    bank = make_bank(title="Four facts")
    for n in range(4):
        make_question(bank, "numeric", key=f"fact-{n}", tags=["venue"])
    return bank


def start_studying(page: Page, server_url: str, axe) -> None:
    page.goto(server_url + "/study/banks")
    axe(page, "banks")
    page.get_by_role("button", name="Study this bank").click()
    expect(page.get_by_text("Saved. Your cards are ready.")).to_be_visible()
    axe(page, "flashcards")


def test_enter_and_space_on_links_and_buttons_activate_them(app, page: Page, server_url,
                                                            viewport, make_user, facts, shot,
                                                            console_errors, axe):
    make_user("kai")
    log_in(page, server_url, "kai", axe)
    start_studying(page, server_url, axe)
    back = page.locator("#card-back")
    status = page.locator("#reviewer-status")

    page.get_by_role("button", name="Bury until tomorrow").focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Card buried until tomorrow.")
    expect(back).to_be_hidden()
    page.get_by_role("button", name="Suspend").focus()
    page.keyboard.press("Space")
    expect(status).to_contain_text("Card suspended.")
    expect(back).to_be_hidden()
    with app.app_context():
        cards = db.session.query(Card).all()
        assert sum(c.suspended for c in cards) == 1
        assert sum(c.buried_until is not None for c in cards) == 1
    axe(page, "after bury and suspend")
    shot(f"keys-{viewport}-after-bury-and-suspend")

    page.locator("main").focus()
    page.keyboard.press("Space")  # away from any control, Space still shows the answer
    expect(back).to_be_visible()
    axe(page, "answer shown")

    page.get_by_role("link", name="Skip to content").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(server_url + "/study/#main")
    axe(page, "skipped to content")
    page.get_by_role("link", name="Progress", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(server_url + "/progress/")
    axe(page, "progress")
    assert console_errors == []


def test_the_saved_message_goes_once_reviewing_starts(page: Page, server_url, viewport,
                                                      make_user, facts, shot, console_errors,
                                                      axe):
    make_user("ren")
    log_in(page, server_url, "ren", axe)
    start_studying(page, server_url, axe)
    card_id = page.locator(".flashcard").get_attribute("data-card-id")
    page.keyboard.press("Space")
    page.keyboard.press("3")
    expect(page.locator(".flashcard")).not_to_have_attribute("data-card-id", card_id)
    expect(page.get_by_text("Saved. Your cards are ready.")).to_have_count(0)
    axe(page, "next card")
    shot(f"saved-message-{viewport}-gone")
    assert console_errors == []


def test_type_in_shows_what_differs_from_the_answer(app, page: Page, server_url, viewport,
                                                    make_user, facts, shot, console_errors,
                                                    axe):
    user = make_user("tia")
    with app.app_context():
        accounts.update_settings(user.id, {"type_in": True})
        db.session.commit()
    log_in(page, server_url, "tia", axe)
    start_studying(page, server_url, axe)
    page.get_by_label("Type your answer").fill("5036")
    page.keyboard.press("Enter")
    box = page.locator("#suggestion")
    expect(box).to_contain_text("we suggest Again")
    expect(box.locator(".diff-typed")).to_have_text("503[wrong: 6]")
    expect(box.locator(".diff-expected")).to_have_text("50[missing: 6]3")
    expect(box.locator(".diff-typed del")).to_have_text("[wrong: 6]")
    expect(box.locator(".diff-expected ins")).to_have_text("[missing: 6]")
    axe(page, "type-in difference")
    shot(f"type-in-{viewport}-diff")
    assert console_errors == []


def _timed_attempt(app, username_id: int, bank, seconds_left: int) -> int:
    with app.app_context(), unit_of_work.unit():
        attempt = quizzes.start_attempt(
            username_id, bank_ids=[bank.id], tags=[], types=[], count=2, mode="test",
            time_limit_s=60, now=utcnow() - timedelta(seconds=60 - seconds_left))
        return attempt.id


@pytest.mark.parametrize("answered", [False, True], ids=["blank", "answered"])
def test_a_timed_test_that_runs_out_opens_the_results(app, page: Page, server_url, viewport,
                                                      make_user, facts, shot, console_errors,
                                                      answered, axe):
    user = make_user("max")
    log_in(page, server_url, "max", axe)
    attempt_id = _timed_attempt(app, user.id, facts, seconds_left=8)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{server_url}/quiz/{attempt_id}/q/0")
    expect(page.locator(".timer")).to_contain_text("Time left")
    axe(page, "timed question")  # well within the eight seconds left
    if answered:
        page.get_by_label("Your answer (victims)").fill("5063")
    expect(page.get_by_role("heading", name="Your results")).to_be_visible(timeout=25_000)
    expect(page.get_by_text("Time is up. Here are your results.")).to_be_visible()
    axe(page, "results after the time ran out")
    assert posts == [f"{server_url}/quiz/{attempt_id}/q/0"]
    shot(f"timer-{viewport}-{'answered' if answered else 'blank'}-results")
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.finished_at is not None
        assert len(attempt.answers) == (1 if answered else 0)
    assert console_errors == []
