"""Anki .apkg import: our own export read back exactly, any deck's Front/Back notes as short
answers, and hostile packages (zip bombs, unsafe names, SQLite tricks) refused with a clear
message before anything is unpacked or run for long."""

import functools
import io
import itertools
import json
import re
import sqlite3
import struct
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import genanki
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.domain.bank_file import BankHeader
from quizapp.domain.formats import FORMATS, FormatError, ImportResult, anki_package
from quizapp.domain.formats.apkg import FIELDS, plain_text
from quizapp.domain.questions import KEY_RE
from quizapp.qtypes.registry import SCHEMAS
from tests.domain.test_formats import BANKS, HEADER, make, round_trip, snapshots

APKG = FORMATS["apkg"]
BASIC = genanki.Model(1_607_392_319, "Basic (and explanation)",
                      fields=[{"name": n} for n in ("Front", "Back", "Explanation", "Source")],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
PLAIN_BASIC = genanki.Model(1_607_392_320, "Basic", fields=[{"name": "front"}, {"name": "BACK"}],
                            templates=[{"name": "Card 1", "qfmt": "{{front}}",
                                        "afmt": "{{BACK}}"}])
CLOZE = genanki.Model(1_607_392_321, "Cloze", model_type=genanki.Model.CLOZE,
                      fields=[{"name": "Text"}, {"name": "Back Extra"}],
                      templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}",
                                  "afmt": "{{cloze:Text}}<br>{{Back Extra}}"}])
QUIZAPP = genanki.Model(1_607_392_322, "quizapp: old", fields=[{"name": n} for n in FIELDS],
                        templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])


def parse(data: bytes) -> ImportResult:
    return APKG.parse(data, "deck.apkg")


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


def serialized(connection: sqlite3.Connection) -> bytes:
    try:
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


def genanki_package(deck: genanki.Deck) -> bytes:
    connection = sqlite3.connect(":memory:")
    genanki.Package(deck).write_to_db(connection.cursor(), 1_700_000_000.0, itertools.count(1))
    return zipped({"collection.anki2": serialized(connection), "media": b"{}"})


def deck(*notes: genanki.Note, name: str = "Belarus::Capitals",
         description: str = "<b>From</b> the talks") -> bytes:
    anki_deck = genanki.Deck(2_059_400_110, name, description=description)
    for note in notes:
        anki_deck.add_note(note)
    return genanki_package(anki_deck)


def basic(front: str = "Where?", back: str = "Minsk", explanation: str = "It says so.",
          source: str = "minsk-talks#2", tags: tuple[str, ...] = ("venue",),
          model: genanki.Model = BASIC, guid: str | None = None) -> genanki.Note:
    fields = [front, back, explanation, source][:len(model.fields)]
    return genanki.Note(model=model, fields=fields, tags=list(tags), guid=guid)


VIEW = """CREATE TABLE col (id INTEGER PRIMARY KEY, models TEXT, decks TEXT);
CREATE TABLE cards (id INTEGER PRIMARY KEY, nid INTEGER, did INTEGER);
CREATE VIEW notes AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r)
SELECT i AS id, '' AS guid, 1 AS mid, '' AS tags, '' AS flds FROM r;"""
MODELS = json.dumps({"1": {"name": "Basic", "type": 0,
                           "flds": [{"name": "Front"}, {"name": "Back"}]}})
SCHEMA = """CREATE TABLE col (id INTEGER PRIMARY KEY, models TEXT, decks TEXT);
CREATE TABLE notes (id INTEGER PRIMARY KEY, guid TEXT, mid INTEGER, tags TEXT, flds TEXT);
CREATE TABLE cards (id INTEGER PRIMARY KEY, nid INTEGER, did INTEGER);"""


