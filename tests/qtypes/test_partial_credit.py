"""Partial credit and per-option feedback (Moodle's answer fractions): grading tables, the
schema, and GIFT / Moodle XML writing and reading them; questions without fractions unchanged."""

import xml.etree.ElementTree as ET

import pytest
from pydantic import ValidationError

from quizapp.domain.formats import FORMATS
from quizapp.domain.grading import grade
from quizapp.domain.questions import snapshot
from quizapp.qtypes.registry import SCHEMAS
from tests.domain.test_formats import HEADER, round_trip

LEGACY_SINGLE = {"options": [{"text": "Minsk", "correct": True},
                             {"text": "Kyiv", "correct": False},
                             {"text": "Vienna", "correct": False}]}
HALF_SINGLE = {"options": [{"text": "Zaslaūje", "correct": True, "feedback": "Yes, near Minsk."},
                           {"text": "Minsk", "fraction": 0.5, "feedback": "Close: just outside."},
                           {"text": "Vienna", "correct": False}]}
LEGACY_MULTI = {"options": [{"text": "OSCE", "correct": True}, {"text": "Russia", "correct": True},
                            {"text": "EU", "correct": False}, {"text": "NATO", "correct": False}]}
WEIGHTED_MULTI = {"options": [
    {"text": "OSCE", "fraction": 0.5, "feedback": "The OSCE mediated."},
    {"text": "Russia", "fraction": 0.5},
    {"text": "EU", "fraction": -0.25, "feedback": "Not a party."},
    {"text": "NATO", "fraction": -1},
    {"text": "UN", "fraction": 0, "feedback": "Not there."}]}
THIRDS = {"options": [{"text": "a", "fraction": 1 / 3}, {"text": "b", "fraction": 1 / 3},
                      {"text": "c", "fraction": 1 / 3}, {"text": "d", "correct": False}]}
LEGACY_SHORT = {"answers": ["Purgin", "Andrey Purgin"], "typos": True, "accents": False}
WEIGHTED_SHORT = {"answers": [
    "Andrey Purgin",
    {"text": "Purgin", "fraction": 0.5, "feedback": "Give his first name too."},
    {"text": "Pushilin", "fraction": 0, "feedback": "He signed later."}], "typos": True,
    "accents": False}


def data(schema_name: str, answers: dict) -> dict:
    """The answer data as stored: validated by the type's schema and dumped."""
    spec = SCHEMAS[schema_name].model_validate({
        "key": "q", "type": schema_name, "prompt": "Q?", "explanation": "Why.",
        "source": ["minsk-talks#2"], "tags": ["venue"], **answers})
    return spec.answer_data()


@pytest.mark.parametrize(("qtype", "answers", "response", "score", "notes"), [
    # single choice: the chosen option's fraction
    ("single_choice", LEGACY_SINGLE, 0, 1, ()),
    ("single_choice", LEGACY_SINGLE, 1, 0, ()),
    ("single_choice", HALF_SINGLE, 0, 1, ("Yes, near Minsk.",)),
    ("single_choice", HALF_SINGLE, 1, 0.5, ("Close: just outside.",)),
    ("single_choice", HALF_SINGLE, 2, 0, ()),
    # multiple choice without fractions: (right - wrong) / right options, as before
    ("multiple_choice", LEGACY_MULTI, [0, 1], 1, ()),
    ("multiple_choice", LEGACY_MULTI, [0], 0.5, ()),
    ("multiple_choice", LEGACY_MULTI, [0, 2], 0, ()),
    ("multiple_choice", LEGACY_MULTI, [0, 1, 2], 0.5, ()),
    ("multiple_choice", LEGACY_MULTI, [2, 3], 0, ()),
    # with fractions: the sum of the picked fractions, clamped to 0..1
    ("multiple_choice", WEIGHTED_MULTI, [0, 1], 1, ("The OSCE mediated.",)),
    ("multiple_choice", WEIGHTED_MULTI, [1], 0.5, ()),
    ("multiple_choice", WEIGHTED_MULTI, [0, 1, 2], 0.75, ("The OSCE mediated.", "Not a party.")),
    ("multiple_choice", WEIGHTED_MULTI, [2, 0], 0.25, ("The OSCE mediated.", "Not a party.")),
    ("multiple_choice", WEIGHTED_MULTI, [0, 3], 0, ("The OSCE mediated.",)),  # clamped at 0
    ("multiple_choice", WEIGHTED_MULTI, [0, 1, 2, 3], 0, ("The OSCE mediated.", "Not a party.")),
    ("multiple_choice", THIRDS, [0, 1, 2], 1, ()),  # 3 x 1/3 is a full score
    ("multiple_choice", THIRDS, [0, 1, 2, 3], 1, ()),  # a 0 option costs nothing
    ("multiple_choice", THIRDS, [0], 1 / 3, ()),
    # short answer: strings are fully right; the best match's fraction and feedback
    ("short_answer", LEGACY_SHORT, "purgin", 1, ()),
    ("short_answer", LEGACY_SHORT, "Purgn", 1, ()),
    ("short_answer", LEGACY_SHORT, "Zakharchenko", 0, ()),
    ("short_answer", WEIGHTED_SHORT, "andrey purgin", 1, ()),
    ("short_answer", WEIGHTED_SHORT, "Purgin", 0.5, ("Give his first name too.",)),
    ("short_answer", WEIGHTED_SHORT, "Purgim", 0.5, ("Give his first name too.",)),  # a typo
    ("short_answer", WEIGHTED_SHORT, "Pushilin", 0, ("He signed later.",)),
    ("short_answer", WEIGHTED_SHORT, "Zakharchenko", 0, ()),
])
def test_partial_credit_grading(qtype, answers, response, score, notes):
    result = grade(qtype, data(qtype, answers), response)
    assert result.score == pytest.approx(score)
    assert result.correct is (score == 1)
    assert result.notes == notes


