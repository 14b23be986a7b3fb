"""Grading: one checker per question type, partial credit, typos, numbers, malformed responses."""

import math
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.domain.grading import InvalidResponse, Result, grade
from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.registry import SCHEMAS, TYPES

SINGLE = {"options": [{"text": "31 July", "correct": True}, {"text": "29 July", "correct": False},
                      {"text": "23 June", "correct": False}]}
MULTI = {"options": [{"text": "OSCE", "correct": True}, {"text": "Russia", "correct": True},
                     {"text": "Ukraine", "correct": True}, {"text": "EU", "correct": False},
                     {"text": "NATO", "correct": False}]}
SHORT = {"answers": ["Andrey Purgin", "Purgin", "Andrei Purgin"], "typos": False, "accents": False}
SHORT_TYPOS = {**SHORT, "typos": True}
ACCENTED = {"answers": ["Zaslaūje"], "typos": False, "accents": False}
ACCENTS_MATTER = {"answers": ["Zaslaūje"], "typos": True, "accents": True}
NUMBERS = {"answers": ["20", "twenty"], "typos": True, "accents": False}
VICTIMS = {"value": 5063, "tolerance": 0, "unit": "victims"}
SHARE = {"value": 80, "tolerance": 2, "unit": None}
TINY = {"value": 0.1, "tolerance": 0.2, "unit": None}
ORDER = {"items": ["a", "b", "c", "d"]}
MATCH = {"pairs": [{"left": "Kuchma", "right": "Ukraine"}, {"left": "Zurabov", "right": "Russia"},
                   {"left": "Tagliavini", "right": "OSCE"}]}
CLOZE = {"gaps": [["20", "twenty"], ["MH17", "MH-17"], ["cease-fire", "ceasefire"]]}
CLOZE_TYPOS = {**CLOZE, "typos": True}


def check(result: Result, score: float, almost: bool = False, feedback: str | None = None):
    assert result.score == pytest.approx(score)
    assert result.correct == (result.score == 1)
    assert result.almost is almost
    if feedback is not None:
        assert feedback in result.feedback


CASES = [
    # single choice and true/false: all or nothing
    ("single_choice", SINGLE, 0, 1, False, "Correct"),
    ("single_choice", SINGLE, 2, 0, False, "Not quite"),
    ("true_false", {"answer": False}, False, 1, False, "Correct"),
    ("true_false", {"answer": False}, True, 0, False, "Not quite"),
    ("true_false", {"answer": True}, True, 1, False, None),
    # multiple choice: (right - wrong) / correct options, floor 0
    ("multiple_choice", MULTI, [2, 0, 1], 1, False, "Correct"),
    ("multiple_choice", MULTI, [0, 1], 2 / 3, False, "2 of 3 right options picked"),
    ("multiple_choice", MULTI, [0, 1, 3], 1 / 3, False, "1 wrong pick"),
    ("multiple_choice", MULTI, [0, 1, 2, 3], 2 / 3, False, None),
    ("multiple_choice", MULTI, [0, 3, 4], 0, False, "2 wrong picks"),
    ("multiple_choice", MULTI, [3, 4], 0, False, "0 of 3"),
    # short answer: case, punctuation, spacing, accents
    ("short_answer", SHORT, "purgin", 1, False, "Correct"),
    ("short_answer", SHORT, "  ANDREY   purgin. ", 1, False, None),
    ("short_answer", SHORT, "Andrey-Purgin!", 1, False, None),
    ("short_answer", SHORT, "andreypurgin", 1, False, None),
    ("short_answer", SHORT, "Pushilin", 0, False, "Not quite"),
    ("short_answer", SHORT, "Purgn", 0, True, "Almost: check the spelling"),
    ("short_answer", SHORT, "Andrey Purgim", 0, True, "spelling"),
    ("short_answer", SHORT, "Prugin", 0, True, "spelling"),  # a swap is one edit (OSA)
    ("short_answer", SHORT_TYPOS, "Prugin", 1, False, "check the spelling"),
    ("short_answer", SHORT_TYPOS, "Prguin", 0, False, None),  # two swaps
    ("short_answer", SHORT_TYPOS, "Purgn", 1, False, "check the spelling"),
    ("short_answer", SHORT_TYPOS, "Purgiin", 1, False, None),
    ("short_answer", SHORT_TYPOS, "Pugrn", 0, False, None),
    ("short_answer", ACCENTED, "zaslauje", 1, False, None),
    ("short_answer", ACCENTED, "ZASLAŪJE", 1, False, None),
    ("short_answer", ACCENTS_MATTER, "Zaslaūje", 1, False, None),
    ("short_answer", ACCENTS_MATTER, "ZASLAŪJE", 1, False, None),
    ("short_answer", ACCENTS_MATTER, "Zaslauje", 0, True, "check the accents"),
    ("short_answer", ACCENTS_MATTER, "Zaslaūja", 1, False, "spelling"),
    ("short_answer", {"answers": ["ﬁnal"], "typos": False, "accents": False}, "final", 1, False,
     None),  # NFKC
    ("short_answer", NUMBERS, "20", 1, False, None),
    ("short_answer", NUMBERS, "Twenty", 1, False, None),
    ("short_answer", NUMBERS, "30", 0, False, None),  # too short to be a typo
    ("short_answer", NUMBERS, "2", 0, False, None),
    ("short_answer", NUMBERS, "twentyy", 1, False, None),
    # numeric: every format, units, tolerance
    ("numeric", VICTIMS, "5063", 1, False, "Correct"),
    ("numeric", VICTIMS, "5,063", 1, False, None),
    ("numeric", VICTIMS, "5 063", 1, False, None),
    ("numeric", VICTIMS, "5\u202f063", 1, False, None),
    ("numeric", VICTIMS, "5.063e3", 1, False, None),
    ("numeric", VICTIMS, " 5063 victims ", 1, False, None),
    ("numeric", VICTIMS, "5,063 Victims", 1, False, None),
    ("numeric", VICTIMS, "5063 victim", 1, False, None),
    ("numeric", VICTIMS, "5064", 0, False, "too high"),
    ("numeric", VICTIMS, "5,062 victims", 0, False, "too low"),
    ("numeric", {"value": 27e6, "tolerance": 0, "unit": None}, "27 million", 1, False, None),
    ("numeric", {"value": 27e6, "tolerance": 0, "unit": None}, "27,000,000", 1, False, None),
    ("numeric", {"value": 27e6, "tolerance": 0, "unit": None}, "27m", 1, False, None),
    ("numeric", {"value": 20, "tolerance": 0, "unit": None}, "twenty", 1, False, None),
    ("numeric", SHARE, "80", 1, False, None),
    ("numeric", SHARE, "80%", 1, False, None),
    ("numeric", SHARE, "81.5 percent", 1, False, None),
    ("numeric", SHARE, "78 per cent", 1, False, None),
    ("numeric", SHARE, "82.1", 0, False, "too high"),
    ("numeric", {"value": -3, "tolerance": 0, "unit": None}, "−3", 1, False, None),
    ("numeric", TINY, "0.3", 1, False, None),  # 0.1 + 0.2 is not exactly 0.3
    ("numeric", {"value": 5, "tolerance": 0, "unit": "m"}, "5 m", 1, False, None),
    ("numeric", {"value": 5, "tolerance": 0, "unit": "m"}, "5m", 1, False, None),
    # ordering: fraction of pairs in the right relative order
    ("ordering", ORDER, [0, 1, 2, 3], 1, False, "Correct"),
    ("ordering", ORDER, [1, 0, 2, 3], 5 / 6, False, "5 of 6 pairs in the right order"),
    ("ordering", ORDER, [3, 2, 1, 0], 0, False, "0 of 6"),
    ("ordering", ORDER, [0, 2, 1, 3], 5 / 6, False, None),
    ("ordering", {"items": ["x", "y"]}, [1, 0], 0, False, None),
    # matching: fraction of pairs right, blanks allowed
    ("matching", MATCH, [0, 1, 2], 1, False, "Correct"),
    ("matching", MATCH, [0, 2, 1], 1 / 3, False, "1 of 3 pairs right"),
    ("matching", MATCH, [0, 1, None], 2 / 3, False, "2 of 3 pairs right"),
    ("matching", MATCH, [-1, -1, -1], 0, False, None),
    ("matching", MATCH, [0, 0, 0], 1 / 3, False, None),
    # cloze: per gap, matched like short answers
    ("cloze", CLOZE, ["20", "mh 17", "Ceasefire"], 1, False, "Correct"),
    ("cloze", CLOZE, ["Twenty", "MH17", "cease fire"], 1, False, None),
    ("cloze", CLOZE, ["20", "MH17", "truce"], 2 / 3, False, "2 of 3 gaps right"),
    ("cloze", CLOZE, ["30", "", None], 0, False, "0 of 3 gaps right"),
    ("cloze", CLOZE, ["20", "MH71", "cesefire"], 1 / 3, True, "check the spelling of gap 3"),
    ("cloze", CLOZE_TYPOS, ["20", "MH17", "cesefire"], 1, False, "spelling of gap 3"),
    ("cloze", CLOZE_TYPOS, ["30", "MH17", "ceasefire"], 2 / 3, False, None),
]


