"""Accessibility and phone layout beyond the journeys: every main page checked by axe and
photographed, the focus ring's contrast, and form errors that are announced, tied to their
fields and focused."""

import pytest
from flask import url_for
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.models import Question, User
from quizapp.services import quizzes, sources, study
from quizapp.services.banks import load_paths
from tests.browser.accessibility import Axe, assert_inside_cards, assert_tap_targets
from tests.browser.test_quiz_journey import BANK, log_in
from tests.conftest import NOW

ARTICLE = """# A demo article

[1] First paragraph about Minsk.

## A section

[2] Second paragraph with 5,063 victims.
"""

# WCAG's relative luminance and contrast ratio of two computed colours "rgb(r, g, b)".
CONTRAST = """([a, b]) => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}"""
# The focused element's outline colour and the first opaque background behind it.
RING = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  let bg = "rgb(255, 255, 255)";
  for (let a = e.parentElement; a; a = a.parentElement) {
    const c = getComputedStyle(a).backgroundColor;
    if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") { bg = c; break; }
  }
  return {element: e.outerHTML.slice(0, 60), ring: style.outlineColor,
          style: style.outlineStyle, width: parseFloat(style.outlineWidth), background: bg};
}"""


def url(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


@pytest.fixture
def seeded(app, make_user, tmp_path):
    """The trafficking bank, a source article, an admin who studied and took a quiz, and a
    learner enrolled in the bank."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "demo.md").write_text(ARTICLE)
    with app.app_context():
        load_paths([BANK])
        sources.load_sources(tmp_path / "articles")
        db.session.commit()
    admin = make_user("ada", role="admin")
    learner = make_user("lee")
    with app.app_context():
        question = db.session.query(Question).order_by(Question.id).first()
        bank_id = question.bank_id
        for user in (admin, learner):
            study.enrol(user.id, bank_id, [], NOW)
            card = study.queue(db.session.get(User, user.id), NOW).card
            study.answer_card(user.id, card.id, 3, NOW, submission_id=f"tour-{user.id}")
        attempt = quizzes.start_attempt(admin.id, bank_ids=[bank_id], tags=[], types=[],
                                        count=2, mode="test", now=NOW, seed=1)
        quizzes.finish_attempt(admin.id, attempt.id, NOW)
        db.session.commit()
        return {"bank": bank_id, "question": question.id, "attempt": attempt.id}


def test_every_main_page(app, page: Page, server_url, seeded, shot, axe, console_errors):
    """Each page an admin (who is also an instructor and a learner) can open: no axe
    violation, no sideways scrolling, and a full-page screenshot at each size."""
    pages = [
        ("home", "main.home", {}),
        ("study-banks", "study.banks", {}),
        ("flashcards", "study.review", {}),
        ("study-settings", "study.settings", {}),
        ("quiz-start", "quiz.start", {}),
        ("quiz-results", "quiz.results", {"attempt_id": seeded["attempt"]}),
        ("progress", "progress.dashboard", {}),
        ("password", "auth.change_password", {}),
        ("delete-account", "progress.delete_account", {}),
        ("source", "sources.article", {"slug": "demo"}),
        ("banks", "author.banks", {}),
        ("new-bank", "author.new_bank", {}),
        ("bank-settings", "author.edit_bank", {"bank_id": seeded["bank"]}),
        ("questions", "author.questions", {"bank_id": seeded["bank"]}),
        ("editor", "author.editor", {"bank_id": seeded["bank"],
                                     "question_id": seeded["question"]}),
        ("history", "author.history", {"bank_id": seeded["bank"],
                                       "question_id": seeded["question"]}),
        ("transfer", "author.transfer", {"bank_id": seeded["bank"]}),
        ("class", "progress.class_banks", {}),
        ("class-bank", "progress.class_bank", {"bank_id": seeded["bank"]}),
        ("users", "admin.users", {}),
    ]
    log_in(page, server_url, "ada", axe)
    for name, endpoint, values in pages:
        response = page.goto(server_url + url(app, endpoint, **values))
        assert response.status == 200, (name, response.status)
        expect(page.locator("h1")).to_have_count(1)
        axe(page, name)
        assert_inside_cards(page)
        shot(name)
    response = page.goto(server_url + url(app, "quiz.results", attempt_id=999999))
    assert response.status == 404
    axe(page, "not found")
    shot("not-found")
    assert [e for e in console_errors if "404" not in e] == []


def test_focus_ring_contrast(page: Page, server_url, make_user, axe):
    """Tab through the home page and a form: each focus ring is drawn and has at least 3:1
    contrast against what is behind it (WCAG 2.2's focus appearance)."""
    make_user("fay")
    log_in(page, server_url, "fay", axe)
    page.goto(server_url + "/quiz/")
    axe(page, "quiz start")
    seen = 0
    for _ in range(25):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        if ring["element"].startswith("<body"):
            break
        seen += 1
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        ratio = page.evaluate(CONTRAST, [ring["ring"], ring["background"]])
        assert ratio >= 3, f"focus ring {ring['ring']} on {ring['background']}: " \
                           f"{ratio:.2f}:1 for {ring['element']}"
    assert seen >= 10


