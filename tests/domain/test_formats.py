"""Import/export formats: round trips of the real banks, every field each format can carry,
CSV injection, stored-XSS payloads kept as plain data, and the Anki package."""

import html
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import genanki
import pytest

from quizapp.domain.bank_file import BankHeader, parse_bank
from quizapp.domain.formats import FORMATS, Format, FormatError, ImportResult, Rejection
from quizapp.domain.formats.apkg import stable_id
from quizapp.domain.formats.csv_table import neutralise, restore
from quizapp.domain.formats.gift import escape, unescape
from quizapp.domain.questions import QuestionBase, snapshot
from quizapp.qtypes.registry import SCHEMAS
from tests.domain.test_purity import impure_imports

ROOT = Path(__file__).resolve().parents[2]
BANK_FILES = sorted((ROOT / "question_bank").glob("*.yaml"))
BANKS = {p.name: parse_bank(p.read_text(encoding="utf-8"), p.name) for p in BANK_FILES}
IMPORTABLE = [name for name, f in FORMATS.items() if f.can_import]
TEXT_IMPORTABLE = [name for name in IMPORTABLE if not FORMATS[name].binary]
HEADER = BankHeader(slug="demo", title="Demo / test bank", description="About it.",
                    article="minsk-talks")
NO_GIFT = {"ordering", "cloze"}

ANSWERS: dict[str, dict[str, Any]] = {
    "single_choice": {"options": [{"text": "Minsk", "correct": True}, {"text": "Kyiv"}]},
    "multiple_choice": {"options": [{"text": "OSCE", "correct": True},
                                    {"text": "Russia", "correct": True},
                                    {"text": "Ukraine", "correct": True}, {"text": "EU"}]},
    "true_false": {"answer": False},
    "short_answer": {"answers": ["Zaslaūje", "Zaslavl"], "typos": True, "accents": True},
    "numeric": {"value": -12.5, "tolerance": 0.25, "unit": "US dollars", "scale": "billion"},
    "ordering": {"items": ["First", "Second", "Third"]},
    "matching": {"pairs": [{"left": "Kuchma", "right": "Ukraine"},
                           {"left": "Zurabov", "right": "Russia"}]},
    "cloze": {"gaps": [["20", "twenty"], ["MH17"]], "typos": True, "any_order": [[1, 2]]},
}


def make(qtype: str, key: str | None = None, **fields: Any) -> QuestionBase:
    data = {
        "key": key or qtype.replace("_", "-"),
        "type": qtype,
        "prompt": "They freed {{1}} detainees near {{2}}." if qtype == "cloze" else f"A {qtype}?",
        "explanation": "Because the article says so.",
        "source": ["minsk-talks#2", "trafficking#11"],
        "tags": ["venue", "people"],
        "difficulty": 3,
        "source_check_ignore": "a paraphrase",
        **ANSWERS[qtype],
        **fields,
    }
    return SCHEMAS[qtype].model_validate(data)


def round_trip(fmt: Format, questions: list[QuestionBase],
               header: BankHeader = HEADER) -> ImportResult:
    result = fmt.parse(fmt.export(header, questions), f"bank.{fmt.extension}")
    assert result.rejected == []
    assert result.skipped_types == []
    return result


def snapshots(questions: list[QuestionBase]) -> list[dict[str, Any]]:
    return [snapshot(q) for q in questions]


# ---------------------------------------------------------------------------- registry

def test_the_registry_names_every_format():
    assert list(FORMATS) == ["yaml", "csv", "gift", "moodle-xml", "apkg"]
    for name, fmt in FORMATS.items():
        assert fmt.name == name and fmt.extension and "/" in fmt.media_type
        assert fmt.can_export and fmt.types <= set(SCHEMAS)
    assert IMPORTABLE == ["yaml", "csv", "gift", "moodle-xml", "apkg"]
    assert TEXT_IMPORTABLE == ["yaml", "csv", "gift", "moodle-xml"]
    assert FORMATS["gift"].types == FORMATS["moodle-xml"].types == set(SCHEMAS) - NO_GIFT
    assert FORMATS["yaml"].types == FORMATS["csv"].types == FORMATS["apkg"].types
    export_only = Format("pdf", "PDF", "pdf", "application/pdf", frozenset(), lambda h, q: b"")
    with pytest.raises(FormatError, match="^PDF files cannot be imported$"):
        export_only.parse(b"%PDF", "x.pdf")


