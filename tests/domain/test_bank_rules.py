"""A bank's source policy (issue 13): a traced bank's questions explain and cite; a free
bank's may do neither. The same rule in the bank file, every import format and the schema."""

import io
import json

import pytest

from quizapp.domain.bank_file import parse_bank
from quizapp.domain.bank_rules import FREE, STORED, TRACED, context
from quizapp.domain.formats import FORMATS
from quizapp.qtypes.registry import SCHEMAS
from tests.domain.test_bank_file import bank_text, question

BARE = {"explanation": None, "source": None}  # neither an explanation nor a citation


def test_the_context_of_each_policy():
    assert context(TRACED) == {"traced": True}
    assert context(FREE) == {"traced": False}
    assert context(None) == {"traced": True}  # unknown: the stricter
    assert STORED == {"traced": False}


@pytest.mark.parametrize("qtype", list(SCHEMAS))
def test_a_free_bank_file_takes_questions_without_explanation_or_citation(qtype):
    result = parse_bank(bank_text(question(qtype, **BARE),
                                  header={"slug": "poems", "title": "Poems", "policy": "free"}))
    assert result.errors == []
    [q] = result.questions
    assert q.explanation == "" and q.source == []
    assert result.header.policy == "free"


def test_a_traced_bank_file_names_both_missing_fields():
    result = parse_bank(bank_text(question("true_false", **BARE)))
    assert {(e.field, e.message) for e in result.errors} == {
        ("explanation", "a traced bank explains every answer: write an explanation"),
        ("source", "a traced bank cites a paragraph for every question: add one like "
                   "trafficking#11")}
    assert result.header.policy == "traced"  # the default


def test_an_unknown_policy_is_an_error():
    result = parse_bank(bank_text(question("true_false"),
                                  header={"slug": "a", "title": "A", "policy": "loose"}))
    assert any(e.field == "bank.policy" for e in result.errors)


def test_the_caller_may_override_the_files_policy():
    """An import into a free bank reads a file whose header says traced as free."""
    text = bank_text(question("true_false", **BARE))
    assert parse_bank(text, traced=False).errors == []
    assert parse_bank(text, traced=True).errors


GIFT = "// tags: venue\n::q1:: Minsk is in Belarus. {T}\n"
MOODLE = ("<quiz><question type=\"truefalse\"><name><text>q1</text></name>"
          "<questiontext format=\"html\"><text>Minsk is in Belarus.</text></questiontext>"
          "<answer fraction=\"100\"><text>true</text></answer>"
          "<answer fraction=\"0\"><text>false</text></answer>"
          "<tags><tag><text>venue</text></tag></tags></question></quiz>")
CSV = ("key,type,prompt,explanation,source,tags,answer\n"
       'q1,true_false,P?,,,venue,"{""answer"": true}"\n')


@pytest.mark.parametrize(("name", "text"), [("gift", GIFT), ("moodle-xml", MOODLE),
                                             ("csv", CSV)])
def test_every_format_reads_a_bare_question_for_a_free_bank_only(name, text):
    fmt = FORMATS[name]
    free = fmt.parse(text.encode(), f"upload.{fmt.extension}", traced=False)
    assert [q.key for q in free.questions] == ["q1"] and free.rejected == []
    assert free.questions[0].explanation == "" and free.questions[0].source == []
    traced = fmt.parse(text.encode(), f"upload.{fmt.extension}")
    assert traced.questions == []
    assert traced.rejected and ("explanation" in traced.rejected[0].reason
                                or "source" in traced.rejected[0].reason)


def test_an_anki_basic_note_without_explanation_or_source_for_a_free_bank():
    genanki = pytest.importorskip("genanki")
    model = genanki.Model(1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                          templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                                      "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}])
    deck = genanki.Deck(2059400110, "Capitals")
    deck.add_note(genanki.Note(model=model, fields=["Capital of Belarus?", "Minsk"],
                               tags=["capitals"]))
    out = io.BytesIO()
    genanki.Package(deck).write_to_file(out)
    free = FORMATS["apkg"].parse(out.getvalue(), "capitals.apkg", traced=False)
    assert [q.prompt for q in free.questions] == ["Capital of Belarus?"], free.rejected
    assert json.loads(free.questions[0].model_dump_json())["answers"][0] in (
        "Minsk", {"text": "Minsk", "fraction": 1.0, "feedback": ""})
    traced = FORMATS["apkg"].parse(out.getvalue(), "capitals.apkg")
    assert traced.questions == [] and "needs an explanation" in traced.rejected[0].reason
