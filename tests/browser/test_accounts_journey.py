"""First run, password reset and user management in Chromium, on a desktop and a phone."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from quizapp import create_app
from quizapp.extensions import db
from tests.browser.conftest import VIEWPORTS
from tests.conftest import PASSWORD, make_test_app
from tests.smtp import reset_link, smtp_server

ROOT = Path(__file__).resolve().parents[2]
NEW = "a fresh long passphrase"


def log_in(page: Page, server_url: str, username: str, axe, password: str = PASSWORD) -> None:
    page.goto(server_url + "/auth/login")
    axe(page, "login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


# --- first run: the database made by the CLI, as `make run` makes it ------------------------

def run_cli(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "quizapp", *args],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def first_run(tmp_path) -> dict:
    """A fresh SQLite database through `make run`'s steps: migrate, load the banks, make
    the admin. Returns the database URL and the admin box the command printed."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUIZAPP_", "MAIL_"))}
    env.update(DATABASE_URL=url, SECRET_KEY="first-run", PYTHONPATH=str(ROOT))
    run_cli(env, "db", "upgrade")
    run_cli(env, "bank", "load")
    box = run_cli(env, "user", "ensure-admin", "--url", "http://127.0.0.1:5000/")
    return {"url": url, "box": box}


@pytest.fixture
def app(request, tmp_path):
    """Each journey's own app: the first run's database, or a new one with mail going to
    the test's SMTP server."""
    if "first_run" in request.fixturenames:
        app = create_app({"SQLALCHEMY_DATABASE_URI": request.getfixturevalue("first_run")["url"],
                          "SECRET_KEY": "first-run", "TESTING": True, "MAIL_SERVER": None})
    else:
        outbox = request.getfixturevalue("outbox")
        # SERVER_NAME: the links mailed point where the browser can go (pytest-flask's
        # default name, localhost.localdomain, does not resolve here).
        app = make_test_app("sqlite", tmp_path, WTF_CSRF_ENABLED=True, SERVER_NAME="localhost",
                            **outbox.config)
        with app.app_context():
            db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def outbox():
    with smtp_server() as box:
        yield box


def test_first_run_ends_on_getting_started(first_run, page: Page, server_url, viewport, shot,
                                           console_errors, axe):
    box = first_run["box"].strip().splitlines()
    assert box[-1].startswith("+--")  # the box is the last thing printed
    password = re.search(r"Password:\s+(\S+)", first_run["box"]).group(1)
    log_in(page, server_url, "admin", axe, password)
    expect(page.get_by_role("heading", name="Hello, admin: getting started")).to_be_visible()
    expect(page.get_by_text("Minsk", exact=False).first).to_be_visible()
    expect(page.get_by_text("QUIZAPP_SOURCES_DIR=../shared/articles make run")).to_be_visible()
    expect(page.get_by_role("link", name="Create a bank")).to_be_visible()
    axe(page, "getting started")
    shot(f"01-getting-started-{viewport}")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Home").click()
    axe(page, "home")
    nav.get_by_role("link", name="Help").click()  # reachable later from the menu
    expect(page.get_by_role("heading", name="Hello, admin: getting started")).to_be_visible()
    axe(page, "getting started again")
    assert console_errors == []


