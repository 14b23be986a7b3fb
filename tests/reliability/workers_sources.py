"""Code run in separate processes by test_source_races (importable for spawn): each child
replaces one source with its own version through the service, as a request would (one unit
of work). After the locked read, each child waits for the other to have made it too
(`meet_after`), so that without the lock both read the old version before either writes."""

import traceback

from quizapp import create_app, unit_of_work
from quizapp.extensions import db
from quizapp.services import sources
from tests.conftest import NOW
from tests.reliability.processes import meet_after


def replace(uri: str, locked: bool, barrier, results, name: str, bank_id: int, slug: str,
            text: str) -> None:
    """Put (name, "ok" or the exception a user would see as a 500, renumbered) on results."""
    app = None
    try:
        app = create_app({
            "TESTING": True, "SECRET_KEY": "race", "SQLALCHEMY_DATABASE_URI": uri,
            "QUIZAPP_SOURCES_DIR": None, "MAIL_SERVER": None, "QUIZAPP_LOCKING": locked})
        sources._locked_source = meet_after(sources._locked_source, barrier)
        article = sources.parse_source(text)
        barrier.wait(timeout=120)
        with app.app_context():
            try:
                with unit_of_work.unit():
                    report = sources.replace_source(bank_id, slug, article, author_id=None,
                                                    now=NOW)
                results.put((name, "ok", report.renumbered))
            except Exception as e:  # noqa: BLE001
                results.put((name, type(e).__name__, str(e)[:300]))
    except BaseException as e:
        barrier.abort()
        results.put((name, f"child failed: {type(e).__name__}", traceback.format_exc()))
    finally:
        if app is not None:
            with app.app_context():
                db.engine.dispose()
