"""An instructor pastes a source into a bank, sees its numbered paragraphs, replaces it with
a version that has a paragraph inserted and sees the citation renumbered. (Invented text.)"""

from playwright.sync_api import Page, expect

from tests.browser.test_quiz_journey import log_in

FIRST = "Barn owls hunt mostly by ear, in invented detail."
SECOND = "Soft feathers keep their invented flight quiet."


def test_paste_see_paragraphs_replace_and_see_renumbering(page: Page, server_url, make_user,
                                                           make_bank, make_question, shot,
                                                           console_errors, axe):
    teacher = make_user("teacher", role="instructor")
    bank = make_bank(title="Owl facts", owner=teacher)
    log_in(page, server_url, "teacher", axe)
    page.goto(f"{server_url}/sources/banks/{bank.id}")
    expect(page.get_by_text("This bank has no sources yet")).to_be_visible()
    axe(page, "bank sources, none yet")
    page.get_by_label("Title").fill("Owl notes")
    page.get_by_label("Text (paragraphs separated by a blank line)").fill(
        f"{FIRST}\n\n## Flight\n\n{SECOND}")
    page.get_by_role("button", name="Add source").click()
    expect(page.get_by_role("heading", name="Owl notes")).to_be_visible()
    expect(page.locator("#p2")).to_contain_text(SECOND)
    expect(page.locator("#p2 .cite-as")).to_have_text("owl-notes#2")
    axe(page, "a source's numbered paragraphs")
    shot("01-source")

    make_question(bank, key="flight", source=["owl-notes#2"])
    page.get_by_label("Text (paragraphs separated by a blank line)").fill(
        f"An inserted invented opening.\n\n{FIRST}\n\n## Flight\n\n{SECOND}")
    page.get_by_role("button", name="Replace").click()
    report = page.locator(".replace-report")
    expect(report).to_contain_text("Renumbered")
    expect(report).to_contain_text("owl-notes#2 → owl-notes#3")
    expect(page.locator("#p3")).to_contain_text(SECOND)
    axe(page, "after the replace")
    shot("02-replaced")
    page.goto(f"{server_url}/sources/banks/{bank.id}")
    expect(page.locator(".check-badge")).to_contain_text("% of questions pass")
    axe(page, "bank sources with the check badge")
    shot("03-bank-sources")
    assert console_errors == []