def test_password_reset_by_mail(app, outbox, page: Page, browser: Browser, server_url, viewport,
                                make_user, shot, console_errors, tmp_path, axe):
    make_user("bob")
    elsewhere = browser.new_context(viewport=VIEWPORTS[viewport])
    other = axe.watch(elsewhere.new_page())
    log_in(other, server_url, "bob", axe)
    axe(other, "home")
    other.get_by_role("link", name="bob").click()  # the account page
    axe(other, "account")
    other.get_by_label("Email address").fill("bob@example.org")
    other.get_by_label("Your password").fill(PASSWORD)
    other.get_by_role("button", name="Save the email address").click()
    expect(other.get_by_text("Reset links now go to bob@example.org.")).to_be_visible()
    axe(other, "email saved")
    other.screenshot(path=str(tmp_path / f"00-account-{viewport}.png"), full_page=True)

    page.goto(server_url + "/auth/login")
    axe(page, "login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Username or email address").fill("bob@example.org")
    axe(page, "forgot")
    shot(f"01-forgot-{viewport}")
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_text("If that account exists")).to_be_visible()
    axe(page, "reset link sent")

    [mail] = outbox.wait_for(1)
    link = reset_link(mail)
    page.goto(link)
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    axe(page, "reset form")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat the new password").fill("short")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Use at least 8 characters.")).to_be_visible()
    axe(page, "reset form error")
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Repeat the new password").fill(NEW)
    shot(f"02-reset-form-{viewport}")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", name="Hello, bob")).to_be_visible()
    expect(page.get_by_text("Every other session of this account has ended.")).to_be_visible()
    axe(page, "reset done")
    shot(f"03-reset-done-{viewport}")

    other.goto(server_url + "/study/settings")  # the other browser was logged out
    expect(other.get_by_role("heading", name="Log in")).to_be_visible()
    axe(other, "logged out elsewhere")
    elsewhere.close()

    page.goto(link)
    expect(page.get_by_text("This reset link was already used.")).to_be_visible()
    axe(page, "link used")
    shot(f"04-link-used-{viewport}")
    assert console_errors == []


def test_an_admin_manages_users(app, page: Page, browser: Browser, server_url, viewport,
                                make_user, shot, console_errors, axe):
    make_user("ada", role="admin")
    make_user("bob")
    make_user("carla")
    log_in(page, server_url, "ada", axe)
    expect(page.get_by_role("heading", name="Hello, ada: getting started")).to_be_visible()
    axe(page, "getting started")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    axe(page, "users")
    shot(f"01-users-{viewport}")

    page.get_by_label("Search by username or email").fill("bo")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and bob
    axe(page, "search")
    page.get_by_label("Role of bob", exact=True).select_option("instructor")
    page.get_by_role("button", name="Save the role of bob").click()
    expect(page.get_by_text("bob is now instructor.")).to_be_visible()
    axe(page, "role saved")

    page.get_by_role("button", name="Disable bob").click()
    expect(page.get_by_text("bob is disabled")).to_be_visible()
    axe(page, "disabled")
    shot(f"02-disabled-{viewport}")
    elsewhere = browser.new_context(viewport=VIEWPORTS[viewport])
    other = axe.watch(elsewhere.new_page())
    log_in(other, server_url, "bob", axe)
    expect(other.get_by_text("This account is disabled.")).to_be_visible()
    axe(other, "disabled login")
    page.get_by_role("button", name="Enable bob").click()
    expect(page.get_by_text("bob can log in again.")).to_be_visible()
    axe(page, "enabled")

    page.get_by_role("button", name="Reset link for bob").click()
    link = page.get_by_label("One-time link").input_value()
    assert "/auth/reset/" in link
    axe(page, "reset link")
    shot(f"03-reset-link-{viewport}")
    other.goto(link)
    axe(other, "reset form")
    other.get_by_label("New password", exact=True).fill(NEW)
    other.get_by_label("Repeat the new password").fill(NEW)
    other.get_by_role("button", name="Set the new password").click()
    expect(other.get_by_role("heading", name="Hello, bob")).to_be_visible()
    axe(other, "reset done")
    elsewhere.close()

    page.goto(server_url + "/admin/users")
    axe(page, "users again")
    page.get_by_role("button", name="Disable ada").click()
    expect(page.get_by_text("ada is the last administrator")).to_be_visible()
    axe(page, "last admin")
    shot(f"04-last-admin-{viewport}")
    page.goto(server_url + "/admin/users")
    axe(page, "users once more")
    page.get_by_role("link", name="Delete carla").click()
    page.get_by_label("Type the username to confirm").fill("carla")
    axe(page, "delete")
    shot(f"05-delete-{viewport}")
    page.get_by_role("button", name="Delete the account and its data").click()
    expect(page.get_by_text("carla and all their data are deleted.")).to_be_visible()
    axe(page, "deleted")
    expect(page.get_by_role("row", name=re.compile("carla"))).to_have_count(0)
    assert console_errors == []
