"""Bulk inserts for the generator: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples of plain values; timestamps are epoch seconds turned into each
database's text form here (the same text SQLAlchemy's UTCDateTime stores), so millions
of rows skip the per-value type processing of the ORM.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

CHUNK = 10_000
_EPOCH = date(1970, 1, 1)
_days: dict[int, str] = {}


def _day(number: int) -> str:
    day = _days.get(number)
    if day is None:
        day = _days[number] = (_EPOCH + timedelta(days=number)).isoformat()
    return day


def _clock(seconds: float) -> tuple[str, str]:
    whole = int(seconds)
    day, rest = divmod(whole, 86400)
    return _day(day), f"{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"


def iso(seconds: float) -> str:
    """As `datetime.isoformat()` of an aware UTC datetime: what CardState.to_dict writes."""
    day, clock = _clock(seconds)
    return f"{day}T{clock}+00:00"


def dumps(value: Any) -> str:
    return json.dumps(value)


class BulkWriter:
    """Appends rows to tables through one connection, committing every `commit_every` rows."""

    def __init__(self, connection: Connection, commit_every: int = 200_000):
        self.conn = connection
        self.sqlite = connection.dialect.name == "sqlite"
        self.commit_every = commit_every
        self._pending = 0
        self.rows: dict[str, int] = {}

    def ts(self, seconds: float | None) -> str | None:
        """A timestamp column value."""
        if seconds is None:
            return None
        day, clock = _clock(seconds)
        return f"{day} {clock}.000000" if self.sqlite else f"{day} {clock}+00"

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        count = 0
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                count += self._write(table, columns, chunk)
                chunk = []
        if chunk:
            count += self._write(table, columns, chunk)
        return count

    def _write(self, table: str, columns: Sequence[str], rows: list[tuple]) -> int:
        names = ", ".join(columns)
        if self.sqlite:
            marks = ", ".join("?" * len(columns))
            self.conn.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        else:
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(
                    f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        self.rows[table] = self.rows.get(table, 0) + len(rows)
        self._pending += len(rows)
        if self._pending >= self.commit_every:
            self.commit()
        return len(rows)

    def commit(self) -> None:
        self.conn.commit()
        self._pending = 0

    def finish(self, tables: Iterable[str]) -> None:
        """Commit; on PostgreSQL move the id sequences past the ids given explicitly."""
        self.commit()
        if self.sqlite:
            return
        for table in tables:
            self.conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"))
        self.commit()
