"""The bank file schema: every type accepted, every malformed input its own clear error."""

import re
from pathlib import Path

import pytest
import yaml

from quizapp.domain.bank_file import parse_bank
from quizapp.qtypes.registry import SCHEMAS
from tests.conftest import SAMPLE_ANSWERS

README = Path(__file__).resolve().parents[2] / "question_bank" / "README.md"

BASE = {
    "key": "q1",
    "prompt": "A question?",
    "explanation": "Why.",
    "source": ["minsk-talks#2"],
    "tags": ["venue"],
}


def bank_text(*questions: dict, header: dict | None = None) -> str:
    return yaml.safe_dump(
        {"bank": header or {"slug": "demo", "title": "Demo"}, "questions": list(questions)},
        sort_keys=False,
        allow_unicode=True,
    )


def question(qtype: str, **overrides) -> dict:
    q = {**BASE, "type": qtype, **SAMPLE_ANSWERS[qtype], **overrides}
    if qtype == "cloze" and "prompt" not in overrides:
        q["prompt"] = "They freed {{1}} detainees."
    return {k: v for k, v in q.items() if v is not None}


@pytest.mark.parametrize("qtype", list(SCHEMAS))
def test_every_type_is_accepted(qtype):
    result = parse_bank(bank_text(question(qtype)))
    assert result.errors == []
    assert result.questions[0].type == qtype


def test_the_readme_examples_are_valid():
    """Every YAML example in question_bank/README.md that holds questions parses."""
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(), re.S)
    seen = set()
    for block in blocks:
        if block.lstrip().startswith("- key:") or block.lstrip().startswith("bank:"):
            text = block if block.lstrip().startswith("bank:") else (
                "bank: {slug: demo, title: Demo}\nquestions:\n" + block
            )
            # README fragments omit the common fields after the first example.
            data = yaml.safe_load(text)
            for q in data["questions"]:
                q.setdefault("explanation", "Why.")
                q.setdefault("source", ["minsk-talks#1"])
                q.setdefault("tags", ["venue"])
            result = parse_bank(yaml.safe_dump(data, allow_unicode=True))
            assert result.errors == [], block
            seen.update(q.type for q in result.questions)
    assert seen == set(SCHEMAS)


MALFORMED = [
    # (description, question or raw text, expected field, expected words)
    ("unknown type", question("single_choice", type="essay"), "type", "unknown type"),
    ("two correct in single choice",
     question("single_choice", options=[{"text": "a", "correct": True},
                                        {"text": "b", "correct": True}]),
     "options", "exactly one correct option"),
    ("no correct in single choice",
     question("single_choice", options=[{"text": "a"}, {"text": "b"}]),
     "options", "exactly one correct option"),
    ("no correct in multiple choice",
     question("multiple_choice", options=[{"text": "a"}, {"text": "b"}]),
     "options", "at least one correct"),
    ("one option only", question("single_choice", options=[{"text": "a", "correct": True}]),
     "options", "at least 2"),
    ("duplicate options",
     question("single_choice", options=[{"text": "Minsk", "correct": True}, {"text": "minsk"}]),
     "options", "two options are the same"),
    ("negative tolerance", question("numeric", tolerance=-1), "tolerance", "0 or more"),
    ("value not a number", question("numeric", value="lots"), "value", "valid number"),
    ("gap without answer", question("cloze", prompt="A {{1}} and {{2}}."), "gaps",
     "every gap needs an answer"),
    ("gap numbering", question("cloze", prompt="A {{2}}."), "gaps", "every gap needs an answer"),
    ("bad citation", question("true_false", source=["trafficking 11"]), "source",
     "source must look like trafficking#11"),
    ("no citation", question("true_false", source=[]), "source",
     "a traced bank cites a paragraph for every question"),
    ("tag not a topic slug", question("true_false", tags=["Gossip column"]), "tags",
     "a topic tag is lowercase letters, digits and dashes"),
    ("no tags", question("true_false", tags=[]), "tags", "at least 1"),
    ("difficulty out of range", question("true_false", difficulty=5), "difficulty",
     "less than or equal to 3"),
    ("true_false not a bool", question("true_false", answer="maybe"), "answer",
     "valid boolean"),
    ("empty prompt", question("true_false", prompt="   "), "prompt", "at least 1 character"),
    ("missing explanation", question("true_false", explanation=None), "explanation",
     "a traced bank explains every answer"),
    ("bad key", question("true_false", key="Bad Key!"), "key", "should match pattern"),
    ("unknown field", question("true_false", colour="red"), "colour", "Extra inputs"),
    ("short answer without answers", question("short_answer", answers=[]), "answers",
     "at least 1"),
    ("ordering with one item", question("ordering", items=["only"]), "items", "at least 2"),
    ("matching with repeated right side",
     question("matching", pairs=[{"left": "a", "right": "x"}, {"left": "b", "right": "X"}]),
     "pairs", "two right items are the same"),
    ("matching pair missing a side", question("matching", pairs=[{"left": "a"}, {"left": "b"}]),
     "pairs.0.right", "Field required"),
]


@pytest.mark.parametrize(("case", "item", "field", "words"), MALFORMED,
                         ids=[m[0] for m in MALFORMED])
def test_malformed_question_gives_its_own_clear_error(case, item, field, words):
    result = parse_bank(bank_text(item), "demo.yaml")
    assert len(result.errors) >= 1, case
    error = result.errors[0]
    assert words in error.message
    assert error.field and error.field.startswith(field)
    assert error.file == "demo.yaml"
    assert error.line is not None and error.line > 1
    text = str(error)
    assert text.startswith(f"demo.yaml:{error.line}:")


def test_error_points_at_the_line_of_the_field():
    text = bank_text(question("numeric", key="first"), question("numeric", key="second",
                                                                tolerance=-2))
    [error] = parse_bank(text, "b.yaml").errors
    line = text.splitlines()[error.line - 1]
    assert "tolerance" in line and "-2" in line
    assert error.key == "second"


def test_all_errors_are_listed_not_only_the_first():
    text = bank_text(
        question("numeric", key="a", tolerance=-1),
        question("true_false", key="b", tags=["Gossip column"]),
        question("single_choice", key="c", options=[{"text": "x"}, {"text": "y"}]),
        question("true_false", key="a"),
    )
    errors = parse_bank(text).errors
    assert [e.key for e in errors] == ["a", "b", "c", "a"]
    assert "already used" in errors[-1].message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("bank: [unclosed", "not valid YAML"),
        ("- just a list", "a mapping with 'bank' and 'questions'"),
        ("bank: {slug: demo, title: Demo}\nquestions: []", "non-empty list"),
        ("bank: {slug: Demo Bank, title: Demo}\nquestions: [{}]", "should match pattern"),
        ("bank: {slug: d, title: D}\nquestions:\n  - !!python/object:os.system {}\n",
         "not valid YAML"),
        ("bank: {slug: d, title: D}\nextra: 1\nquestions: [{}]", "unknown top-level entry"),
        ("bank: {slug: d, title: D}\nquestions: [{type: [x]}]", "unknown type"),
        ("bank: " + "[" * 5000 + "]" * 5000, "nested too deeply"),
    ],
)
def test_malformed_files(text, words):
    errors = parse_bank(text, "x.yaml").errors
    assert any(words in e.message for e in errors), errors


# --- the header's topics ---------------------------------------------------------------------

TOPICS = [{"slug": "venue", "label": "Conference site"}, {"slug": "people", "label": "People"}]


def topics_header(topics) -> dict:
    return {"slug": "demo", "title": "Demo", "topics": topics}


def test_header_topics_are_read_in_order():
    result = parse_bank(bank_text(question("true_false", tags=["people", "venue"]),
                                  header=topics_header(TOPICS)))
    assert result.errors == []
    assert [(t.slug, t.label) for t in result.header.topics] == [
        ("venue", "Conference site"), ("people", "People")]
    assert result.header.topic_labels() == {"venue": "Conference site", "people": "People"}


def test_a_file_without_topics_still_loads():
    result = parse_bank(bank_text(question("true_false")))
    assert result.errors == []
    assert result.header.topics is None
    assert result.header.topic_labels() == {}


@pytest.mark.parametrize("topics, message", [
    ([{"slug": "venue", "label": "A"}, {"slug": "venue", "label": "B"}], "venue"),
    ([{"slug": "venue", "label": "Same"}, {"slug": "people", "label": "same"}], "labelled"),
    ([{"slug": "Venue!", "label": "Venue"}], "slug"),
    ([{"slug": "venue", "label": ""}], "label"),
    ([{"slug": "venue", "label": "x" * 121}], "label"),
    ([{"slug": "venue"}], "label"),
    ([{"slug": "venue", "label": "Venue", "colour": "red"}], "colour"),
])
def test_bad_header_topics_are_errors(topics, message):
    result = parse_bank(bank_text(question("true_false"), header=topics_header(topics)))
    assert result.errors
    assert all(e.field and e.field.startswith("bank.topics") for e in result.errors)
    assert message in " ".join(str(e) for e in result.errors)


def test_a_tag_not_declared_in_the_header_is_an_error():
    result = parse_bank(bank_text(question("true_false", tags=["venue", "economy"]),
                                  header=topics_header(TOPICS)))
    [error] = result.errors
    assert error.key == "q1" and error.field == "tags"
    assert "economy" in error.message
    assert error.line is not None
