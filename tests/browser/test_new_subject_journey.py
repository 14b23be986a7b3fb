"""Issue 13's journey, in the browser only: a new instructor makes a bank on a subject of
their own (barn owls, invented text) with its own topics, pastes its source, writes
questions of three types citing it, sees the source check pass and publishes it; a learner
then studies it with flashcards and a quiz and sees the cited paragraph in the feedback."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_quiz_journey import log_in

HUNTING = "Barn owls hunt mostly by ear; an invented count says one eats 4 voles a night."
FLIGHT = "Soft feathers keep the flight of a barn owl quiet, in this invented note."


def new_question(page: Page, axe, key: str, kind: str, prompt: str, cite: str, topic: str,
                 fill_answer) -> None:
    page.get_by_role("link", name="New question").click()
    axe(page, f"new question {key}")
    page.get_by_label("Key").fill(key)
    page.get_by_label("Type").select_option(kind)
    page.get_by_label("Prompt (Markdown)").fill(prompt)
    fill_answer()
    page.get_by_label("Explanation (Markdown)").fill("Told in the owl notes.")
    page.get_by_label("Sources").fill(cite)
    page.get_by_label(topic, exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    axe(page, f"saved {key}")
    page.get_by_role("link", name="← Barn owls").click()
    axe(page, "the bank's questions")


def test_a_new_instructor_publishes_a_bank_a_learner_studies(page: Page, server_url, make_user,
                                                             shot, console_errors, axe):
    make_user("newbie", role="instructor")
    make_user("lena")
    log_in(page, server_url, "newbie", axe)

    # a bank of their own, a draft, with two topics
    page.get_by_role("link", name="Banks", exact=True).click()
    axe(page, "banks of a new instructor")
    page.get_by_role("link", name="New bank").click()
    page.get_by_label("Slug (in URLs and files)").fill("barn-owls")
    page.get_by_label("Title").fill("Barn owls")
    expect(page.get_by_label(re.compile("^Traced"))).to_be_checked()
    axe(page, "new bank")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("It is a draft")).to_be_visible()
    expect(page.get_by_role("heading", name="Draft · traced bank")).to_be_visible()
    axe(page, "the new draft")
    page.get_by_role("link", name="Topics").click()
    axe(page, "topics")
    for label in ("Hunting", "Flight"):
        page.get_by_label("Topic name").fill(label)
        page.get_by_role("button", name="Add topic").click()
        expect(page.get_by_text(f"Topic “{label}” added.")).to_be_visible()
        axe(page, f"topic {label} added")

    # its source, pasted
    page.get_by_role("link", name="← Barn owls").click()
    axe(page, "the bank without sources")
    page.get_by_role("link", name="Add the text its questions cite").click()
    axe(page, "sources of the bank")
    page.get_by_label("Title").fill("Owl notes")
    page.get_by_label("Text (paragraphs separated by a blank line)").fill(
        f"{HUNTING}\n\n## Flight\n\n{FLIGHT}")
    page.get_by_role("button", name="Add source").click()
    expect(page.locator("#p1 .cite-as")).to_have_text("owl-notes#1")
    axe(page, "the pasted source")
    shot("01-source")

    # three questions of three types, each citing it
    page.get_by_role("link", name="← Sources of Barn owls").click()
    axe(page, "sources of the bank, one")
    page.get_by_role("link", name="← Barn owls").click()
    axe(page, "the bank with a source")
    new_question(page, axe, "hunt-by", "short_answer", "Barn owls hunt mostly by which sense?",
                 "owl-notes#1", "Hunting",
                 lambda: page.locator("input[name='answers-0-text']").fill("ear"))
    new_question(page, axe, "voles", "numeric", "How many voles a night, in the invented count?",
                 "owl-notes#1", "Hunting", lambda: page.get_by_label("Value").fill("4"))
    new_question(page, axe, "quiet", "true_false", "Soft feathers keep a barn owl's flight quiet.",
                 "owl-notes#2", "Flight",
                 lambda: page.locator("input[name=answer][value=true]").check())
    overview = page.locator(".bank-overview")
    expect(overview).to_contain_text("3 questions")
    expect(overview).to_contain_text("By topic: Hunting 2, Flight 1.")
    expect(overview).to_contain_text("No work left")
    expect(page.locator(".check-badge")).to_contain_text(
        "checked against its sources: 100% of questions pass")
    axe(page, "the bank, ready")
    shot("02-bank-ready")
    page.locator(".check-badge a").click()  # the check, and the bank read as a whole
    expect(page.get_by_role("heading", name="The bank as a whole")).to_be_visible()
    expect(page.locator(".check-habits-none")).to_contain_text("every paragraph")
    axe(page, "the source check")
    shot("02b-source-check")
    page.go_back()
    axe(page, "the bank, again")

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Bank published")).to_be_visible()
    expect(page.get_by_role("heading", name="Published · traced bank")).to_be_visible()
    axe(page, "published")
    shot("03-published")
    page.get_by_role("button", name="Log out").click()
    axe(page, "logged out")

    # a learner studies it: a flashcard, then a quiz
    log_in(page, server_url, "lena", axe)
    expect(page.get_by_role("heading", name="Barn owls")).to_be_visible()
    page.get_by_role("link", name="Flashcards", exact=True).click()
    axe(page, "choose banks")
    page.get_by_role("button", name="Study this bank").click()
    expect(page.locator("[data-count=new]")).to_have_text("3")
    page.keyboard.press("Space")
    back = page.locator("#card-back")
    expect(back).to_be_visible()
    expect(back.locator("blockquote.excerpt")).to_have_text(re.compile("invented"))
    axe(page, "a card's back with its paragraph")
    shot("04-card-back")
    page.keyboard.press("3")

    page.get_by_role("link", name="Quiz", exact=True).click()
    axe(page, "start a quiz")
    page.get_by_label("Barn owls").check()
    page.get_by_label("Number of questions").fill("3")
    page.get_by_role("button", name="Start the quiz").click()
    axe(page, "the first quiz question")
    prompt = page.locator(".prompt").first.inner_text()
    if "which sense" in prompt:
        page.locator("input[name=answer]").fill("ear")
    elif "voles" in prompt:
        page.locator("input[name=answer]").fill("4")
    else:
        page.locator("input[name=answer][value=true]").check()
    page.get_by_role("button", name="Check my answer").click()
    feedback = page.locator(".feedback")
    expect(feedback.locator(".verdict")).to_have_text("Right")
    expect(feedback.locator("blockquote.excerpt")).to_have_text(re.compile("invented"))
    axe(page, "quiz feedback with the paragraph")
    shot("05-feedback")
    assert console_errors == []
