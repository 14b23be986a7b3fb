"""An instructor creates a numeric question, previews it, saves, edits and reverts it."""

from playwright.sync_api import Page, expect

from tests.browser.test_quiz_journey import log_in


def test_create_preview_save_edit_revert(page: Page, server_url, make_user, make_bank, shot,
                                         console_errors, axe):
    teacher = make_user("teacher", role="instructor")
    make_bank(title="Trafficking facts", owner=teacher, article="trafficking",
              topics_=("victim-statistics",))
    log_in(page, server_url, "teacher", axe)
    page.get_by_role("link", name="Banks", exact=True).click()
    axe(page, "banks")
    page.get_by_role("link", name="Trafficking facts").click()
    axe(page, "questions of a bank")
    page.get_by_role("link", name="New question").click()
    axe(page, "new question")

    page.get_by_label("Key").fill("victims-total")
    page.get_by_label("Type").select_option("numeric")
    expect(page.get_by_label("Value")).to_be_visible()  # the script shows the numeric fields
    axe(page, "new numeric question")
    page.get_by_label("Prompt (Markdown)").fill("How many victims were identified in 2002–2014?")
    page.get_by_label("Value").fill("5063")
    page.get_by_label("Unit (optional)").fill("victims")
    page.get_by_label("Explanation (Markdown)").fill("The **total** for the whole period.")
    page.get_by_label("Sources").fill("trafficking#10")
    page.get_by_label("Victim statistics").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: as a quiz question")).to_be_visible()
    expect(page.locator(".preview strong")).to_have_text("total")
    axe(page, "preview")
    shot("01-preview")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    axe(page, "saved")
    page.get_by_label("Value").fill("5036")
    page.get_by_label("What changed (optional)").fill("typo in the figure")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    axe(page, "saved the edit")
    shot("02-saved-edit")

    page.get_by_role("link", name="History (revision 2)").click()
    expect(page.locator(".diff-removed")).to_contain_text("value: 5063")
    expect(page.locator(".diff-added")).to_contain_text("value: 5036")
    axe(page, "history")
    shot("03-history")
    page.get_by_role("button", name="Revert to this").click()
    expect(page.get_by_text("Reverted to revision 1")).to_be_visible()
    axe(page, "reverted")
    page.get_by_role("link", name="Edit victims-total").click()
    expect(page.get_by_label("Value")).to_have_value("5063")
    axe(page, "editor after the revert")
    shot("04-reverted")
    assert console_errors == []