def test_an_exact_match_beats_a_typo_of_a_better_answer():
    answers = {"answers": ["Kyiv", {"text": "Kyi", "fraction": 0, "feedback": "Too short."}],
               "typos": True, "accents": False}
    result = grade("short_answer", data("short_answer", answers), "kyi")
    assert result.score == 0 and result.notes == ("Too short.",)


def test_an_almost_match_of_a_worthless_answer_is_just_wrong():
    answers = {"answers": ["Andrey Purgin", {"text": "Pushilin", "fraction": 0}],
               "typos": False, "accents": False}
    result = grade("short_answer", data("short_answer", answers), "Pushilim")
    assert result.score == 0 and not result.almost and result.feedback == "Not quite"


def test_partial_feedback_says_so():
    assert grade("single_choice", data("single_choice", HALF_SINGLE), 1).feedback \
        == "Not the best option"
    assert grade("short_answer", data("short_answer", WEIGHTED_SHORT), "purgin").feedback \
        == "Accepted for part of the marks"
    assert grade("short_answer", data("short_answer", WEIGHTED_SHORT), "purgim").feedback \
        == "Accepted for part of the marks; check the spelling"


def test_questions_without_fractions_are_stored_exactly_as_before():
    assert data("single_choice", LEGACY_SINGLE) == LEGACY_SINGLE
    assert data("multiple_choice", LEGACY_MULTI) == LEGACY_MULTI
    assert data("short_answer", LEGACY_SHORT) == LEGACY_SHORT


def test_a_fraction_sets_the_correct_flag():
    stored = data("multiple_choice", WEIGHTED_MULTI)["options"]
    assert [o["correct"] for o in stored] == [True, True, False, False, False]
    assert stored[0] == {"text": "OSCE", "correct": True, "fraction": 0.5,
                         "feedback": "The OSCE mediated."}


@pytest.mark.parametrize(("qtype", "answers", "message"), [
    ("single_choice", {"options": [{"text": "a", "fraction": 0.5}, {"text": "b"}]},
     "an option with fraction 1"),
    ("single_choice", {"options": [{"text": "a", "fraction": 1.5}, {"text": "b"}]},
     "less than or equal to 1"),
    ("multiple_choice", {"options": [{"text": "a", "fraction": -2},
                                     {"text": "b", "correct": True}]}, "than or equal to -1"),
    ("multiple_choice", {"options": [{"text": "a", "fraction": 0.5}, {"text": "b"}]},
     "must add up to 1"),
    ("multiple_choice", {"options": [{"text": "a", "fraction": 0.5, "correct": False},
                                     {"text": "b", "correct": True}]}, "must agree"),
    ("multiple_choice", {"options": [{"text": "a", "fraction": float("nan")},
                                     {"text": "b", "correct": True}]}, "finite"),
    ("single_choice", {"options": [{"text": "a", "fraction": "1"}, {"text": "b"}]},
     "a fraction is a number"),
    ("multiple_choice", {"options": [{"text": "a", "fraction": True}, {"text": "b"}]},
     "a fraction is a number"),
    ("short_answer", {"answers": ["a", {"text": "b", "fraction": "0.5"}]},
     "a fraction is a number"),
    ("short_answer", {"answers": [{"text": "a", "fraction": 0.5}]}, "an answer with fraction 1"),
    ("short_answer", {"answers": ["a", {"text": "b", "fraction": -0.5}]}, "greater than or equal"),
    ("short_answer", {"answers": ["a", {"text": "b", "score": 1}]}, "Extra inputs"),
    ("short_answer", {"answers": ["x" * 1001]}, "answers.0"),
])
def test_bad_fractions_are_refused(qtype, answers, message):
    with pytest.raises(ValidationError, match=message):
        data(qtype, answers)