def collection(script: str = SCHEMA, notes: int = 1, flds: str = "Front\x1fBack",
               models: str = MODELS) -> bytes:
    """A minimal Anki-like collection, as the bytes of its SQLite file."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(script)
        if "models TEXT" in script:
            connection.execute("INSERT INTO col VALUES (1, ?, '{}')", (models,))
        if "flds TEXT" in script:
            connection.executemany("INSERT INTO notes VALUES (?, ?, 1, ' venue ', ?)",
                                   ((n, f"g{n}", flds) for n in range(1, notes + 1)))
    except BaseException:
        connection.close()
        raise
    return serialized(connection)


def patched(data: bytes, name: str, *, size: int | None = None, flags: int = 0) -> bytes:
    """The zip with member `name` declaring another unpacked size, or more flag bits."""
    buf = bytearray(data)
    # signature, then the offsets of: flag bits, unpacked size, name length, name
    for signature, *at in ((b"PK\x03\x04", 6, 22, 26, 30), (b"PK\x01\x02", 8, 24, 28, 46)):
        flag_at, size_at, length_at, name_at = at
        start = buf.find(signature)
        while start >= 0:
            length = struct.unpack_from("<H", buf, start + length_at)[0]
            if buf[start + name_at:start + name_at + length] == name.encode():
                old = struct.unpack_from("<H", buf, start + flag_at)[0]
                struct.pack_into("<H", buf, start + flag_at, old | flags)
                if size is not None:
                    struct.pack_into("<I", buf, start + size_at, size)
            start = buf.find(signature, start + 1)
    return bytes(buf)


@functools.cache
def zip_bomb() -> bytes:
    """100 MB of zeros as collection.anki2, in a 100 kB zip; built in 1 MB steps."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("collection.anki2", "w") as member:
            for _ in range(100):
                member.write(bytes(1 << 20))
    return out.getvalue()


def with_nul_in_name() -> bytes:
    return zipped({"collection.anki2": collection(), "aZb": b""}).replace(b"aZb", b"a\x00b")


def duplicate_member() -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("collection.anki2", collection())
            archive.writestr("collection.anki2", b"x")
    return out.getvalue()


def damaged() -> bytes:
    data = bytearray(zipped({"collection.anki2": collection(notes=200)}))
    data[200:260] = bytes(60)  # inside the deflated collection
    return bytes(data)


# ---------------------------------------------------------------------------- our export

def test_every_question_type_round_trips_exactly():
    questions = [make(t) for t in SCHEMAS] + [make("numeric", "plain", unit=None,
                                                          source_check_ignore=None, difficulty=1)]
    result = round_trip(APKG, questions)
    assert snapshots(result.questions) == snapshots(questions)
    assert result.header == BankHeader(slug="demo-test-bank", title="Demo / test bank",
                                       description="About it.")


@pytest.mark.parametrize("name", list(BANKS))
def test_apkg_round_trips_a_real_bank(name: str):
    bank = BANKS[name]
    result = round_trip(APKG, bank.questions, bank.header)
    assert snapshots(result.questions) == snapshots(bank.questions)
    assert result.header.title == bank.header.title


def test_the_quizapp_field_is_the_question_as_compact_json():
    q = make("cloze", prompt="<b>{{1}}</b> & {{2}}")
    with zipfile.ZipFile(io.BytesIO(APKG.export(HEADER, [q]))) as archive:
        raw = archive.read("collection.anki2")
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(raw)
        (flds,) = connection.execute("SELECT flds FROM notes").fetchone()
    finally:
        connection.close()
    stored = flds.split("\x1f")[4]
    assert stored.startswith('{"key":"cloze","type":"cloze","prompt":"&lt;b&gt;{{1}}&lt;/b&gt;')
    assert "<" not in stored and ": " not in stored


