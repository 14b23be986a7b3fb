"""Playwright in Debian's Chromium against pytest-flask's live server (SQLite, real CSRF)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from quizapp.extensions import db
from tests.conftest import make_test_app

CHROMIUM = Path("/usr/bin/chromium")


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
def shot(page, tmp_path):
    """Save a full-page screenshot under the test's tmp dir; returns its path."""

    def take(name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
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
