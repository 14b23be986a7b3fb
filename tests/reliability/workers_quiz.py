"""Code run in separate processes by the quiz race tests (importable for spawn).

Each child is one device of the same learner: its own app, its own logged-in client. Before
each step every child waits at a barrier, so the steps of one round start together.
"""

import time
from datetime import datetime
from typing import Any

from quizapp import create_app
from quizapp.extensions import db
from quizapp.services import quizzes
from quizapp.services.errors import Conflict
from quizapp.unit_of_work import unit

PASSWORD = "correct horse battery"


def child_config(uri: str, locking: bool) -> dict[str, Any]:
    return {
        "TESTING": True,  # keeps the unit of work's write-order guard on
        "PROPAGATE_EXCEPTIONS": False,  # a crash is answered as a user sees it: a 500
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": uri,
        "WTF_CSRF_ENABLED": False,
        "QUIZAPP_SOURCES_DIR": None,
        "MAIL_SERVER": None,
        "QUIZAPP_JOBS_IMMEDIATE": True,
        "QUIZAPP_LOCKING": locking,
    }


def device(uri: str, locking: bool, username: str, steps: list[tuple], barrier,
           results, name: str) -> None:
    """Run `steps` one per round; put (name, outcomes) on `results`.

    A step is ("post", url, form) through the app (outcome: status code and location), or a service
    call in a unit of work of its own: ("answer", user_id, attempt_id, position, response,
    now) or ("expire", user_id, attempt_id, now) (outcome: what happened, or the error);
    ("after", seconds, step) runs `step` that long after the round starts, so that either
    side of a race gets to go first in some rounds."""
    app = create_app(child_config(uri, locking))
    client = app.test_client()
    outcomes: list[Any] = []
    try:
        login = client.post("/auth/login", data={"username": username, "password": PASSWORD})
        if login.status_code != 302:
            raise RuntimeError(f"login answered {login.status_code}")
        for step in steps:
            barrier.wait(timeout=120)
            outcomes.append(_run(app, client, step))
    except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
        outcomes.append(f"child failed: {e!r}")
        barrier.abort()
    finally:
        with app.app_context():
            db.engine.dispose()
        results.put((name, outcomes))


def _run(app, client, step: tuple) -> Any:
    kind, *args = step
    if kind == "after":
        seconds, step = args
        time.sleep(seconds)
        return _run(app, client, step)
    if kind == "post":
        url, form = args
        response = client.post(url, data=form)
        return response.status_code, response.location
    with app.app_context():
        try:
            with unit():
                if kind == "answer":
                    user_id, attempt_id, position, response, now = args
                    outcome = quizzes.submit_answer(user_id, attempt_id, position, response,
                                                    _time(now))
                    return "repeated" if outcome.repeated else "recorded"
                if kind == "expire":
                    user_id, attempt_id, now = args
                    return "expired" if quizzes.expire_if_due(user_id, attempt_id,
                                                              _time(now)) else "open"
        except Conflict:
            return "conflict"
        except Exception as e:  # noqa: BLE001 - what a user would have got as a 500
            return f"error: {e!r}"
        finally:
            db.session.remove()
    raise ValueError(kind)


def _time(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