def described_by(page: Page, selector: str) -> str:
    """The text of the elements an input's aria-describedby names."""
    return page.locator(selector).first.evaluate(
        "e => (e.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)"
        ".map(id => document.getElementById(id).textContent.trim()).join(' ')")


def test_form_errors_are_announced_tied_and_focused(page: Page, server_url, axe):
    page.goto(server_url + "/auth/register")
    axe(page, "register")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert")).to_have_text("Please correct the field marked below.")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    assert "Use at least 8 characters." in described_by(page, "#password")
    expect(password).to_be_focused()
    axe(page, "register, password too short")


def test_quiz_answer_errors_are_announced_tied_and_focused(app, page: Page, server_url,
                                                           make_user, make_bank,
                                                           make_question, axe, shot):
    bank = make_bank(title="Two kinds")
    make_question(bank, "single_choice", key="pick-one")
    make_question(bank, "short_answer", key="type-one")
    make_user("quin")
    log_in(page, server_url, "quin", axe)
    with app.app_context():
        attempt = quizzes.start_attempt(db.session.query(User).filter_by(username="quin")
                                        .one().id, bank_ids=[bank.id], tags=[], types=[],
                                        count=2, mode="practice", now=NOW, seed=1)
        db.session.commit()
        attempt_id = attempt.id
    for position in range(2):
        page.goto(server_url + url(app, "quiz.question", attempt_id=attempt_id,
                                   position=position))
        axe(page, f"question {position + 1}")
        kind = page.locator("article.question").get_attribute("data-type")
        page.get_by_role("button", name="Check my answer").click()
        expect(page.get_by_role("alert")).to_be_visible()
        first = page.locator("input[name=answer]").first
        expect(first).to_have_attribute("aria-invalid", "true")
        message = "Pick an option." if kind == "single_choice" else "Type an answer."
        assert message in described_by(page, "input[name=answer]")
        expect(first).to_be_focused()
        axe(page, f"question {position + 1}, {kind}, not answered")
        shot(f"quiz-error-{kind}")


def test_tap_targets_during_review_and_quiz(app, page: Page, server_url, make_user,
                                            make_bank, make_question, axe):
    """The buttons tapped while reviewing and answering are at least 44 px tall."""
    bank = make_bank(title="Tap")
    make_question(bank, "single_choice", key="tap-one")
    make_user("tia")
    log_in(page, server_url, "tia", axe)
    page.goto(server_url + "/study/banks")
    axe(page, "choose banks")
    page.get_by_role("button", name="Study this bank").click()
    expect(page.locator(".flashcard")).to_be_visible()
    axe(page, "front")
    assert_tap_targets(page, "#reveal")
    assert_tap_targets(page, ".card-actions button")
    page.get_by_role("button", name="Show answer").click()
    expect(page.locator("#card-back")).to_be_visible()
    axe(page, "answer shown")
    assert_tap_targets(page, ".grade")
    page.goto(server_url + "/quiz/")
    axe(page, "quiz start")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("button", name="Check my answer")).to_be_visible()
    axe(page, "question")
    assert_tap_targets(page, "#submit")
    assert_tap_targets(page, ".choice")



def test_a_page_left_unchecked_fails_the_test(browser, browser_context_args, server_url):
    """The guard behind `axe`: a navigation with no check before the next one is reported."""
    checker = Axe(browser, browser_context_args)
    page = checker.watch(browser.new_page(**browser_context_args))
    try:
        page.goto(server_url + "/auth/login")
        checker(page, "log in")
        page.goto(server_url + "/auth/register")
        page.goto(server_url + "/")
        with pytest.raises(AssertionError, match="/auth/register"):
            checker.verify()
        checker(page, "home")
        checker.missed.clear()
        checker.verify()
    finally:
        page.close()
        checker.close()


def test_type_in_review_and_its_error(app, page: Page, server_url, make_user, make_bank,
                                      make_question, axe, shot):
    """Type-in mode: the suggestion after a typed answer, and an answer too long to check,
    whose message is announced, tied to the box and focused."""
    bank = make_bank(title="Typed")
    make_question(bank, "short_answer", key="typed-one")
    make_user("tom")
    log_in(page, server_url, "tom", axe)
    page.goto(server_url + "/study/settings")
    axe(page, "settings")
    page.get_by_label("Type the answer before revealing it").check()
    page.get_by_role("button", name="Save").click()
    axe(page, "settings saved")
    page.goto(server_url + "/study/banks")
    axe(page, "choose banks")
    page.get_by_role("button", name="Study this bank").click()
    box = page.get_by_label("Type your answer")
    expect(box).to_be_focused()
    axe(page, "type-in front")
    card_id = page.locator(".flashcard").get_attribute("data-card-id")
    box.fill("Minsk")
    page.keyboard.press("Enter")
    expect(page.locator("#suggestion")).to_be_visible()
    axe(page, "type-in suggestion")
    shot("type-in-suggestion")

    page.goto(f"{server_url}/study/?card={card_id}&show=1&answer={'x' * 1001}")
    expect(page.get_by_role("alert")).to_contain_text("Type your answer")
    box = page.get_by_label("Type your answer")
    expect(box).to_have_attribute("aria-invalid", "true")
    assert "1000" in described_by(page, "#typein")
    expect(box).to_be_focused()
    axe(page, "type-in answer too long")
    shot("type-in-error")
