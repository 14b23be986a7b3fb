"""An instructor gives an option half the marks and a feedback; a learner picks it and sees
the partial score and that feedback."""

from playwright.sync_api import Page, expect

from tests.browser.test_quiz_journey import log_in


def test_partial_credit_from_the_editor_to_the_quiz(page: Page, server_url, make_user, make_bank,
                                                    make_question, shot, console_errors, axe):
    teacher = make_user("teacher", role="instructor")
    bank = make_bank(title="Venue facts", owner=teacher, article="minsk-talks")
    question = make_question(bank, "single_choice", key="venue", options=[
        {"text": "Zaslaūje", "correct": True}, {"text": "Minsk", "correct": False},
        {"text": "Vienna", "correct": False}])
    make_user("lena")
    log_in(page, server_url, "teacher", axe)
    page.goto(f"{server_url}/author/banks/{bank.id}/questions/{question.id}")
    axe(page, "editor")
    page.get_by_label("Fraction for option 2").fill("0.5")
    page.get_by_label("Feedback for option 2").fill("Close: the talks were just outside it.")
    axe(page, "editor with fractions")
    shot("01-editor")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_label("Fraction for option 2")).to_have_value("0.5")
    axe(page, "saved")
    page.get_by_label("Fraction for option 3").fill("lots")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("A fraction is a number from -1 to 1")).to_be_visible()
    axe(page, "editor with a bad fraction")
    shot("02-bad-fraction")
    page.get_by_role("button", name="Log out").click()
    axe(page, "logged out")

    log_in(page, server_url, "lena", axe)
    page.get_by_role("link", name="Quiz", exact=True).click()
    axe(page, "start a quiz")
    page.get_by_label("Venue facts").check()
    page.get_by_role("button", name="Start the quiz").click()
    axe(page, "question")
    page.get_by_label("Minsk").check()
    page.get_by_role("button", name="Check my answer").click()
    expect(page.locator(".feedback .verdict")).to_have_text("Partly right (50%)")
    expect(page.locator(".feedback .option-feedback")).to_have_text(
        "Close: the talks were just outside it.")
    axe(page, "partial feedback")
    shot("03-partial-feedback")
    assert console_errors == []
