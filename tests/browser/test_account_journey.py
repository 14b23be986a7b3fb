"""A newcomer registers, logs in, sees the home page and logs out, in Chromium."""

from playwright.sync_api import Page, expect


def test_register_login_home_logout(page: Page, server_url: str, shot, console_errors, axe):
    page.goto(server_url + "/")
    expect(page.get_by_role("heading", name="Learn two articles for good")).to_be_visible()
    axe(page, "home, anonymous")
    shot("01-home-anonymous")

    page.get_by_role("link", name="Create a free account").click()
    axe(page, "register")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Use at least 8 characters.")).to_be_visible()
    axe(page, "register, password too short")
    shot("02-register-error")

    page.get_by_label("Password", exact=True).fill("a good long passphrase")
    page.get_by_label("Repeat the password").fill("a good long passphrase")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Hello, newcomer")).to_be_visible()
    axe(page, "home, logged in")
    shot("03-home-logged-in")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    axe(page, "logged out")

    page.get_by_role("link", name="Log in").first.click()
    axe(page, "log in")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill("a good long passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, newcomer")).to_be_visible()
    axe(page, "home, logged in again")
    shot("04-logged-in-again")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    axe(page, "logged out")
    assert console_errors == []


def test_keyboard_reaches_the_skip_link(page: Page, server_url: str, axe):
    page.goto(server_url + "/")
    axe(page, "home")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    axe(page, "skip link focused")
