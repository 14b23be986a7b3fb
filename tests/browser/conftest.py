"""Playwright in Debian's Chromium against pytest-flask's live server (SQLite, real CSRF)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page

from quizapp.extensions import db
from tests.browser.accessibility import Axe
from tests.conftest import make_test_app

CHROMIUM = Path("/usr/bin/chromium")
CALL_FAILED = pytest.StashKey[bool]()
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    """Every journey runs on a desktop and on a phone."""
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args, viewport):
    return {**browser_context_args, "viewport": VIEWPORTS[viewport]}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
def axe(request, browser, browser_context_args, page) -> Iterator[Axe]:
    """`axe(page, state)` runs axe-core on the page as it is; every navigation of `page` (and
    of pages from `axe.no_js_page()`) must be checked before the next, or the test fails
    (unless it failed already: a page left mid-way is then no news)."""
    checker = Axe(browser, browser_context_args)
    checker.watch(page)
    yield checker
    checker.close()
    if not request.node.stash.get(CALL_FAILED, False):
        checker.verify()


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:
    app = make_test_app("sqlite", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def server_url(live_server) -> Iterator[str]:
    yield live_server.url()
    stop_live_server(live_server)


def stop_live_server(live_server) -> None:
    """Stop pytest-flask's server process with SIGTERM and wait for it. Its own stop sends
    SIGINT, which a shell that started the suite in the background may have ignored: the
    server then never exits and the run never ends."""
    process = live_server._process
    if process is None or not process.is_alive():
        return
    process.terminate()
    process.join(10)
    if process.is_alive():
        process.kill()
        process.join(10)


@pytest.fixture
def shot(page, tmp_path, viewport):
    """Save a full-page screenshot under the test's tmp dir, named by viewport; returns its
    path."""

    def take(name: str, of: Page | None = None) -> Path:
        path = tmp_path / f"{viewport}-{name}.png"
        (of or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def console_errors(page) -> list[str]:
    """Console errors and uncaught exceptions. An invalid form is answered with status 400
    by design, which Chromium logs as a failed resource: those lines are left out."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and "status of 400" not in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors
