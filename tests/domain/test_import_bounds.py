"""Imports stay bounded: YAML aliases are refused before anything is built, every value echoed
in a message is a short excerpt, huge integers are a clear rejection, and the YAML reader's
cost grows linearly with the file."""

import json

import pytest

from quizapp.domain import bank_file
from quizapp.domain.formats import FORMATS, FormatError
from quizapp.domain.formats.base import MAX_ECHO, excerpt
from quizapp.domain.markdown import render_markdown
from tests.domain.test_formats import HEADER, TEXT_IMPORTABLE, make


def parse(fmt: str, text: str):
    return FORMATS[fmt].parse(text.encode("utf-8"), f"upload.{FORMATS[fmt].extension}")


def laughs(levels: int) -> str:
    lines = ['l0: &l0 "lol"']
    for n in range(1, levels + 1):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    lines += ["questions:", f"  - {{key: a, type: *l{levels}, prompt: x}}"]
    return "\n".join(lines) + "\n"


def test_yaml_aliases_are_refused_before_anything_is_built():
    text = laughs(9)  # 9**9 strings once expanded: hundreds of megabytes as text
    assert len(text) < 700
    with pytest.raises(FormatError, match="anchors and aliases") as e:
        parse("yaml", text)
    assert len(str(e.value)) < 300


def test_a_yaml_alias_cannot_multiply_stored_text():
    long = "x" * 19_000
    questions = "\n".join(
        f"  - {{key: q{n}, type: true_false, prompt: *p, explanation: *p, answer: true,"
        f" source: [a#1], tags: [trafficking]}}" for n in range(50))
    text = f"bank: {{slug: demo, title: Demo}}\nlong: &p {long}\nquestions:\n{questions}\n"
    with pytest.raises(FormatError, match="anchors and aliases"):
        parse("yaml", text)


@pytest.mark.parametrize("value", ["t" * 10_000, ["a"] * 5_000, {"k": "v" * 5_000}])
def test_yaml_rejections_echo_only_an_excerpt(value):
    text = json.dumps({"bank": {"slug": "demo", "title": "Demo"},
                       "questions": [{"key": "a", "type": value, "prompt": "p"}]})
    result = parse("yaml", text)
    assert result.rejected
    assert all(len(str(r)) < 400 for r in result.rejected)


def test_csv_rejections_echo_only_an_excerpt():
    header = "key,type,prompt,explanation,source,tags,answer\r\n"
    row = f'{"k" * 5000},{"t" * 10_000},p,e,a#1,trafficking,"{{""{"z" * 5000}"": 1}}"\r\n'
    result = parse("csv", header + row)
    assert result.rejected
    assert all(len(str(r)) < 400 for r in result.rejected)


def test_an_unknown_csv_column_is_echoed_as_an_excerpt():
    with pytest.raises(FormatError) as e:
        parse("csv", "key,type," + "c" * 10_000 + "\r\n")
    assert len(str(e.value)) < 400


def test_excerpt_caps_every_value():
    assert excerpt("abc") == "'abc'"
    long = excerpt("x" * 1000)
    assert len(long) <= MAX_ECHO + 3 and long.endswith("...")
    assert excerpt(10 ** 5000).endswith("...")  # repr() itself would raise ValueError


HUGE = "9" * 5000  # beyond Python's 4,300-digit limit for int <-> str


def test_a_huge_yaml_integer_is_a_clear_rejection():
    text = (f"bank: {{slug: demo, title: Demo}}\nquestions:\n"
            f"  - {{key: a, type: numeric, prompt: p, value: {HUGE}}}\n")
    with pytest.raises(FormatError, match="too many digits"):
        parse("yaml", text)


def test_a_huge_csv_integer_is_a_clear_rejection():
    q = make("numeric", key="n1")
    text = FORMATS["csv"].export(HEADER, [q]).decode("utf-8-sig")
    text = text.replace("-12.5", HUGE)
    assert HUGE in text
    result = parse("csv", text)
    assert not result.questions
    assert "too many digits" in str(result.rejected[0])


@pytest.mark.parametrize("fmt", TEXT_IMPORTABLE)
def test_no_text_format_fails_on_a_huge_integer(fmt: str):
    q = make("numeric", key="n1")
    text = FORMATS[fmt].export(HEADER, [q]).decode("utf-8-sig").replace("-12.5", HUGE)
    try:
        result = parse(fmt, text)
    except FormatError as e:
        assert len(str(e)) < 400
    else:
        assert all(len(str(r)) < 400 for r in result.rejected)


def test_yaml_reading_is_linear_in_the_number_of_keys(monkeypatch):
    """Locating an error's line walks each mapping once, not once per error."""
    steps = 0
    real = bank_file._children

    def counting(node):
        nonlocal steps
        steps += 1
        return real(node)

    monkeypatch.setattr(bank_file, "_children", counting)

    def cost(n: int) -> int:
        nonlocal steps
        steps = 0
        extras = "\n".join(f"x{i}: 1" for i in range(n))
        text = f"bank: {{slug: demo, title: Demo}}\n{extras}\nquestions: [1]\n"
        bank_file.parse_bank(text)
        return steps

    assert cost(2000) <= 2 * cost(1000) + 10


def test_markdown_is_rendered_once_per_text(monkeypatch):
    from quizapp.domain import markdown

    calls = 0
    real = markdown._md.render

    def counting(text):
        nonlocal calls
        calls += 1
        return real(text)

    monkeypatch.setattr(markdown._md, "render", counting)
    text = "[*!" * 20 + " unique text for this test"
    first = render_markdown(text)
    for _ in range(5):
        assert render_markdown(text) == first
    assert calls == 1


HOSTILE_MARKDOWN = "[*!" * 20_000  # took a results page past the 30 s worker timeout


@pytest.mark.parametrize("field", ["prompt", "explanation"])
def test_markdown_fields_are_capped_where_rendering_stays_cheap(field: str):
    from pydantic import ValidationError

    from quizapp.domain.questions import MAX_EXPLANATION, MAX_PROMPT
    from quizapp.qtypes.registry import SCHEMAS

    cap = {"prompt": MAX_PROMPT, "explanation": MAX_EXPLANATION}[field]
    assert cap <= 10_000  # markdown-it is superlinear on `[*!`: 0.25 s at 10,000, 1 s at 20,000
    base = make("true_false").model_dump()
    SCHEMAS["true_false"].model_validate({**base, field: HOSTILE_MARKDOWN[:cap]})
    for text in (HOSTILE_MARKDOWN[:cap + 1], HOSTILE_MARKDOWN):
        with pytest.raises(ValidationError, match="at most"):
            SCHEMAS["true_false"].model_validate({**base, field: text})


def test_a_hostile_prompt_in_an_import_is_a_rejection():
    q = make("true_false", key="slow")
    text = FORMATS["csv"].export(HEADER, [q]).decode("utf-8-sig")
    result = parse("csv", text.replace("A true_false?", HOSTILE_MARKDOWN))
    assert not result.questions and "at most 5000 characters" in str(result.rejected[0])
