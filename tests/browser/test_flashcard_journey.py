"""A learner reviews five flashcards with the keyboard only, undoes one, and finishes."""

from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.models import Review
from tests.browser.test_quiz_journey import log_in


def test_keyboard_review_with_undo_until_done(app, page: Page, server_url: str, make_user,
                                              make_bank, make_question, shot, console_errors,
                                              axe):
    bank = make_bank(title="Five facts")
    for n in range(5):
        make_question(bank, "numeric", key=f"fact-{n}", tags=["venue"])
    make_user("ana")
    log_in(page, server_url, "ana", axe)
    page.get_by_role("link", name="Flashcards", exact=True).click()
    axe(page, "choose banks")
    page.get_by_role("button", name="Study this bank").click()
    expect(page.locator("[data-count=new]")).to_have_text("5")
    axe(page, "first card, front")
    shot("01-front")

    reviewed = 0
    undone = False
    while reviewed < 5:
        card_id = page.locator(".flashcard").get_attribute("data-card-id")
        page.keyboard.press("Space")
        expect(page.locator("#card-back")).to_be_visible()
        expect(page.locator("[data-interval='1']")).to_have_text("1m")
        axe(page, f"card {reviewed + 1}, answer shown")
        if reviewed == 0:
            shot("02-back")
        page.keyboard.press("4")
        reviewed += 1
        if reviewed < 5:
            expect(page.locator(".flashcard")).not_to_have_attribute("data-card-id", card_id)
            axe(page, f"card {reviewed + 1}, front")
        if reviewed == 3 and not undone:
            page.keyboard.press("u")
            expect(page.locator(".flashcard")).to_have_attribute("data-card-id", card_id)
            expect(page.locator("[data-count=new]")).to_have_text("3")
            axe(page, "after undo")
            shot("03-after-undo")
            undone = True
            reviewed -= 1
    expect(page.get_by_role("heading", name="You are done for today")).to_be_visible()
    axe(page, "done for today")
    shot("04-done")
    with app.app_context():
        assert db.session.query(Review).count() == 5
    assert console_errors == []


def test_review_works_without_javascript(app, server_url: str, make_user, make_bank,
                                        make_question, shot, axe):
    bank = make_bank(title="Two facts")
    for n in range(2):
        make_question(bank, "numeric", key=f"fact-{n}", tags=["venue"])
    make_user("noa")
    page = axe.no_js_page()
    log_in(page, server_url, "noa", axe)
    page.goto(server_url + "/study/banks")
    axe(page, "choose banks")
    page.get_by_role("button", name="Study this bank").click()
    for n in range(2):
        expect(page.get_by_role("button", name="Show answer")).to_be_visible()
        axe(page, f"card {n + 1}, front")
        page.get_by_role("button", name="Show answer").click()
        expect(page.locator("#card-back")).to_be_visible()
        axe(page, f"card {n + 1}, answer shown")
        page.get_by_role("button", name="Easy").click()
    expect(page.get_by_role("heading", name="You are done for today")).to_be_visible()
    axe(page, "done for today")
    shot("no-js-done", of=page)
