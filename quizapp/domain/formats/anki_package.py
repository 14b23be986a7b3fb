"""Reading an Anki package (.apkg) without trusting it: the zip, then its SQLite collection.

An .apkg is a zip holding the collection (collection.anki21; collection.anki2 from Anki
before 2.1) and media, which are never read. Nothing is extracted to disk, but unsafe member
names are refused anyway. Declared sizes are capped, and so is every read (a declared size
can lie). The collection is deserialized into an in-memory SQLite database, read-only, with
a time limit on its queries, a size limit on each value, and `col`, `notes` and `cards` must
be real tables, not views. Pure: no Flask, no database of the app's.
"""

import io
import json
import re
import sqlite3
import struct
import time
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from quizapp.domain.bank_file import MAX_QUESTIONS
from quizapp.domain.messages import excerpt

from .base import FormatError

MB = 1024 * 1024
MAX_MEMBER_BYTES = 64 * MB  # the collection of a 20,000-note deck is about 15 MB
MAX_TOTAL_BYTES = 128 * MB  # all members together, as declared
MAX_VALUE_BYTES = 8 * MB  # one note's fields, or the note types' JSON
MAX_NOTES = MAX_QUESTIONS
QUERY_SECONDS = 5.0
COLLECTIONS = ("collection.anki21", "collection.anki2")  # the newest readable first
NEWER_COLLECTION = "collection.anki21b"
TABLES = ("col", "notes", "cards")
_DRIVE = re.compile(r"^[A-Za-z]:")
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error,
               NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class NoteType:
    name: str
    cloze: bool
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    number: int  # its place in the collection, from 1: what a reason can point to
    guid: str
    note_type: NoteType | None
    fields: list[str] | None  # None: not text
    tags: list[str]


@dataclass(frozen=True)
class Deck:
    name: str
    description: str


@dataclass(frozen=True)
class AnkiCollection:
    notes: list[Note]
    deck: Deck | None  # the deck holding most of the cards, unless it is Anki's "Default"


def read_package(data: bytes, filename: str) -> AnkiCollection:
    return read_collection(collection_bytes(data, filename), filename)


def _check_name(info: zipfile.ZipInfo) -> None:
    name = info.orig_filename  # zipfile cuts `filename` at a NUL
    parts = name.split("/")
    if (name.startswith("/") or ".." in parts or "\\" in name or "\x00" in name
            or _DRIVE.match(name)):
        raise FormatError(f"unsafe file name in the package: {excerpt(name)}")


def _check_members(infos: list[zipfile.ZipInfo], filename: str) -> None:
    for info in infos:
        _check_name(info)
        if info.flag_bits & 0x1:
            raise FormatError(f"{filename}: {info.filename} is encrypted; export the deck "
                              "from Anki again, without a password")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FormatError(f"{filename}: {info.filename} uses an unsupported compression "
                              f"method (zip method {info.compress_type}); Anki uses deflate")
        if info.file_size > MAX_MEMBER_BYTES:
            raise FormatError(f"{filename}: {info.filename} would unpack to more than "
                              f"{MAX_MEMBER_BYTES // MB} MB; is it a zip bomb?")
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        raise FormatError(f"{filename} would unpack to more than {MAX_TOTAL_BYTES // MB} MB; "
                          "is it a zip bomb?")


def _pick(archive: zipfile.ZipFile, filename: str) -> zipfile.ZipInfo:
    names = archive.namelist()
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    if twice:
        raise FormatError(f"{filename} holds {twice[0]} twice; export the deck again")
    for name in COLLECTIONS:
        if name in names and (name != "collection.anki2" or NEWER_COLLECTION not in names):
            return archive.getinfo(name)
    if NEWER_COLLECTION in names:  # its collection.anki2 only says "please update Anki"
        raise FormatError(f"{filename} is in the newer Anki package format, which cannot be "
                          'read here; in Anki\'s export window tick "Support older Anki '
                          'versions" and export the deck again')
    raise FormatError(f"{filename} holds no Anki collection (collection.anki21 or "
                      "collection.anki2); is it an Anki deck package?")


