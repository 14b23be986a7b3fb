"""An instructor checks a large file: the dry run lists the first keys and rejections and
counts the rest, then imports it."""

from playwright.sync_api import Page, expect

from quizapp.domain.formats import FORMATS
from tests.browser.test_quiz_journey import log_in
from tests.domain.test_formats import HEADER, make


def test_a_large_dry_run_is_listed_in_part_then_imported(page: Page, server_url, make_user,
                                                          make_bank, shot, console_errors,
                                                          axe, tmp_path):
    teacher = make_user("teacher", role="instructor")
    make_bank(title="Big bank", owner=teacher)
    good = FORMATS["csv"].export(HEADER, [make("true_false", key=f"q{n}") for n in range(80)])
    bad = "".join(f"bad{n},no_such_type,p,e,minsk-talks#2,venue,3,{{}},\r\n" for n in range(60))
    path = tmp_path / "big.csv"
    path.write_bytes(good + bad.encode())

    log_in(page, server_url, "teacher", axe)
    page.get_by_role("link", name="Banks", exact=True).click()
    axe(page, "banks")
    page.get_by_role("link", name="Big bank").click()
    axe(page, "questions of a bank")
    page.get_by_role("link", name="Import and export").click()
    axe(page, "import and export")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    plan = page.get_by_role("status")
    expect(plan).to_contain_text("80 added")
    expect(plan).to_contain_text("and 30 more")
    expect(plan).to_contain_text("60 rejected")
    expect(plan).to_contain_text("and 10 more rejected")
    expect(page.locator(".rejected li")).to_have_count(50)
    axe(page, "large dry run")
    shot("01-large-dry-run")
    page.get_by_role("button", name="Import 80 questions").click()
    expect(page.get_by_text("Imported: 80 added, 0 changed, 60 rejected.")).to_be_visible()
    axe(page, "imported")
    assert console_errors == []
