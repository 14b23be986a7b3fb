"""Code run in separate processes by test_authoring_races (importable for spawn).

Each child is one instructor in a browser: its own app (same database), its own client,
logged in; it opens the page it will submit, waits at the barrier for the other child,
then submits. After the services' locked read, each child waits for the others to have made
it too (`meet_after`), so that without the lock every child reads the row before any
writes: the race happens every time, whatever the machine's load."""

import re
import traceback
from typing import Any

from quizapp import create_app
from quizapp.extensions import db
from quizapp.services import authoring
from tests.conftest import PASSWORD
from tests.reliability.processes import meet_after


def _client(uri: str, locked: bool, username: str, barrier):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "race", "SQLALCHEMY_DATABASE_URI": uri,
        "WTF_CSRF_ENABLED": False, "QUIZAPP_SOURCES_DIR": None, "MAIL_SERVER": None,
        "QUIZAPP_JOBS_IMMEDIATE": True, "QUIZAPP_LOCKING": locked})
    authoring._locked_bank = meet_after(authoring._locked_bank, barrier)
    authoring._locked_question = meet_after(authoring._locked_question, barrier)
    client = app.test_client()
    assert client.post("/auth/login", data={"username": username, "password": PASSWORD}) \
        .status_code == 302
    return app, client


def submit(uri: str, locked: bool, barrier, results, username: str, page: str, url: str,
           form: dict[str, Any], revision_from_page: bool) -> None:
    """GET `page` (taking the hidden revision field from it if asked), wait for the other
    child, POST `form` to `url` and follow the redirect. Puts (username, the POST's status
    or the name of the exception a user would see as a 500, the page shown) on `results`."""
    app = None
    try:
        app, client = _client(uri, locked, username, barrier)
        opened = client.get(page)
        assert opened.status_code == 200, opened.status_code
        if revision_from_page:
            found = re.search(r'name="revision" (?:type="hidden" )?value="(\d+)"',
                              opened.data.decode())
            form = {**form, "revision": found.group(1)}
        barrier.wait(timeout=120)
        try:
            response = client.post(url, data=form, follow_redirects=True)
            outcome: Any = (response.history[0].status_code if response.history
                            else response.status_code)
            text = response.data.decode()
        except Exception as e:  # noqa: BLE001
            outcome, text = type(e).__name__, str(e)[:500]
        results.put((username, outcome, text))
    except BaseException as e:  # the set-up failed: say so rather than leave the test waiting
        barrier.abort()
        results.put((username, f"child failed: {type(e).__name__}", traceback.format_exc()))
    finally:
        if app is not None:
            with app.app_context():
                db.engine.dispose()