def collection_bytes(data: bytes, filename: str) -> bytes:
    """The collection's SQLite file, read from the zip within the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_members(archive.infolist(), filename)
            info = _pick(archive, filename)
            with archive.open(info) as member:
                raw = member.read(MAX_MEMBER_BYTES + 1)
    except FormatError:
        raise
    except zipfile.BadZipFile as e:
        if str(e) == "File is not a zip file":
            raise FormatError(f"{filename} is not an Anki package: it is not a zip file; "
                              "export the deck from Anki as .apkg") from None
        raise FormatError(f"{filename} is a damaged zip file ({e})") from None
    except _ZIP_ERRORS as e:
        raise FormatError(f"{filename} is a damaged zip file ({str(e) or type(e).__name__})"
                          ) from None
    if len(raw) > MAX_MEMBER_BYTES:
        raise FormatError(f"{filename}: {info.filename} unpacks to more than "
                          f"{MAX_MEMBER_BYTES // MB} MB; is it a zip bomb?")
    return raw


def read_collection(raw: bytes, filename: str) -> AnkiCollection:
    """The notes of an Anki collection (SQLite file `raw`), read in memory."""
    if not raw.startswith(b"SQLite format 3\x00"):  # and deserialize(b"") is a MemoryError
        raise FormatError(f"{filename} is not an Anki collection: file is not a database")
    connection = sqlite3.connect(":memory:")
    seconds = QUERY_SECONDS
    deadline = time.monotonic() + seconds
    try:
        connection.deserialize(raw)
        connection.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA trusted_schema = OFF")
        return _read(connection, filename)
    except sqlite3.Error as e:
        if "too big" in str(e):
            raise FormatError(f"{filename}: a note or the note types take more than "
                              f"{MAX_VALUE_BYTES // MB} MB; is it an Anki collection?") from None
        if time.monotonic() > deadline:
            raise FormatError(f"{filename}: reading the collection took longer than "
                              f"{seconds:g} s; is it an Anki collection?") from None
        raise FormatError(f"{filename} is not an Anki collection: {e}") from None
    finally:
        connection.close()


def _read(connection: sqlite3.Connection, filename: str) -> AnkiCollection:
    kinds = {name.lower(): kind for name, kind in connection.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')")
        if isinstance(name, str) and name.lower() in TABLES}
    for table in TABLES:
        if kinds.get(table) != "table":
            what = f"is a {kinds[table]}, not a table" if table in kinds else "is missing"
            raise FormatError(f"{filename} is not an Anki collection: {table} {what}")
    (count,) = connection.execute("SELECT count(*) FROM notes").fetchone()
    if count > MAX_NOTES:
        raise FormatError(f"{filename} holds {count:,} notes; at most {MAX_NOTES:,} can be "
                          "imported at once: split the deck")
    row = connection.execute("SELECT models, decks FROM col").fetchone()
    if row is None:
        raise FormatError(f"{filename} is not an Anki collection: col is empty")
    note_types = _note_types(row[0], filename)
    notes = [
        Note(number, str(guid), note_types.get(mid) if isinstance(mid, int) else None,
             flds.split("\x1f") if isinstance(flds, str) else None,
             tags.split() if isinstance(tags, str) else [])
        for number, (guid, mid, tags, flds) in enumerate(connection.execute(
            "SELECT guid, mid, tags, flds FROM notes ORDER BY id"), start=1)
    ]
    top = connection.execute("SELECT did FROM cards GROUP BY did "
                             "ORDER BY count(*) DESC, did LIMIT 1").fetchone()
    return AnkiCollection(notes, _deck(row[1], top[0] if top else None))


def _json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) and text else None
    except ValueError:
        return None


def _note_types(text: Any, filename: str) -> dict[int, NoteType]:
    data = _json(text)
    if not isinstance(data, dict):
        raise FormatError(f"{filename}: the note types cannot be read; if the deck comes from "
                          'a recent Anki, tick "Support older Anki versions" when exporting')
    note_types = {}
    for mid, model in data.items():
        if not (isinstance(model, dict) and isinstance(model.get("flds"), list)
                and str(mid).isdecimal() and len(str(mid)) < 20):
            continue
        names = tuple(str(f.get("name", "")) if isinstance(f, dict) else "" for f in model["flds"])
        note_types[int(mid)] = NoteType(str(model.get("name", "")), model.get("type") == 1, names)
    return note_types


def _deck(text: Any, deck_id: Any) -> Deck | None:
    decks = _json(text)
    if deck_id in (None, 1) or not isinstance(decks, dict):  # 1: Anki's "Default" deck
        return None
    deck = decks.get(str(deck_id))
    if not isinstance(deck, dict) or not isinstance(deck.get("name"), str):
        return None
    description = deck.get("desc")
    return Deck(deck["name"], description if isinstance(description, str) else "")
