"""An instructor creates a bank in the browser, adds topics, renames one, is told a rename
to a taken name is refused, merges two and deletes the emptied one (desktop and phone)."""

from playwright.sync_api import Page, expect

from tests.browser.test_quiz_journey import log_in


def test_new_bank_with_its_own_topics(page: Page, server_url, make_user, shot, console_errors,
                                      axe):
    make_user("newbie", role="instructor")
    log_in(page, server_url, "newbie", axe)
    page.get_by_role("link", name="Banks", exact=True).click()
    axe(page, "banks of a new instructor")
    page.goto(f"{server_url}/author/banks/new")
    axe(page, "new bank")
    page.get_by_label("Slug (in URLs and files)").fill("cell-biology")
    page.get_by_label("Title").fill("Cell biology")
    page.get_by_role("button", name="Save").click()
    axe(page, "the new bank's questions")
    page.get_by_role("link", name="Topics").click()
    expect(page.get_by_text("No topics yet.")).to_be_visible()
    axe(page, "topics of an empty bank")

    for label in ("Membranes", "Organelles", "Mitochondria"):
        page.get_by_label("Topic name").fill(label)
        page.get_by_role("button", name="Add topic").click()
        expect(page.get_by_text(f"Topic “{label}” added.")).to_be_visible()
        axe(page, f"added {label}")
    page.get_by_label("New name for Membranes").fill("Cell membranes")
    page.get_by_label("New name for Membranes").press("Enter")
    expect(page.get_by_text("Topic renamed to “Cell membranes”.")).to_be_visible()
    axe(page, "topics after a rename")
    shot("01-topics")

    page.get_by_label("New name for Mitochondria").fill("organelles")
    page.get_by_label("New name for Mitochondria").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("merge the two topics instead")
    axe(page, "rename refused")
    shot("02-rename-refused")

    page.get_by_label("Merge Mitochondria into").select_option(label="Organelles")
    page.get_by_role("row", name="Mitochondria").get_by_role("button", name="Merge").click()
    expect(page.get_by_text("Topics merged; 0 questions moved.")).to_be_visible()
    axe(page, "merged")
    page.get_by_role("button", name="Delete Organelles").click()
    expect(page.get_by_text("Topic deleted.")).to_be_visible()
    expect(page.get_by_role("cell", name="Cell membranes", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Organelles", exact=True)).to_have_count(0)
    axe(page, "topics after merge and delete")
    shot("03-after-merge-delete")
    assert console_errors == []
