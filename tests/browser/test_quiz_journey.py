"""Learners take quizzes in Chromium: a practice quiz on victim statistics, and a
keyboard-only pass through one question of each input kind."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.models import QuizAttempt
from quizapp.services import quizzes
from quizapp.services.banks import load_paths
from tests.conftest import PASSWORD
from tests.views.test_quiz import TYPES, right_form

BANK = Path(__file__).resolve().parents[2] / "question_bank" / "trafficking.yaml"


def log_in(page: Page, server_url: str, username: str, axe) -> None:
    page.goto(server_url + "/auth/login")
    axe(page, "log in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=f"Hello, {username}")).to_be_visible()
    axe(page, "home")


def where(page: Page) -> tuple[int, int]:
    match = re.search(r"/quiz/(\d+)/q/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1)), int(match.group(2))


def snapshot(app, attempt_id: int, position: int) -> dict:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        return quizzes.revision_at(attempt, position).snapshot


def answer(page: Page, snap: dict, right: bool) -> None:
    """Fill the form through the page, rightly or wrongly."""
    form = right_form(snap, "")
    kind = snap["type"]
    if kind in ("single_choice", "true_false"):
        value = form["answer"]
        if not right:
            values = page.locator("input[name=answer]").evaluate_all("els => els.map(e => e.value)")
            value = next(v for v in values if v != value)
        page.locator(f"input[name=answer][value='{value}']").check()
    elif kind == "multiple_choice":
        for value in form["answer"] if right else []:
            page.locator(f"input[name=answer][value='{value}']").check()
        if not right:
            page.locator("input[name=answer]").first.check()
    elif kind in ("short_answer", "numeric"):
        page.locator("input[name=answer]").fill(form["answer"] if right else "999")
    elif kind == "cloze":
        for name, value in form.items():
            page.locator(f"input[name={name}]").fill(value if right else "nothing")
    elif kind == "matching":
        for name, value in form.items():
            page.locator(f"select[name={name}]").select_option(value if right else "")
    elif kind == "ordering":
        # Move items with the Up buttons until the list is in the right order.
        items = snap["items"]
        for target, text in enumerate(items if right else []):
            while True:
                texts = page.locator(".order-text").all_inner_texts()
                at = texts.index(text)
                if at == target:
                    break
                item = page.locator(".order-item").nth(at)
                item.get_by_role("button", name=re.compile("up")).click()


def test_practice_quiz_on_victim_statistics(app, page: Page, server_url: str, make_user, shot,
                                            console_errors, axe):
    with app.app_context():
        load_paths([BANK])
        db.session.commit()
    make_user("lena")
    log_in(page, server_url, "lena", axe)
    page.get_by_role("link", name="Quiz", exact=True).click()
    axe(page, "start a quiz")
    page.get_by_label("Victim statistics").check()
    page.get_by_label("Number of questions").fill("10")
    shot("01-start")
    page.get_by_role("button", name="Start the quiz").click()

    seen_types = set()
    for n in range(10):
        expect(page.get_by_text(f"Question {n + 1} of 10")).to_be_visible()
        axe(page, f"question {n + 1}")
        attempt_id, position = where(page)
        snap = snapshot(app, attempt_id, position)
        seen_types.add(snap["type"])
        right = n % 3 != 2
        answer(page, snap, right)
        if n == 0:
            shot("02-question")
        page.get_by_role("button", name="Check my answer").click()
        verdict = page.locator(".feedback .verdict")
        expect(verdict).to_be_visible()
        if right:
            expect(verdict).to_have_text("Right")
        else:
            expect(verdict).not_to_have_text("Right")
        expect(page.locator(".feedback .sources")).to_contain_text("trafficking, paragraph")
        axe(page, f"feedback on question {n + 1}")
        if n in (0, 2):
            shot(f"03-feedback-{n}")
        if n < 9:
            page.get_by_role("link", name="Next question →").click()
    assert len(seen_types) >= 3
    page.get_by_role("link", name="See results").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.locator(".score")).to_have_text(re.compile(r"\d+%"))
    expect(page.locator(".review-list > li")).to_have_count(10)
    axe(page, "results")
    shot("04-results")
    assert console_errors == []


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"could not reach {selector} with Tab")


@pytest.fixture
def one_of_each(make_bank, make_question):
    bank = make_bank(title="One of each")
    for qtype in TYPES:
        make_question(bank, qtype, key=qtype.replace("_", "-"), tags=["venue"])
    return bank


def test_keyboard_only_pass_through_every_input_kind(app, page: Page, server_url: str,
                                                     make_user, one_of_each, shot, axe):
    make_user("kim")
    log_in(page, server_url, "kim", axe)
    page.goto(server_url + "/quiz/")
    axe(page, "start a quiz")
    tab_to(page, "input[name=count]")
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    for n in range(len(TYPES)):
        expect(page.get_by_text(f"Question {n + 1} of 8")).to_be_visible()
        kind = page.locator("article.question").get_attribute("data-type")
        axe(page, f"question {n + 1}, {kind}")
        if kind in ("single_choice", "true_false", "multiple_choice"):
            tab_to(page, "input[name=answer]")
            page.keyboard.press("Space")
        elif kind in ("short_answer", "numeric"):
            tab_to(page, "input[name=answer]")
            page.keyboard.type("5063" if kind == "numeric" else "Zaslauje")
        elif kind == "cloze":
            tab_to(page, "input[name=gap_0]")
            page.keyboard.type("twenty")
        elif kind == "matching":
            tab_to(page, "select[name=match_0]")
            page.keyboard.press("ArrowDown")
        elif kind == "ordering":
            first = page.locator(".order-text").first.inner_text()
            tab_to(page, "button[value='down-0']")
            page.keyboard.press("Enter")
            expect(page.locator(".order-text").nth(1)).to_have_text(first)
        axe(page, f"question {n + 1}, {kind}, answered")
        shot(f"kbd-{n}-{kind}")
        tab_to(page, "#submit")
        page.keyboard.press("Enter")
        expect(page.locator(".feedback .verdict")).to_be_visible()
        axe(page, f"feedback on question {n + 1}, {kind}")
        if n < len(TYPES) - 1:
            tab_to(page, "a.next")
            page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="See results")).to_be_visible()