@pytest.mark.parametrize(("stored", "reason"), [
    ("not json", 'note #1 "Where?": the Quizapp field is not valid JSON'),
    ("[1, 2]", 'note #1 "Where?": the Quizapp field is not a JSON object'),
    ("{" * 100_000, 'note #1 "Where?": the Quizapp field is not valid JSON'),
    ('{"key": "k", "type": "essay"}', 'note #1 "Where?": unknown type \'essay\''),
    ('{"key": "k", "type": "true_false", "prompt": "P", "answer": true, "explanation": "E", '
     '"source": ["minsk-talks#2"], "tags": ["Non sense"]}',
     "note #1 \"Where?\": tags: a topic tag is lowercase letters"),
])
def test_a_bad_quizapp_field_is_a_rejection(stored: str, reason: str):
    note = genanki.Note(model=QUIZAPP, fields=["Where?", "Minsk", "E", "minsk-talks#2", stored],
                        tags=["venue"])
    result = parse(deck(note))
    assert result.questions == []
    [rejection] = result.rejected
    assert rejection.reason.startswith(reason)


# ---------------------------------------------------------------------------- any Anki deck

def test_a_basic_deck_imports_as_short_answers():
    note = basic(
        front="What is the <b>capital</b> of&nbsp;Belarus?<br>Name&nbsp;it &amp; spell it",
        back="<div>Minsk</div><div><br></div>", explanation="It &lt;is&gt; the capital.",
        source="<i>minsk-talks#2</i>, minsk-talks#3 and minsk-talks#2.",
        tags=("venue", "global_picture", "Venue"), guid="abc")
    result = parse(deck(note))
    [q] = result.questions
    assert q.type == "short_answer" and re.fullmatch(KEY_RE, q.key)
    assert q.prompt == "What is the capital of Belarus?\nName it & spell it"
    assert q.answer_data() == {"answers": ["Minsk"], "typos": False, "accents": False}
    assert q.explanation == "It <is> the capital."
    assert q.source == ["minsk-talks#2", "minsk-talks#3"]
    assert q.tags == ["venue", "global-picture"] and q.difficulty == 2
    assert result.header == BankHeader(slug="belarus-capitals", title="Belarus::Capitals",
                                       description="From the talks")
    assert parse(deck(note)).questions[0].key == q.key  # from the GUID: stable
    assert parse(deck(basic(guid="abd"))).questions[0].key != q.key


@pytest.mark.parametrize(("note", "reason"), [
    (basic(source=""), "needs a source citation (write one like minsk-talks#2 in a Source"),
    (basic(source="the talks, page 2"), "needs a source citation"),
    (basic(explanation="<br>&nbsp;"), "needs an explanation (fill its Explanation field)"),
    (basic(model=PLAIN_BASIC), "needs an explanation (the note type 'Basic' has no Explanation"),
    (basic(tags=()), "needs at least one topic tag"),
    (basic(tags=("venue", "Tag.with.dots")), "tags: a topic tag is lowercase letters"),
    (basic(front="<img src='x.png'>"), "prompt: String should have at least 1 character"),
    (basic(back="x" * 1001), "answers.0: String should have at most 1000 characters"),
])
def test_a_note_that_cannot_be_a_question_is_rejected_with_the_reason(note, reason: str):
    result = parse(deck(note, basic(guid="fine")))
    assert len(result.questions) == 1
    [rejection] = result.rejected
    assert rejection.reason.startswith("note #1") and reason in rejection.reason


def test_a_cloze_note_is_skipped_naming_its_note_type():
    cloze = genanki.Note(model=CLOZE, fields=["{{c1::Minsk}} is the capital", ""])
    result = parse(deck(cloze, basic()))
    assert len(result.questions) == 1 and result.rejected == []
    assert [r.reason for r in result.skipped_types] == [
        "note #1 \"{{c1::Minsk}} is the capital\": note type 'Cloze' is a cloze type: only "
        "notes with Front and Back fields (like Anki's Basic) can be imported"]


def test_the_default_deck_names_no_bank():
    anki_deck = genanki.Deck(1, "Default")
    anki_deck.add_note(basic())
    assert parse(genanki_package(anki_deck)).header is None