@pytest.mark.parametrize(("qtype", "data", "response", "score", "almost", "feedback"), CASES)
def test_grade(qtype, data, response, score, almost, feedback):
    check(grade(qtype, data, response), score, almost, feedback)


INVALID = [
    ("single_choice", SINGLE, 3, "does not exist"),
    ("single_choice", SINGLE, -1, "does not exist"),
    ("single_choice", SINGLE, "0", "Choose an option"),
    ("single_choice", SINGLE, True, "Choose an option"),
    ("single_choice", SINGLE, None, "Choose an option"),
    ("multiple_choice", MULTI, [], "at least one"),
    ("multiple_choice", MULTI, [0, 0], "twice"),
    ("multiple_choice", MULTI, [0, 5], "does not exist"),
    ("multiple_choice", MULTI, 0, "list"),
    ("true_false", {"answer": True}, 1, "true or false"),
    ("true_false", {"answer": True}, "true", "true or false"),
    ("short_answer", SHORT, "", "Type an answer"),
    ("short_answer", SHORT, "   ", "Type an answer"),
    ("short_answer", SHORT, 42, "Type an answer"),
    ("short_answer", SHORT, "x" * 1001, "too long"),
    ("numeric", VICTIMS, "", "Enter a number, like 5,063"),
    ("numeric", VICTIMS, "five thousand or so", "Enter a number"),
    ("numeric", VICTIMS, "5063 people", "Enter a number"),
    ("numeric", VICTIMS, "5,06,3", "Enter a number"),
    ("numeric", VICTIMS, 5063, "Enter a number"),
    ("numeric", VICTIMS, "victims", "Enter a number"),
    ("numeric", VICTIMS, "1e999", "Enter a number"),
    ("ordering", ORDER, [0, 1, 2], "all 4 items"),
    ("ordering", ORDER, [0, 1, 2, 2], "all 4 items"),
    ("ordering", ORDER, [0, 1, 2, 4], "does not exist"),
    ("ordering", ORDER, "0123", "list"),
    ("matching", MATCH, [0, 1], "Expected 3 matches, got 2"),
    ("matching", MATCH, [0, 1, 3], "does not exist"),
    ("matching", MATCH, [0, 1, "2"], "Choose a"),
    ("matching", MATCH, {"0": 0}, "list"),
    ("cloze", CLOZE, ["20", "MH17"], "Expected 3 gap answers, got 2"),
    ("cloze", CLOZE, ["20", "MH17", 3], "every gap"),
    ("cloze", CLOZE, "20 MH17 ceasefire", "list"),
]


@pytest.mark.parametrize(("qtype", "data", "response", "message"), INVALID)
def test_invalid_response(qtype, data, response, message):
    with pytest.raises(InvalidResponse, match=message) as info:
        grade(qtype, data, response)
    assert isinstance(info.value, ValueError)


def test_unknown_type_is_not_a_learner_error():
    with pytest.raises(KeyError, match="essay"):
        grade("essay", {}, "text")


def test_a_checker_for_every_question_type():
    assert set(TYPES) == set(SCHEMAS)
    assert all(type(t).grade is not QuestionType.grade for t in TYPES.values())


def test_result_is_frozen_and_json_friendly():
    result = grade("matching", MATCH, [0, -1, 1])
    assert result.normalised == [0, None, 1]
    with pytest.raises(AttributeError):
        result.score = 1  # type: ignore[misc]
    assert grade("multiple_choice", MULTI, [2, 0]).normalised == [0, 2]
    assert grade("numeric", VICTIMS, "5,063 victims").normalised == 5063.0
    assert grade("short_answer", SHORT, " Andrey  PURGIN! ").normalised == "andrey purgin"
    assert grade("cloze", CLOZE, ["20", None, "x"]).normalised == ["20", "", "x"]


def test_grades_the_answer_data_a_question_stores():
    question = SCHEMAS["short_answer"](
        key="dpr-leader", type="short_answer", prompt="Who?", explanation="Because.",
        source="minsk-talks#3", tags=["people"], answers=["Purgin"], typos=True,
    )
    assert grade("short_answer", question.answer_data(), "purgn").correct


