"""An instructor lets two gaps of a cloze go in either order and says a numeric answer
counts in billions; a learner writes both the way people do ("$2bn", the gaps swapped, an
American spelling) and is graded right, with the right answer shown as a person writes it."""

from playwright.sync_api import Page, expect

from tests.browser.test_quiz_journey import log_in


def test_answers_written_as_people_write_them(page: Page, server_url, make_user, make_bank,
                                              make_question, shot, console_errors, axe):
    teacher = make_user("teacher", role="instructor")
    bank = make_bank(title="Round table", owner=teacher, article="trafficking")
    cloze = make_question(bank, "cloze", key="round-table",
                          prompt="The round table was backed by the {{1}} and the {{2}}.",
                          gaps=[["International Organisation for Migration", "IOM"], ["UNDP"]])
    surplus = make_question(bank, "numeric", key="surplus", prompt="How large is the surplus?",
                            value=2e9, tolerance=0, unit="US dollars")
    make_user("lena")
    log_in(page, server_url, "teacher", axe)

    page.goto(f"{server_url}/author/banks/{bank.id}/questions/{cloze.id}")
    axe(page, "cloze editor")
    page.get_by_label("Gaps that may be filled in any order (optional)").fill("1, 3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("the gaps in any order name gap 3")).to_be_visible()  # said why
    axe(page, "editor with a bad group")
    shot("01-bad-group")
    page.get_by_label("Gaps that may be filled in any order (optional)").fill("1, 2")
    page.get_by_label("Accept one typo per gap").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_label("Gaps that may be filled in any order (optional)")).to_have_value(
        "1, 2")
    axe(page, "cloze saved")
    shot("02-cloze-saved")

    page.goto(f"{server_url}/author/banks/{bank.id}/questions/{surplus.id}")
    axe(page, "numeric editor")
    page.get_by_label("Value", exact=True).fill("2")
    page.get_by_label("Scale").select_option("billion")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    axe(page, "numeric saved")
    page.get_by_role("button", name="Log out").click()
    axe(page, "logged out")

    log_in(page, server_url, "lena", axe)
    page.get_by_role("link", name="Quiz", exact=True).click()
    axe(page, "start a quiz")
    page.get_by_label("Round table").check()
    page.get_by_role("button", name="Start the quiz").click()
    for n in range(2):
        if page.locator("input[name=gap_0]").count():
            page.locator("input[name=gap_0]").fill("the UNDP")
            page.locator("input[name=gap_1]").fill("International Organization for Migraton")
            expected = "Gaps 1 and 2 in any order"
        else:
            expect(page.get_by_label("Your answer (billion US dollars)")).to_be_visible()
            page.get_by_label("Your answer (billion US dollars)").fill("$2bn")
            expected = "2 billion US dollars"
        axe(page, f"question {n + 1} answered")
        page.get_by_role("button", name="Check my answer").click()
        expect(page.locator(".feedback .verdict")).to_have_text("Right")
        expect(page.locator(".feedback .answers")).to_contain_text(expected)
        axe(page, f"feedback {n + 1}")
        shot(f"0{n + 3}-feedback")
        if n == 0:
            page.locator("a.next").click()
    assert console_errors == []