def question(qtype: str, answers: dict, key: str):
    return SCHEMAS[qtype].model_validate({
        "key": key, "type": qtype, "prompt": f"Question {key}?", "explanation": "Why.",
        "source": ["minsk-talks#2"], "tags": ["venue"], **answers})


CASES = [("single_choice", LEGACY_SINGLE), ("single_choice", HALF_SINGLE),
         ("multiple_choice", LEGACY_MULTI), ("multiple_choice", WEIGHTED_MULTI),
         ("short_answer", LEGACY_SHORT), ("short_answer", WEIGHTED_SHORT)]


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml", "yaml"])
def test_fractions_and_feedback_survive_a_round_trip(fmt):
    questions = [question(qtype, answers, f"q{i}") for i, (qtype, answers) in enumerate(CASES)]
    result = round_trip(FORMATS[fmt], questions)
    by_key = {q.key: q for q in result.questions}
    for q in questions:
        got = by_key[q.key].answer_data()
        want = q.answer_data()
        if fmt == "gift":  # GIFT has no typo/accent settings
            got.pop("typos", None), want.pop("typos", None)
        assert got == want, q.key


def test_gift_and_moodle_xml_write_moodle_fractions_and_feedback():
    questions = [question("single_choice", HALF_SINGLE, "half"),
                 question("multiple_choice", WEIGHTED_MULTI, "multi"),
                 question("short_answer", WEIGHTED_SHORT, "short")]
    gift = FORMATS["gift"].export(HEADER, questions).decode()
    assert "=Zaslaūje#Yes, near Minsk." in gift
    assert "~%50%Minsk#Close\\: just outside." in gift
    assert "~%-25%EU#Not a party." in gift and "~%-100%NATO" in gift
    assert "=%50%Purgin#Give his first name too." in gift and "=%0%Pushilin" in gift
    root = ET.fromstring(FORMATS["moodle-xml"].export(HEADER, questions))
    answers = {a.findtext("text"): (a.get("fraction"), a.findtext("feedback/text"))
               for a in root.iter("answer")}
    assert answers["Minsk"] == ("50", "Close: just outside.")
    assert answers["Zaslaūje"] == ("100", "Yes, near Minsk.")
    assert answers["EU"] == ("-25", "Not a party.") and answers["NATO"] == ("-100", None)
    assert answers["Purgin"] == ("50", "Give his first name too.")
    assert answers["Pushilin"] == ("0", "He signed later.")


MOODLE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<question type="multichoice"><name><text>venue</text></name>
<questiontext format="html"><text>Where?</text></questiontext>
<generalfeedback><text>Near Minsk.</text></generalfeedback>
<single>true</single>
<answer fraction="100"><text>Zaslaūje</text><feedback><text>Yes.</text></feedback></answer>
<answer fraction="33.33333"><text>Minsk</text><feedback><text>Close.</text></feedback></answer>
<answer fraction="0"><text>Vienna</text></answer>
<tags><tag><text>source:minsk-talks#2</text></tag><tag><text>venue</text></tag></tags>
</question>
<question type="shortanswer"><name><text>who</text></name>
<questiontext format="html"><text>Who?</text></questiontext>
<generalfeedback><text>Purgin.</text></generalfeedback>
<answer fraction="100"><text>Andrey Purgin</text></answer>
<answer fraction="50"><text>Purgin</text><feedback><text>First name?</text></feedback></answer>
<tags><tag><text>source:minsk-talks#2</text></tag><tag><text>venue</text></tag></tags>
</question>
</quiz>
"""


def test_moodle_xml_from_moodle_keeps_partial_credit():
    result = FORMATS["moodle-xml"].parse(MOODLE_XML.encode(), "moodle.xml")
    assert [r.reason for r in result.rejected] == []
    by_key = {q.key: snapshot(q) for q in result.questions}
    venue = next(s for s in by_key.values() if s["type"] == "single_choice")
    assert venue["options"][1] == {"text": "Minsk", "correct": True, "fraction": 0.33333,
                                   "feedback": "Close."}
    assert venue["options"][0] == {"text": "Zaslaūje", "correct": True, "feedback": "Yes."}
    short = next(s for s in by_key.values() if s["type"] == "short_answer")
    assert short["answers"] == ["Andrey Purgin",
                                {"text": "Purgin", "fraction": 0.5, "feedback": "First name?"}]