@pytest.mark.parametrize("path", sorted((ROOT / "quizapp/domain/formats").glob("*.py")),
                         ids=lambda p: p.name)
def test_format_modules_are_pure(path: Path):
    assert not impure_imports(path), f"{path.name} imports {impure_imports(path)}"
    assert len(path.read_text().splitlines()) <= 300


# ---------------------------------------------------------------------------- real banks

def test_the_real_banks_hold_every_question_of_their_files_valid():
    assert all(bank.ok for bank in BANKS.values())
    keys = sum(len(re.findall(r"^  - key: ", p.read_text(encoding="utf-8"), re.MULTILINE))
               for p in BANK_FILES)
    assert sum(len(bank.questions) for bank in BANKS.values()) == keys >= 2 * 70


@pytest.mark.parametrize("name", list(BANKS))
def test_yaml_round_trips_a_real_bank_exactly(name: str):
    bank = BANKS[name]
    result = round_trip(FORMATS["yaml"], bank.questions, bank.header)
    assert result.header == bank.header
    assert snapshots(result.questions) == snapshots(bank.questions)
    again = FORMATS["yaml"].export(result.header, result.questions)
    assert again == FORMATS["yaml"].export(bank.header, bank.questions)


@pytest.mark.parametrize("name", list(BANKS))
def test_csv_round_trips_a_real_bank(name: str):
    bank = BANKS[name]
    result = round_trip(FORMATS["csv"], bank.questions, bank.header)
    assert result.header is None
    assert snapshots(result.questions) == snapshots(bank.questions)


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml"])
@pytest.mark.parametrize("name", list(BANKS))
def test_gift_and_moodle_round_trip_every_supported_question(name: str, fmt: str):
    bank, f = BANKS[name], FORMATS[fmt]
    result = round_trip(f, bank.questions, bank.header)
    supported = [q for q in bank.questions if q.type not in NO_GIFT]
    assert snapshots(result.questions) == snapshots(supported)
    expected_header = bank.header if fmt == "gift" else bank.header.model_copy(
        update={"article": None, "topics": None})  # Moodle XML keeps neither
    assert result.header == expected_header
    left_out = f.unsupported(bank.questions)
    assert [r.key for r in left_out] == [q.key for q in bank.questions if q.type in NO_GIFT]
    assert left_out and all(r.line is None for r in left_out)
    label = "GIFT" if fmt == "gift" else "Moodle XML"
    assert {r.reason for r in left_out} == {f"ordering questions cannot be written to {label}",
                                            f"cloze questions cannot be written to {label}"}


# ---------------------------------------------------------------------------- every field

@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_every_field_a_format_can_carry_survives(fmt: str):
    f = FORMATS[fmt]
    questions = [make(t) for t in SCHEMAS] + [make("numeric", "plain", unit=None,
                                                          source_check_ignore=None, difficulty=1)]
    result = round_trip(f, questions)
    kept = [q for q in questions if q.type in f.types]
    assert snapshots(result.questions) == snapshots(kept)
    assert f.unsupported(questions) == [Rejection(None, q.key, f"{q.type} questions cannot be "
                                                  f"written to {f.label}")
                                        for q in questions if q.type not in f.types]
    headers = {"yaml": HEADER, "csv": None, "gift": HEADER,
               "moodle-xml": HEADER.model_copy(update={"article": None}),
               "apkg": BankHeader(slug="demo-test-bank", title=HEADER.title,
                                  description=HEADER.description)}
    assert result.header == headers[fmt]


def test_export_reports_rather_than_drops_silently():
    questions = [make("ordering"), make("single_choice")]
    gift = FORMATS["gift"]
    assert [r.key for r in gift.unsupported(questions)] == ["ordering"]
    assert b"::ordering::" not in gift.export(HEADER, questions)
    assert b"::single-choice::" in gift.export(HEADER, questions)


def test_a_question_xml_cannot_carry_is_reported():
    control = make("true_false", prompt="A bell\x07 rings")
    assert [r.reason for r in FORMATS["moodle-xml"].unsupported([control])] == [
        "the text holds control characters that XML cannot carry"]
    assert b"A bell" not in FORMATS["moodle-xml"].export(HEADER, [control])
    for fmt in ("yaml", "csv", "gift"):
        assert snapshots(round_trip(FORMATS[fmt], [control]).questions) == snapshots([control])


