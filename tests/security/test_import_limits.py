"""Imports under attack: the dry-run token is single use even when replayed at the same
moment, a slow parse holds no lock another user's write (or the replay) waits for, dry runs
are capped per user (QUIZAPP_PENDING_UPLOADS_PER_USER), and the preview page lists a
bounded number of items however large the file."""

import dataclasses
import re
import threading

import pytest
from sqlalchemy import func, select

from quizapp.domain.formats import FORMATS
from quizapp.extensions import db
from quizapp.models import PendingImport, Question, QuestionRevision, QuestionTag
from quizapp.services import transfer
from quizapp.services.banks import question_snapshot
from tests.conftest import PASSWORD
from tests.domain.test_formats import HEADER, make
from tests.views.test_transfer import upload

WAIT = 60  # seconds a thread may wait for another before the test gives up (not a measure)


@pytest.fixture
def bank(app, make_bank, make_user):
    # These are the in-request import's limits: keep every upload here off the job queue
    # (tests/views/test_jobs.py covers the large-file path).
    app.config["QUIZAPP_INLINE_IMPORT_BYTES"] = 10 * 1024 * 1024
    return make_bank(title="Imports", owner=make_user("owner", role="instructor")).id


def logged_in(app):
    client = app.test_client()
    client.post("/auth/login", data={"username": "owner", "password": PASSWORD})
    return client


def csv_file(count: int, start: int = 0) -> bytes:
    questions = [make("true_false", key=f"q{n}") for n in range(start, start + count)]
    return FORMATS["csv"].export(HEADER, questions)


def token_of(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


class BlockedParser:
    """Makes the CSV reader wait, in the thread named "slow" only, until released."""

    def __init__(self, monkeypatch):
        self.parsing, self.release = threading.Event(), threading.Event()
        real = FORMATS["csv"].reader

        def reader(text, filename, traced=True):
            if threading.current_thread().name == "slow":
                self.parsing.set()
                self.release.wait(WAIT)
            return real(text, filename)

        monkeypatch.setitem(FORMATS, "csv", dataclasses.replace(FORMATS["csv"], reader=reader))


def in_thread(name: str, call) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(call()), name=name, daemon=True)
    thread.start()
    return thread, out


def test_a_token_replayed_at_the_same_moment_imports_once(app, bank, monkeypatch):
    first, second = logged_in(app), logged_in(app)
    token = token_of(upload(first, bank, csv_file(5), "csv").data.decode())
    blocked = BlockedParser(monkeypatch)
    url = f"/author/banks/{bank}/transfer/apply"
    slow, slow_out = in_thread("slow", lambda: first.post(url, data={"token": token}))
    try:
        assert blocked.parsing.wait(WAIT)
        fast, fast_out = in_thread("fast", lambda: second.post(url, data={"token": token}))
        fast.join(WAIT)
        fast_done_while_blocked = not fast.is_alive()
    finally:
        blocked.release.set()
    slow.join(WAIT)
    fast.join(WAIT)
    assert fast_done_while_blocked
    # A parse holds no lock (it runs before the claim's write): the replay did not wait for
    # it and imported; the first request, its parse done, finds the token used and says so.
    assert fast_out[0].status_code == 302
    assert slow_out[0].status_code == 404
    assert "expired or was already imported" in slow_out[0].data.decode()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 5
        assert db.session.scalar(select(func.count()).select_from(QuestionRevision)) == 5


@pytest.mark.parametrize("database", ["sqlite"])
def test_another_users_write_proceeds_during_a_slow_dry_run(app, bank, make_user,
                                                            monkeypatch):
    """SQLite begins every transaction with BEGIN IMMEDIATE: the parse must run outside one."""
    client = logged_in(app)
    blocked = BlockedParser(monkeypatch)
    slow, slow_out = in_thread("slow", lambda: upload(client, bank, csv_file(3), "csv"))
    try:
        assert blocked.parsing.wait(WAIT)
        make_user("learner-writing")  # another user's write, while the parser is blocked
        assert slow.is_alive()  # the dry run is still parsing: the write did not wait for it
    finally:
        blocked.release.set()
    slow.join(WAIT)
    assert slow_out[0].status_code == 200 and "3 added" in slow_out[0].data.decode()


def test_dry_runs_are_capped_per_user(app, bank):
    app.config["QUIZAPP_PENDING_UPLOADS_PER_USER"] = 3
    client = logged_in(app)
    tokens = [token_of(upload(client, bank, csv_file(1, n), "csv").data.decode())
              for n in range(5)]
    with app.app_context():
        kept = set(db.session.scalars(select(PendingImport.token)))
    assert kept == set(tokens[-3:])
    oldest = client.post(f"/author/banks/{bank}/transfer/apply", data={"token": tokens[0]})
    assert oldest.status_code == 404
    newest = client.post(f"/author/banks/{bank}/transfer/apply", data={"token": tokens[-1]})
    assert newest.status_code == 302


def test_the_preview_lists_a_bounded_number_of_items(app, bank):
    client = logged_in(app)
    good = csv_file(120).decode("utf-8-sig")
    bad = "".join(f"bad{n},no_such_type,p,e,minsk-talks#2,venue,3,{{}},\r\n" for n in range(130))
    page = upload(client, bank, (good + bad).encode(), "csv").data.decode()
    shown = transfer.PREVIEW_ITEMS
    assert "120 added" in page and "130 rejected" in page
    assert f"and {120 - shown} more" in page and f"and {130 - shown} more" in page
    assert page.count("no_such_type") == shown
    assert "q119" not in page


def test_a_bulk_import_writes_what_one_by_one_saving_writes(app, bank, make_user):
    """The bulk path: every new question with revision 1, its snapshot and its tag rows."""
    client = logged_in(app)
    token = token_of(upload(client, bank, csv_file(2_500), "csv").data.decode())
    assert client.post(f"/author/banks/{bank}/transfer/apply",
                       data={"token": token}).status_code == 302
    with app.app_context():
        questions = db.session.scalars(select(Question).order_by(Question.position)).all()
        assert [q.key for q in questions] == [f"q{n}" for n in range(2_500)]
        assert [q.position for q in questions] == list(range(1, 2_501))
        for q in questions[:: 250]:
            (revision,) = q.revisions
            assert revision.number == 1 and revision.snapshot == question_snapshot(q)
            assert sorted(r.tag for r in q.tag_rows) == sorted(q.tags)
        assert db.session.scalar(select(func.count()).select_from(QuestionTag)) == 5_000