# --- properties ---------------------------------------------------------------------------------

LETTERS = string.ascii_letters + "éàüñçø"
WORD = st.text(LETTERS, min_size=1, max_size=8)
NOISE = st.text(" .,;:!?-'\"()\t", min_size=0, max_size=3)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(WORD, min_size=1, max_size=4), data=st.data())
def test_an_accepted_answer_survives_case_and_punctuation(words, data):
    answer = " ".join(words)
    pieces = []
    for word in words:
        cased = "".join(
            c.upper() if data.draw(st.booleans(), label="upper") else c.lower() for c in word
        )
        pieces.append(data.draw(NOISE, label="before") + cased)
    response = data.draw(st.sampled_from([" ", "  ", " - ", ", "]), label="sep").join(pieces)
    response += data.draw(NOISE, label="after")
    for typos in (False, True):
        result = grade("short_answer", {"answers": ["other", answer], "typos": typos,
                                        "accents": False}, response)
        assert result.correct, (answer, response)
        assert result.feedback == "Correct"


OPTION_TEXTS = st.text(LETTERS, min_size=1, max_size=5)


@st.composite
def graded_cases(draw):
    """A question type, answer data and a random valid response."""
    qtype = draw(st.sampled_from(sorted(TYPES)))
    if qtype in ("single_choice", "multiple_choice"):
        n = draw(st.integers(2, 8))
        if qtype == "single_choice":
            right = draw(st.integers(0, n - 1))
            flags = [i == right for i in range(n)]
            response = draw(st.integers(0, n - 1))
        else:
            flags = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(any))
            response = draw(st.lists(st.integers(0, n - 1), min_size=1, unique=True))
        data = {"options": [{"text": f"o{i}", "correct": f} for i, f in enumerate(flags)]}
    elif qtype == "true_false":
        data, response = {"answer": draw(st.booleans())}, draw(st.booleans())
    elif qtype == "short_answer":
        data = {"answers": draw(st.lists(OPTION_TEXTS, min_size=1, max_size=3)),
                "typos": draw(st.booleans()), "accents": draw(st.booleans())}
        response = draw(st.one_of(st.sampled_from(data["answers"]), OPTION_TEXTS))
    elif qtype == "numeric":
        value = draw(st.integers(-10**7, 10**7))
        data = {"value": value, "tolerance": draw(st.sampled_from([0, 0.5, 10])), "unit": "km"}
        typed = value + draw(st.integers(-20, 20))
        response = draw(st.sampled_from([f"{typed}", f"{typed:,}", f"{typed:.3e}", f"{typed} km"]))
    elif qtype == "ordering":
        n = draw(st.integers(2, 8))
        data = {"items": [f"i{i}" for i in range(n)]}
        response = draw(st.permutations(range(n)))
    elif qtype == "matching":
        n = draw(st.integers(2, 8))
        data = {"pairs": [{"left": f"l{i}", "right": f"r{i}"} for i in range(n)]}
        choice = st.one_of(st.none(), st.just(-1), st.integers(0, n - 1))
        response = draw(st.lists(choice, min_size=n, max_size=n))
    else:
        gaps = draw(st.lists(st.lists(OPTION_TEXTS, min_size=1, max_size=3), min_size=1,
                             max_size=5))
        data = {"gaps": gaps, "typos": draw(st.booleans())}
        response = [draw(st.one_of(st.sampled_from(g), OPTION_TEXTS, st.just(""))) for g in gaps]
    return qtype, data, response


@settings(max_examples=200, deadline=None)
@given(graded_cases())
def test_scores_stay_in_range(case):
    qtype, data, response = case
    result = grade(qtype, data, response)
    assert 0 <= result.score <= 1 and not math.isnan(result.score)
    assert result.correct == (result.score == 1)
    assert not (result.almost and result.correct)
    assert result.feedback


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(TYPES)), st.one_of(st.none(), st.integers(), st.text(),
                                                   st.lists(st.integers(), max_size=3)))
def test_junk_raises_only_invalid_response(qtype, response):
    data = {
        "single_choice": SINGLE, "multiple_choice": MULTI, "true_false": {"answer": True},
        "short_answer": SHORT, "numeric": VICTIMS, "ordering": ORDER, "matching": MATCH,
        "cloze": CLOZE,
    }[qtype]
    try:
        result = grade(qtype, data, response)
    except InvalidResponse as error:
        assert str(error)
    else:
        assert 0 <= result.score <= 1