@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_line_breaks_and_carriage_returns_survive(fmt: str):
    q = make("single_choice", prompt="Line one\r\nline two\n\n  indented\tthree",
             explanation="First paragraph.\n\nSecond\rparagraph.")
    assert snapshots(round_trip(FORMATS[fmt], [q]).questions) == snapshots([q])


# ---------------------------------------------------------------------------- GIFT

SPECIAL = "All of them: ~ = # { } : \\ and \\n, ->, //, ::, ####, {{1}}, %50%, [html] \\\\ end"


def test_gift_escapes_every_special_character():
    assert escape("~=#{}:\\") == "\\~\\=\\#\\{\\}\\:\\\\"
    assert unescape(escape(SPECIAL)) == SPECIAL
    assert unescape(escape("a -> b\nc", arrow=True)) == "a -> b\nc"
    questions = [
        make("single_choice", prompt=SPECIAL, explanation=SPECIAL,
             options=[{"text": SPECIAL, "correct": True}, {"text": "~=#"}]),
        make("multiple_choice", prompt=SPECIAL,
             options=[{"text": "%50%x", "correct": True}, {"text": "a#b"}]),
        make("short_answer", prompt=SPECIAL, answers=["=x", "a~b", "c\\"]),
        make("matching", prompt=SPECIAL, pairs=[{"left": "a -> b", "right": "c -> d"},
                                                {"left": "{x}", "right": "=y"}]),
        make("numeric", prompt=SPECIAL, unit="m: {a}", source_check_ignore=SPECIAL),
    ]
    result = round_trip(FORMATS["gift"], questions)
    assert snapshots(result.questions) == snapshots(questions)


def test_gift_writes_what_moodle_reads():
    questions = [make("single_choice"), make("multiple_choice"), make("true_false"),
                 make("short_answer"), make("numeric"), make("matching")]
    text = FORMATS["gift"].export(HEADER, questions).decode()
    assert "// source: minsk-talks#2 trafficking#11 tags: venue people difficulty: 3" in text
    assert "::single-choice::[markdown]A single_choice? {\n=Minsk\n~Kyiv\n####Because" in text
    assert "~%33.33333%OSCE\n~%33.33333%Russia\n~%33.33333%Ukraine\n~%-33.33333%EU" in text
    assert "{\nF\n####" in text
    assert "{\n=Zaslaūje\n=Zaslavl\n####" in text
    assert "{\n#-12.5:0.25\n####" in text and "// unit: US dollars\n// scale: billion" in text
    assert "=Kuchma -> Ukraine\n=Zurabov -> Russia" in text
    assert "// typos: true\n// accents: true" in text


@pytest.mark.parametrize("right", range(1, 9))
def test_gift_multiple_choice_weights_sum_to_100(right: int):
    options = [{"text": f"right {i}", "correct": True} for i in range(right)]
    q = make("multiple_choice", options=[*options, {"text": "wrong"}])
    lines = FORMATS["gift"].export(HEADER, [q]).decode().splitlines()
    weights = [float(line.split("%")[1]) for line in lines if line.startswith("~%")]
    assert abs(sum(w for w in weights if w > 0) - 100) < 0.001
    assert weights[-1] == -weights[0]


HAND_WRITTEN_GIFT = """\
// A quiz written by hand.
$CATEGORY: $course$/Minsk

// source: minsk-talks#2 tags: venue
::Q1 Venue::Where did they meet? {=Zaslaūje ~Vienna#No, not Vienna. ~Kyiv ####A residence.}

// source: minsk-talks#1, minsk-talks#2
// tags: venue, people difficulty: 1
Who called? {
  =Poroshenko
  =Petro Poroshenko
  ####The Ukrainian president.
}

// source: minsk-talks#2 tags: outcome
::tf::Talks were public.{FALSE#Wrong.#Right. ####They were closed.}

// source: minsk-talks#2 tags: outcome
::range::How many detainees per side? {#15..25 ####Twenty.}

// source: minsk-talks#2 tags: outcome
::missing::The talks were held in {=Belarus ~Poland ####Minsk.} in July.

::no-source::Who came? {=Kuchma ~Putin ####Kuchma.}

// source: minsk-talks#2
::no-tags::Who came? {=Kuchma ~Putin ####Kuchma.}

// source: minsk-talks#2 tags: venue
::essay::Write about the talks. {}

// source: minsk-talks#2 tags: venue
::unbalanced::Where? {=Minsk ~Kyiv ####x.
"""