@pytest.mark.parametrize(("html", "text"), [
    ("a<br>b<BR/>c", "a\nb\nc"),
    ("<div>one</div><div>two</div>", "one\ntwo"),
    ("&lt;b&gt; &amp;amp; &quot;", "<b> &amp; \""),
    ("<style>p {}</style><script>x()</script>shown", "shown"),
    ("x<br><br><br><br>y", "x\n\ny"),
])
def test_fields_become_plain_text(html: str, text: str):
    assert plain_text(html) == text


# ---------------------------------------------------------------------------- hostile

GARBAGE = b"SQLite format 3\x00" + b"\xff" * 4096
HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    ("not a zip", lambda: b"hello, world", "is not an Anki package: it is not a zip file"),
    ("damaged zip", damaged, "is a damaged zip file"),
    ("truncated zip", lambda: APKG.export(HEADER, [make("true_false")])[:-30],
     "not a zip file"),
    ("encrypted", lambda: patched(zipped({"collection.anki2": collection()}),
                                  "collection.anki2", flags=0x1), "collection.anki2 is encrypted"),
    ("bzip2", lambda: zipped({"collection.anki2": collection()}, zipfile.ZIP_BZIP2),
     "unsupported compression method (zip method 12)"),
    ("zip bomb", zip_bomb, "collection.anki2 would unpack to more than 64 MB"),
    ("lies about its size", lambda: patched(zipped({"collection.anki2": collection()}),
                                            "collection.anki2", size=1000),
     "damaged zip file (Bad CRC-32 for file 'collection.anki2')"),
    ("members too large together", lambda: functools.reduce(
        lambda data, name: patched(data, name, size=50 << 20), "012",
        zipped({"collection.anki2": collection(), "0": b"", "1": b"", "2": b""})),
     "would unpack to more than 128 MB"),
    ("parent", lambda: zipped({"../evil": b"x"}), "unsafe file name in the package: '../evil'"),
    ("nested parent", lambda: zipped({"media/../../x": b""}), "unsafe file name"),
    ("absolute", lambda: zipped({"/etc/passwd": b"x"}), "unsafe file name in the package: "
                                                        "'/etc/passwd'"),
    ("backslash", lambda: zipped({"a\\b": b"x"}),
     "unsafe file name in the package: " + repr("a\\b")),
    ("drive", lambda: zipped({"C:x": b"x"}), "unsafe file name in the package: 'C:x'"),
    ("nul", with_nul_in_name, "unsafe file name in the package: " + repr("a\x00b")),
    ("twice", duplicate_member, "holds collection.anki2 twice"),
    ("anki21b only", lambda: zipped({"collection.anki21b": b"\x28\xb5\x2f\xfd"}),
     'tick "Support older Anki versions"'),
    ("anki21b and a dummy", lambda: zipped({"collection.anki21b": b"\x28\xb5\x2f\xfd",
                                            "collection.anki2": collection()}),
     'tick "Support older Anki versions"'),
    ("no collection", lambda: zipped({"media": b"{}"}), "holds no Anki collection"),
    ("garbage collection", lambda: zipped({"collection.anki2": GARBAGE}),
     "is not an Anki collection: file is not a database"),
    ("empty file", lambda: zipped({"collection.anki2": b""}),
     "is not an Anki collection: file is not a database"),
    ("other database", lambda: zipped({"collection.anki2": collection("CREATE TABLE t (x);")}),
     "is not an Anki collection: col is missing"),
    ("notes is a view", lambda: zipped({"collection.anki2": collection(VIEW)}),
     "is not an Anki collection: notes is a view, not a table"),
    ("no columns", lambda: zipped({"collection.anki2": collection(
        "CREATE TABLE col (x); CREATE TABLE notes (x); CREATE TABLE cards (x);")}),
     "is not an Anki collection: no such column"),
    ("too many notes", lambda: zipped({"collection.anki2": collection(notes=20_001)}),
     "holds 20,001 notes; at most 20,000 can be imported at once"),
    ("huge field", lambda: zipped({"collection.anki2": collection(flds="a" * (9 << 20))}),
     "deck.apkg: a note or the note types take more than 8 MB"),
    ("bad note types", lambda: zipped({"collection.anki2": collection(models="[1]")}),
     "the note types cannot be read"),
]


