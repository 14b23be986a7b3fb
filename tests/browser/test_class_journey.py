"""Issue 20's journey: an instructor creates a class, links a bank, assigns a study goal and
a timed quiz; two learners join with the code, one does both (studies the assigned cards
with the keyboard, answers the quiz), the other does nothing; the teacher sees the
difference, the predicted recall two weeks ahead and the quiz's item analysis, and exports
the grades; the learners see their assignments and due dates."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_quiz_journey import log_in


def log_out(page: Page, axe) -> None:
    page.get_by_role("button", name="Log out").click()
    axe(page, "logged out")


def test_class_journey(app, page: Page, server_url, make_user, make_bank, make_question,
                       shot, console_errors, axe):
    teacher = make_user("tess", role="instructor")
    bank = make_bank(title="Talks bank", owner=teacher)
    for n in range(3):
        make_question(bank, "true_false", key=f"t{n}", tags=["venue"])
    for name in ("amy", "bob"):
        make_user(name)
    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")

    log_in(page, server_url, "tess", axe)
    page.goto(server_url + "/classes/")
    axe(page, "classes list")
    page.get_by_label("Class name").fill("History 1")
    page.get_by_role("button", name="Create class").click()
    expect(page.get_by_role("heading", name="History 1")).to_be_visible()
    axe(page, "new class")
    page.get_by_role("button", name="Link bank").click()
    axe(page, "bank linked")
    page.get_by_text("Assign a study goal").click()
    page.locator("#study-title").fill("Learn the venues")
    page.locator("#study-due_at").fill(due)
    page.get_by_role("button", name="Assign study goal").click()
    axe(page, "study goal assigned")
    page.get_by_text("Assign a quiz").click()
    quiz = page.locator("form[action$='/assignments/quiz']")
    quiz.get_by_label("Title").fill("Timed quiz")
    quiz.get_by_label("True or false").check()  # drawn from this type only
    quiz.get_by_label("Questions", exact=True).fill("2")
    quiz.get_by_label("Time limit (minutes, test mode)").fill("10")
    quiz.get_by_label("Closes").fill(due)
    quiz.get_by_role("button", name="Assign quiz").click()
    expect(page.get_by_text("Quiz assigned.")).to_be_visible()
    axe(page, "quiz assigned")
    shot("class-assigned")
    code = page.locator(".join-code").inner_text()
    log_out(page, axe)

    for name in ("amy", "bob"):
        log_in(page, server_url, name, axe)
        page.goto(server_url + "/classes/")
        axe(page, f"classes list ({name})")
        page.get_by_label("Join code").fill(code.lower())
        page.get_by_role("button", name="Join").click()
        expect(page.get_by_role("heading", name="History 1")).to_be_visible()
        axe(page, f"joined ({name})")
        if name == "amy":  # studies the assigned cards with the keyboard, then the quiz
            page.get_by_role("link", name="Flashcards", exact=True).click()
            expect(page.locator("[data-count=new]")).to_have_text("3")  # the goal's bank
            axe(page, "amy's assigned cards")
            for n in range(3):
                card_id = page.locator(".flashcard").get_attribute("data-card-id")
                page.keyboard.press("Space")
                expect(page.locator("#card-back")).to_be_visible()
                axe(page, f"amy's card {n + 1}, answer shown")
                page.keyboard.press("4")  # Easy
                if n < 2:
                    expect(page.locator(".flashcard")).not_to_have_attribute("data-card-id",
                                                                             card_id)
            expect(page.get_by_role("heading", name="You are done for today")).to_be_visible()
            axe(page, "amy done for today")
            page.goto(server_url + "/classes/")
            axe(page, "amy's classes")
            page.get_by_role("link", name="History 1").click()
            axe(page, "amy's class page")
            page.get_by_role("button", name="Start quiz").click()
            axe(page, "assigned quiz")
            page.locator("input[name=answer]").first.check()
            page.locator("#answer-form button[type=submit], #answer-form input[type=submit]"
                         ).click()
            expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()
            axe(page, "assigned quiz, second question")
            page.get_by_role("button", name="Finish and see results").click()
            axe(page, "assigned quiz results")
        page.goto(server_url + "/")
        expect(page.get_by_role("heading", name="Your assignments")).to_be_visible()
        expect(page.get_by_text("Timed quiz")).to_be_visible()
        axe(page, f"home with assignments ({name})")
        shot(f"home-{name}")
        log_out(page, axe)

    log_in(page, server_url, "tess", axe)
    page.goto(server_url + "/classes/")
    axe(page, "teacher's classes")
    page.get_by_role("link", name="History 1").click()
    ahead = (datetime.now(UTC) + timedelta(days=14)).date().isoformat()
    expect(page.get_by_text(f"predicted recall on {ahead}")).to_be_visible()
    amy_row = page.get_by_role("row", name="amy")
    bob_row = page.get_by_role("row", name="bob")
    expect(amy_row).not_to_contain_text("–")  # amy has studied and scored
    expect(bob_row.locator("td").nth(0)).to_have_text("0")
    expect(page.get_by_text("bob: Learn the venues")).to_be_visible()  # behind on the goal
    axe(page, "class page")
    shot("class-page")
    page.get_by_role("link", name="item analysis of Timed quiz").click()
    expect(page.get_by_role("heading", name="Timed quiz")).to_be_visible()
    expect(page.get_by_role("region", name="Statistics per question").locator("tbody tr")
           ).to_have_count(1)  # the one question amy answered
    axe(page, "item analysis")
    shot("class-items")
    page.get_by_role("link", name="History 1").click()
    axe(page, "class page again")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export grades (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("Username,Learn the venues [")
    assert {line.split(",")[0] for line in text.splitlines()[1:]} == {"amy", "bob"}
    assert console_errors == []