def test_gift_reads_hand_written_files():
    result = FORMATS["gift"].parse(HAND_WRITTEN_GIFT.encode(), "quiz.gift")
    by_key = {q.key: q for q in result.questions}
    assert list(by_key) == ["q1-venue", "who-called", "tf", "range", "missing"]
    assert by_key["q1-venue"].answer_data() == {"options": [
        {"text": "Zaslaūje", "correct": True},
        {"text": "Vienna", "correct": False, "feedback": "No, not Vienna."},
        {"text": "Kyiv", "correct": False}]}
    assert by_key["who-called"].source == ["minsk-talks#1", "minsk-talks#2"]
    assert by_key["who-called"].tags == ["venue", "people"] and by_key["who-called"].difficulty == 1
    assert by_key["tf"].answer_data() == {"answer": False}
    assert by_key["range"].answer_data() == {"value": 20, "tolerance": 5, "unit": None,
                                             "scale": None}
    assert by_key["missing"].prompt == "The talks were held in _____ in July."
    assert result.header is None
    assert [(r.line, r.key, r.reason) for r in result.rejected] == [
        (24, "no-source", "needs a source citation (add // source: article#n)"),
        (27, "no-tags", "needs at least one topic tag (add tags: ... to the // source: line, "
                        "e.g. tags: venue)"),
        (33, "unbalanced", "unbalanced braces: each { needs a } (write \\{ or \\} for a brace)"),
    ]
    assert [(r.line, r.key) for r in result.skipped_types] == [(30, "essay")]
    assert "essay" in result.skipped_types[0].reason


# ---------------------------------------------------------------------------- Moodle XML

def test_moodle_xml_has_the_moodle_structure():
    questions = [make("single_choice"), make("multiple_choice"), make("numeric")]
    xml = FORMATS["moodle-xml"].export(HEADER, questions).decode()
    assert xml.startswith("<?xml version='1.0' encoding='utf-8'?>\n<quiz>")
    assert '<question type="multichoice">' in xml and "<single>false</single>" in xml
    assert '<answer fraction="33.33333" format="markdown">' in xml
    assert '<answer fraction="-33.33333" format="markdown">' in xml
    assert '<questiontext format="markdown">' in xml and "<generalfeedback" in xml
    assert "<text>source:minsk-talks#2</text>" in xml and "<text>venue</text>" in xml
    assert "<tolerance>0.25</tolerance>" in xml and "<unit_name>billion US dollars" in xml
    assert "<text>$course$/top/Demo // test bank</text>" in xml


