"""An instructor downloads the bank, brings in an Anki deck (a dry run first, then the
import), and is told plainly why a hostile package is refused."""

import io
import zipfile

import genanki
from playwright.sync_api import Page, expect

from tests.browser.test_quiz_journey import log_in


def anki_deck(path) -> None:
    """A deck as another Anki user would make it: one complete note, one without sources."""
    model = genanki.Model(1607392319, "Basic with notes", fields=[
        {"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}, {"name": "Source"}],
        templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
    deck = genanki.Deck(2059400110, "Trafficking extras")
    deck.add_note(genanki.Note(model=model, tags=["victim_statistics"], fields=[
        "How many victims were identified in <b>2002–2014</b>?", "5,063",
        "The total for the whole period.", "trafficking#10"]))
    deck.add_note(genanki.Note(model=model, tags=["victim_statistics"], fields=[
        "Who runs the shelters?", "NGOs", "", ""]))
    genanki.Package(deck).write_to_file(str(path))


def test_export_then_import_an_anki_deck(page: Page, server_url, make_user, make_bank,
                                         make_question, shot, console_errors, tmp_path, axe):
    teacher = make_user("teacher", role="instructor")
    bank = make_bank(title="Trafficking facts", owner=teacher, article="trafficking")
    make_question(bank, "true_false", key="existing", tags=["victim-statistics"])
    log_in(page, server_url, "teacher", axe)
    page.get_by_role("link", name="Banks", exact=True).click()
    axe(page, "banks")
    page.get_by_role("link", name="Trafficking facts").click()
    axe(page, "questions of a bank")
    page.get_by_role("link", name="Import and export").click()
    axe(page, "import and export")

    export = page.locator("form:has(button:text('Download'))")
    export.get_by_label("Format").select_option("apkg")
    with page.expect_download() as download:
        export.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.endswith(".apkg")

    deck = tmp_path / "extras.apkg"
    anki_deck(deck)
    page.get_by_label("File").set_input_files(str(deck))
    page.locator("form:has(input[type=file])").get_by_label("Format").select_option("apkg")
    page.get_by_role("button", name="Check the file").click()
    plan = page.get_by_role("status")
    expect(plan).to_contain_text("1 added")
    expect(plan).to_contain_text("1 rejected")
    expect(plan).to_contain_text('"Who runs the shelters?": needs an explanation')
    axe(page, "dry run")
    shot("01-dry-run")
    page.get_by_role("button", name="Import 1 question").click()
    expect(page.get_by_text("Imported: 1 added")).to_be_visible()
    expect(page.get_by_role("cell", name="How many victims were identified in 2002–2014?")) \
        .to_be_visible()
    axe(page, "imported")
    shot("02-imported")

    page.get_by_role("link", name="Import and export").click()
    axe(page, "import and export")
    bomb = tmp_path / "escape.apkg"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../escape.txt", "x")
    bomb.write_bytes(buffer.getvalue())
    page.get_by_label("File").set_input_files(str(bomb))
    page.locator("form:has(input[type=file])").get_by_label("Format").select_option("apkg")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_have_text("Please correct the field marked below.")
    expect(page.locator(".field.has-error")).to_contain_text("unsafe file name in the package")
    axe(page, "refused package")
    shot("03-refused")
    assert console_errors == []
