"""Where transactions begin and end: one unit of work per request, CLI command and job.

- **Services change objects and flush; they never commit.** The unit of work commits once
  at its end: a view that returns a response under 400 is committed, a view that raises or
  answers 4xx/5xx is rolled back (so a refused form writes nothing), and only then is the
  error mapped to a response by the handlers in `quizapp.errors`. CLI commands
  (`quizapp.cli`) and background jobs (`quizapp.services.jobs`) end the same way.
- **Reads take no write lock.** On SQLite a transaction begins deferred (`BEGIN`): readers
  run beside a writer (WAL). A service that reads then writes calls `write()` before its
  first read; on SQLite that ends the reads done so far (nothing was changed, see below)
  and the next statement begins `BEGIN IMMEDIATE`, so two read-then-write units queue for
  the write lock at their start instead of failing at their first write. The intent lasts
  until the transaction ends. On PostgreSQL `write()` only records the intent: services
  lock the rows they change with `SELECT ... FOR UPDATE`, and every locking query reads
  fresh rows (`populate_existing`, set below), never a stale identity-map copy.
- `change_done()` commits a change that stands alone before the request goes on to read
  (the next card after a grade), so no lock is held while the answer is built.
- `bookkeeping()` commits what must survive whatever the request answers (throttle
  counters, job progress) and is not the user's change; it must come before `write()` or
  after the unit of work's change is complete.

In requests under TESTING, a flush or an INSERT/UPDATE/DELETE on SQLite without `write()`
raises, so a path that forgot to declare its write fails the suite instead of deadlocking
in production; outside tests it is logged once.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from quizapp.extensions import db

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

WRITING = "quizapp.writing"  # session.info: this transaction writes (BEGIN IMMEDIATE)
CHANGED = "quizapp.changed"  # session.info: this transaction has sent a change
BOOKKEEPING = "bookkeeping"  # session.info: the next commit is not the user's change


class WriteOrderError(RuntimeError):
    """`write()` called after the transaction already changed something."""


def _sqlite_locking() -> bool:
    return (db.engine.dialect.name == "sqlite"
            and bool(current_app.config.get("QUIZAPP_LOCKING", True)))


def write() -> None:
    """Declare that the current transaction reads then writes. Call it before the first read
    of what will be changed (services do, at their start); calling it again is harmless."""
    session = db.session()
    if session.info.get(WRITING):
        return
    if _sqlite_locking() and session.in_transaction():
        if session.info.get(CHANGED) or session.new or session.dirty or session.deleted:
            raise WriteOrderError("write() must come before the transaction's first change")
        session.rollback()  # only reads so far: end them, so the write lock comes first
    session.info[WRITING] = True


def writing() -> bool:
    return bool(has_app_context() and db.session.registry.has()
                and db.session().info.get(WRITING))


@contextmanager
def bookkeeping() -> Iterator[None]:
    """Write and commit at once what the block changes, as bookkeeping (see the module's
    docstring): it survives whatever the request answers, and it is not the user's change
    (a 503 after it still says that nothing was saved)."""
    write()
    yield
    session = db.session()
    session.info[BOOKKEEPING] = True
    try:
        session.commit()
    finally:
        session.info.pop(BOOKKEEPING, None)


AFTER_COMMIT = "quizapp.after_commit"  # session.info: callables to run once it committed


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the unit of work has committed (never if it rolls back): what
    another process must find in the database, such as a job handed to the queue."""
    db.session().info.setdefault(AFTER_COMMIT, []).append(callback)


def finish(*, commit: bool) -> None:
    """End the unit of work: commit, or roll back."""
    session = db.session()
    callbacks = session.info.pop(AFTER_COMMIT, [])
    if not commit:
        session.rollback()
        return
    session.commit()
    for callback in callbacks:
        callback()


def change_done() -> None:
    """Commit the unit of work's change here, where the request goes on only to read (the
    next card after a review), so that SQLite's write lock and PostgreSQL's row locks are
    not held while the answer is computed and built. What follows runs in a new deferred
    transaction and must not write; the end of the request commits or rolls back only
    that. A failure after this point cannot undo the change, and the error handlers say it
    was saved (`quizapp.errors`). For a change that stands alone and whose repeat is
    recognised (a review carries its submission id)."""
    finish(commit=True)


@contextmanager
def unit() -> Iterator[None]:
    """A unit of work outside a request (a CLI command, a job, a script): committed when
    the block ends normally, rolled back when it raises."""
    try:
        yield
    except BaseException:
        _roll_back_quietly()
        raise
    finish(commit=True)


def transactional(function: F) -> F:
    """Decorate a CLI command or job function as one unit of work."""
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with unit():
            return function(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def _roll_back_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a dead connection: the error handlers report it
        log.debug("rollback failed at the end of a unit of work", exc_info=True)


def _request_unit(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            _roll_back_quietly()
            raise
        finish(commit=response.status_code < 400)
        return response
    wrapper.unit_of_work = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


# --- listeners (the SQLite BEGIN listener is in `quizapp.database`) ------------------------

@event.listens_for(Session, "do_orm_execute")
def _fresh_locks_and_changes(state: ORMExecuteState) -> None:
    if state.is_select:
        if getattr(state.statement, "_for_update_arg", None) is not None:
            state.update_execution_options(populate_existing=True)
        return
    if state.is_insert or state.is_update or state.is_delete:
        _changing(state.session)


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        _changing(session)


def _changing(session: Session) -> None:
    session.info[CHANGED] = True
    if session.info.get(WRITING) or not has_request_context() or not _sqlite_locking():
        return
    if session.info.get(BOOKKEEPING):
        return
    message = "a change without unit_of_work.write() first (SQLite would upgrade a read lock)"
    if current_app.config.get("TESTING"):
        raise WriteOrderError(message)
    if not g.get("quizapp_warned_write"):
        g.quizapp_warned_write = True
        log.warning(message)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    # Only the transaction itself, not a SAVEPOINT (begin_nested) inside it: after_commit
    # also fires when a savepoint is released, and the write must go on after one.
    if transaction.parent is None:
        session.info.pop(WRITING, None)
        session.info.pop(CHANGED, None)


def register(app: Flask) -> None:
    """Make every view one unit of work (call after the blueprints are registered; calling
    it again wraps only the views added since)."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static" and not getattr(view, "unit_of_work", False):
            app.view_functions[endpoint] = _request_unit(view)