@pytest.mark.parametrize(("case", "build", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_package_is_a_format_error(case: str, build: Callable[[], bytes],
                                             message: str):
    data = build()
    assert len(data) <= 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(FormatError, match=re.escape(message)):
        parse(data)
    assert time.monotonic() - started < 1


def test_a_runaway_query_is_stopped_by_the_time_limit(monkeypatch):
    """If the table check were missing, the progress handler would still stop the view."""
    monkeypatch.setattr(anki_package, "TABLES", ("col", "cards"))
    monkeypatch.setattr(anki_package, "QUERY_SECONDS", 0.2)
    data = zipped({"collection.anki2": collection(VIEW)})
    started = time.monotonic()
    with pytest.raises(FormatError, match=r"reading the collection took longer than 0\.2 s"):
        parse(data)
    assert time.monotonic() - started < 2


def test_a_member_is_read_no_further_than_the_cap(monkeypatch):
    """Declared sizes can lie: the read itself stops one byte past the cap."""
    monkeypatch.setattr(anki_package, "MAX_MEMBER_BYTES", anki_package.MB)
    data = zipped({"collection.anki2": collection(flds="a" * (2 << 20))})
    with pytest.raises(FormatError, match="would unpack to more than 1 MB"):
        parse(data)
    monkeypatch.setattr(anki_package, "_check_members", lambda infos, filename: None)
    with pytest.raises(FormatError, match="collection.anki2 unpacks to more than 1 MB"):
        parse(data)


def test_a_collection_of_notes_with_mismatched_fields_is_rejected_note_by_note():
    data = zipped({"collection.anki2": collection(flds="only one field")})
    [rejection] = parse(data).rejected
    assert rejection.reason == ('note #1 "only one field": its fields do not match its note '
                                "type 'Basic'")


BASE = APKG.export(HEADER, [make("single_choice"), make("true_false")])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.integers(0, 255)),
                        max_size=8),
       cut=st.one_of(st.none(), st.integers(0, len(BASE))))
def test_a_damaged_package_is_a_result_or_a_format_error(changes, cut):
    data = bytearray(BASE)
    for at, value in changes:
        data[at] = value
    try:
        result = parse(bytes(data[:cut]))
    except FormatError as e:
        assert str(e)
    else:
        assert isinstance(result, ImportResult)


# ---------------------------------------------------------------------------- Anki itself

def test_anki_reads_our_export_and_its_export_reads_back_exactly(tmp_path: Path):
    """Our package -> Anki -> Anki's own .apkg ("Support older Anki versions") -> the bank."""
    collection_module = pytest.importorskip(
        "anki.collection", reason="the anki package (AGPL, test extra) is not installed")
    questions = [make(t) for t in SCHEMAS]
    (tmp_path / "ours.apkg").write_bytes(APKG.export(HEADER, questions))
    col = collection_module.Collection(str(tmp_path / "collection.anki2"))
    try:
        col.import_anki_package(collection_module.ImportAnkiPackageRequest(
            package_path=str(tmp_path / "ours.apkg")))
        note = col.get_note(col.find_notes("")[0])
        assert list(note.keys()) == list(FIELDS)
        options = collection_module.ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=True)
        col.export_anki_package(out_path=str(tmp_path / "anki.apkg"), options=options,
                                limit=None)
    finally:
        col.close()
    result = parse((tmp_path / "anki.apkg").read_bytes())
    assert result.rejected == [] and result.skipped_types == []
    assert sorted(snapshots(result.questions), key=lambda s: s["key"]) == sorted(
        snapshots(questions), key=lambda s: s["key"])
    assert result.header.title == HEADER.title