def test_moodle_xml_reads_files_moodle_writes():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/Default for Minsk</text></category>
  </question>
  <question type="multichoice">
    <name><text>Venue question</text></name>
    <questiontext format="html"><text><![CDATA[<p>Where did they <b>meet</b>?</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text>At a residence.</text></generalfeedback>
    <single>true</single>
    <answer fraction="100"><text>Zaslaūje</text><feedback><text>Yes</text></feedback></answer>
    <answer fraction="0"><text>Vienna</text></answer>
    <tags><tag><text>source:minsk-talks#2</text></tag><tag><text>venue</text></tag></tags>
  </question>
  <question type="essay"><name><text>essay</text></name></question>
  <question type="truefalse">
    <name><text>tf</text></name><questiontext><text>Public?</text></questiontext>
    <generalfeedback><text>No.</text></generalfeedback>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
</quiz>"""
    result = FORMATS["moodle-xml"].parse(xml.encode(), "moodle.xml")
    assert result.header == BankHeader(slug="default-for-minsk", title="Default for Minsk")
    [q] = result.questions
    assert (q.key, q.prompt) == ("venue-question", "<p>Where did they <b>meet</b>?</p>")
    assert q.source == ["minsk-talks#2"] and q.tags == ["venue"] and q.difficulty == 2
    assert [(r.key, r.reason) for r in result.skipped_types] == [
        ("essay", "question #3: Moodle 'essay' questions have no quizapp type")]
    assert [(r.key, r.reason) for r in result.rejected] == [
        ("tf", "question #4: needs a source citation (add a tag source:article#n)")]


# ---------------------------------------------------------------------------- CSV

def test_csv_neutralises_formulas_and_restores_them():
    for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=x", "''-x"]:
        assert neutralise(cell) == "'" + cell
        assert restore(neutralise(cell)) == cell
    for cell in ["plain", "'quoted", "1-2", "{\"a\": 1}", "''"]:
        assert neutralise(cell) == cell and restore(cell) == cell
    q = make("short_answer", prompt="=HYPERLINK(\"http://evil\")", explanation="-2 is less",
             answers=["+1", "@me", "'=x"])
    data = FORMATS["csv"].export(HEADER, [q])
    assert data.startswith("\ufeff".encode())
    rows = data.decode("utf-8-sig").splitlines()
    assert rows[0] == ("key,type,prompt,explanation,source,tags,difficulty,answer,"
                       "source_check_ignore")
    assert ',"\'=HYPERLINK(""http://evil"")",\'-2 is less,' in rows[1]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in rows[1].split(","))
    assert snapshots(round_trip(FORMATS["csv"], [q]).questions) == snapshots([q])


CSV_FILE = """\
Key,Type,Prompt,Explanation,Source,Tags,Answer
ok-1,true_false,Public?,No.,minsk-talks#2,venue,"{""answer"": false}"
bad-json,true_false,Public?,No.,minsk-talks#2,venue,{answer: false}
short,true_false,Public?
ok-2,single_choice,"Where,
exactly?",Minsk.,minsk-talks#2 minsk-talks#3,venue people,"{""options"": [{""text"": \
""Minsk"", ""correct"": true}, {""text"": ""Kyiv""}]}"
extra,true_false,Public?,No.,minsk-talks#2,venue,"{""answer"": false, ""options"": []}"
not-object,true_false,Public?,No.,minsk-talks#2,venue,[1]
invalid,true_false,Public?,No.,minsk-talks#2,venue,"{""answer"": ""maybe""}"
ok-1,true_false,Public?,No.,minsk-talks#2,venue,"{""answer"": true}"

"""


def test_csv_rejects_bad_rows_with_their_line_and_imports_the_rest():
    result = FORMATS["csv"].parse(CSV_FILE.encode(), "bank.csv")
    assert [q.key for q in result.questions] == ["ok-1", "ok-2"]
    assert result.questions[1].prompt == "Where,\nexactly?"
    assert result.questions[1].difficulty == 2
    rejected = [(r.line, r.key, r.reason) for r in result.rejected]
    assert rejected[0] == (3, "bad-json", "answer is not valid JSON (Expecting property name "
                                          "enclosed in double quotes at character 2)")
    assert rejected[1] == (4, "short", "the row has 3 cells but the header names 7 columns; "
                                       "a column is missing or extra")
    assert rejected[2][:2] == (7, "extra") and "'options'" in rejected[2][2]
    assert rejected[3] == (8, "not-object", 'answer must be a JSON object, like {"answer": true}')
    assert rejected[4][:2] == (9, "invalid") and rejected[4][2].startswith("answer:")
    assert rejected[5] == (10, "ok-1", "key is already used by an earlier question (line 2)")


@pytest.mark.parametrize(("text", "message"), [
    ("", "is empty"),
    ("key,type,prompt\n", "has no 'explanation' column"),
    ("key,type,prompt,explanation,source,tags,answer,colour\n", "unknown column 'colour'"),
    ("key,key,type,prompt,explanation,source,tags,answer\n", "'key' is named twice"),
    ('key,type,prompt,explanation,source,tags,answer\n"a"b,c\n', "line 2: not valid CSV"),
])
def test_csv_refuses_a_file_without_a_usable_header(text: str, message: str):
    with pytest.raises(FormatError, match=message):
        FORMATS["csv"].parse(text.encode(), "bank.csv")


# ---------------------------------------------------------------------------- stored XSS

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(document.cookie)",
    "[click](javascript:alert(1))",
    '"><svg onload=alert(1)>',
    "'><script>alert(String.fromCharCode(88,83,83))</script>",
    "<iframe src=\"javascript:alert('xss')\"></iframe>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<body onload=alert(1)>",
    "<svg><script>alert&#40;1&#41;</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></math>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "\"onmouseover=\"alert(1)",
    "<div style=\"background:url(javascript:alert(1))\">",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<![CDATA[<script>alert(1)</script>]]>",
    "]]><script>alert(1)</script>",
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "=cmd|' /C calc'!A0",
    "<object data=\"javascript:alert(1)\"></object>",
    "\u202e<script>alert(1)</script>",
]


@pytest.mark.parametrize("fmt", IMPORTABLE)
@pytest.mark.parametrize("payload", XSS, ids=range(len(XSS)))
def test_stored_xss_payloads_stay_plain_text(fmt: str, payload: str):
    questions = [
        make("single_choice", prompt=payload, explanation=payload,
             options=[{"text": payload, "correct": True}, {"text": "safe"}]),
        make("short_answer", prompt=f"Q: {payload}", answers=[payload]),
        make("matching", pairs=[{"left": payload, "right": "a"}, {"left": "b", "right": payload}]),
    ]
    result = round_trip(FORMATS[fmt], questions)
    assert snapshots(result.questions) == snapshots(questions)


# ---------------------------------------------------------------------------- Anki

def anki_notes(data: bytes, tmp_path: Path) -> tuple[list[tuple], dict, dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]
        archive.extract("collection.anki2", tmp_path)
    connection = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        notes = connection.execute("SELECT guid, mid, tags, flds FROM notes ORDER BY id").fetchall()
        models, decks = connection.execute("SELECT models, decks FROM col").fetchone()
        cards = connection.execute("SELECT count(*) FROM cards").fetchone()[0]
    finally:
        connection.close()
    assert cards == len(notes)
    return notes, json.loads(models), json.loads(decks)


def test_anki_package_has_one_note_per_question(tmp_path: Path):
    questions = [make(t) for t in SCHEMAS] + [make("true_false", "xss", prompt=XSS[0])]
    notes, models, decks = anki_notes(FORMATS["apkg"].export(HEADER, questions), tmp_path)
    assert len(notes) == len(questions) == 9
    model_id = stable_id("quizapp-model", "demo")
    assert 1 << 30 <= model_id < 1 << 31
    assert [f["name"] for f in models[str(model_id)]["flds"]] == [
        "Front", "Back", "Explanation", "Source", "Quizapp"]
    assert "Quizapp" not in json.dumps(models[str(model_id)]["tmpls"])
    assert decks[str(stable_id("quizapp-deck", "demo"))]["name"] == "Demo / test bank"
    by_guid = {guid: (mid, tags, flds.split("\x1f")) for guid, mid, tags, flds in notes}
    for q in questions:
        mid, tags, fields = by_guid[genanki.guid_for("demo", q.key)]
        assert mid == model_id and tags.split() == ["venue", "people"] and len(fields) == 5
        assert fields[2] == "Because the article says so."
        assert fields[3] == "minsk-talks#2, trafficking#11"
        assert json.loads(html.unescape(fields[4])) == snapshot(q)
    front, back = lambda key: by_guid[genanki.guid_for("demo", key)][2][0], \
        lambda key: by_guid[genanki.guid_for("demo", key)][2][1]
    assert front("single-choice") == ('A single_choice?<ol type="a"><li>Minsk</li>'
                                      "<li>Kyiv</li></ol>")
    assert back("single-choice") == "<ul><li>Minsk</li></ul>"
    assert front("cloze") == "They freed _____ detainees near _____."
    assert back("cloze") == "They freed <b>20 / twenty</b> detainees near <b>MH17</b>."
    assert back("numeric") == "-12.5 ± 0.25 billion US dollars"
    assert back("ordering") == "<ol><li>First</li><li>Second</li><li>Third</li></ol>"
    assert back("matching") == "<ul><li>Kuchma → Ukraine</li><li>Zurabov → Russia</li></ul>"
    assert back("true-false") == "False" and back("short-answer") == "Zaslaūje / Zaslavl"
    assert front("xss").startswith("&lt;script&gt;alert(1)&lt;/script&gt;")


def test_anki_guids_and_ids_are_stable_across_exports(tmp_path: Path):
    bank = BANKS["minsk-talks.yaml"]
    first, _, _ = anki_notes(FORMATS["apkg"].export(bank.header, bank.questions), tmp_path / "a")
    second, _, _ = anki_notes(FORMATS["apkg"].export(bank.header, bank.questions), tmp_path / "b")
    assert len(first) == len(bank.questions) >= 90
    assert [n[:2] for n in first] == [n[:2] for n in second]
    assert len({n[0] for n in first}) == len(bank.questions)
    assert FORMATS["apkg"].unsupported(bank.questions) == []
