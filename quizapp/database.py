"""Engine set-up that makes read-then-write transactions safe.

SQLite: files only the owner can read (0600), WAL, foreign keys, synchronous=NORMAL, and
transactions begun by us, not by pysqlite (which would run the first SELECT outside any
transaction, so two requests could read the same value and both write): a plain deferred
`BEGIN` for reads, `BEGIN IMMEDIATE` for a transaction that declared it writes
(`quizapp.unit_of_work.write`). PostgreSQL: services lock the rows they will change with
SELECT ... FOR UPDATE, which always reads fresh rows (see `quizapp.unit_of_work`).
"""

import contextlib
import fcntl
import os
import re
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlalchemy.engine import Engine


def _has_power(dbapi_connection) -> bool:
    try:
        dbapi_connection.execute("SELECT power(2, 2)").fetchone()
    except sqlite3.OperationalError:
        return False
    return True


def _power(base, exponent):
    if base is None or exponent is None:
        return None
    try:
        return float(base) ** float(exponent)
    except (OverflowError, ZeroDivisionError, ValueError):
        return None


def configure_engine(engine: Engine, *, locking: bool = True) -> None:
    if engine.dialect.name != "sqlite":
        if not locking:
            _strip_row_locks(engine)
        return

    path = engine.url.database
    private = bool(path) and path != ":memory:" and not path.startswith("file:")

    if private:
        @event.listens_for(engine, "do_connect")
        def _create_private(_dialect, _record, _args, _kwargs):
            # Created 0600 before SQLite would create it world-readable (0644 by the umask);
            # SQLite gives its -wal and -shm files the database file's mode.
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                pass

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if locking:
            # Take transaction control away from pysqlite; we emit BEGIN below.
            dbapi_connection.isolation_level = None
        # power(): FSRS retrievability in SQL (services.classes). SQLite has it when built
        # with its math functions (Debian's is); a Python one stands in otherwise, at about
        # a microsecond a row (the class page calls it once per card).
        if not _has_power(dbapi_connection):
            dbapi_connection.create_function("power", 2, _power, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        if private:  # databases made before: their files too
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    if os.stat(path + suffix).st_mode & 0o077:
                        os.chmod(path + suffix, 0o600)

    if not locking:
        return  # pysqlite's own (unsafe) behaviour: only the negative-control test wants it

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        from quizapp.unit_of_work import writing  # noqa: PLC0415 - it imports the app's db

        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing() else "BEGIN")


_ROW_LOCK = re.compile(r" FOR UPDATE(?: SKIP LOCKED| NOWAIT)?")


def _strip_row_locks(engine: Engine) -> None:
    """Negative control only (QUIZAPP_UNSAFE_NO_LOCKING=1): drop FOR UPDATE from every query,
    so a test can show that it would notice the lost updates that follow."""

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _no_for_update(conn, cursor, statement, parameters, context, executemany):
        return _ROW_LOCK.sub("", statement), parameters


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """Hold a lock named `name` for the whole database while the block runs, so a command
    started on several machines at once (migrations, `bank load`) runs once at a time: the
    others wait, then find the work done. PostgreSQL: an advisory lock on a connection of
    its own. SQLite: an advisory file lock beside the database file."""
    if engine.dialect.name == "postgresql":
        # A transaction-level lock, held by a transaction kept open on a connection of its
        # own: released however the process ends, and it works through PgBouncer in
        # transaction mode too (an open transaction keeps its server connection).
        key = zlib.crc32(f"quizapp:{name}".encode())
        with engine.connect() as conn, conn.begin():
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            yield
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
