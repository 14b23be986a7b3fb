"""Real learners' answers to the shipped banks are graded the way a teacher would grade them.

tests/bank_answers.yaml lists, for every short-answer, numeric and fill-the-gaps question of
question_bank/minsk-talks.yaml and question_bank/trafficking.yaml, answers people actually
type: right ones written in different ways (case, punctuation, a leading "the", a surname
alone, British or American spelling, number formats, a typo where the question forgives
one), and plausible mistakes (a neighbouring number or date, another person or body named
in the article, gaps swapped where their order matters).

This file proves that each right answer scores full marks, that each mistake does not, and
that a mistake listed as `refused` is turned away as not a number of the question's unit.
It also fails when a question of those types has no entry in the table, or too few answers
to be worth anything (3 right and 2 wrong), so a new question cannot slip in untested.
"""

from pathlib import Path
from typing import Any

import pytest
import yaml

from quizapp.domain.grading import InvalidResponse, grade
from quizapp.services.banks import read_bank_file

ROOT = Path(__file__).resolve().parents[1]
BANK_FILES = [ROOT / "question_bank" / f"{slug}.yaml" for slug in ("minsk-talks", "trafficking")]
TABLE_FILE = Path(__file__).with_name("bank_answers.yaml")
TYPED_TYPES = ("short_answer", "numeric", "cloze")
MIN_RIGHT, MIN_WRONG = 3, 2

BANKS = {path.stem: read_bank_file(path) for path in BANK_FILES}
QUESTIONS = {(slug, q.key): q for slug, bank in BANKS.items() for q in bank.questions
             if q.type in TYPED_TYPES}
TABLE: dict[str, dict[str, dict[str, list[Any]]]] = yaml.safe_load(
    TABLE_FILE.read_text(encoding="utf-8"))


def _shown(response: Any) -> str:
    return " | ".join(map(str, response)) if isinstance(response, list) else str(response)


def _cases(kind: str) -> list[Any]:
    return [pytest.param(slug, key, response, id=f"{slug}/{key}/{kind}/{_shown(response)}")
            for slug, entries in TABLE.items() for key, entry in entries.items()
            for response in entry.get(kind, [])]


def _question(slug: str, key: str):
    assert (slug, key) in QUESTIONS, f"{slug}/{key} is not a typed-answer question of the banks"
    return QUESTIONS[(slug, key)]


@pytest.mark.parametrize(("slug", "key", "response"), _cases("right"))
def test_right_answer_gets_full_marks(slug, key, response):
    question = _question(slug, key)
    result = grade(question.type, question.answer_data(), response)
    assert result.correct, f"{response!r} scored {result.score}: {result.feedback}"


@pytest.mark.parametrize(("slug", "key", "response"), _cases("wrong"))
def test_wrong_answer_is_not_full_marks(slug, key, response):
    question = _question(slug, key)
    result = grade(question.type, question.answer_data(), response)
    assert not result.correct and result.score < 1, f"{response!r}: {result.feedback}"


@pytest.mark.parametrize(("slug", "key", "response"), _cases("refused"))
def test_refused_answer_is_not_read_as_a_number(slug, key, response):
    question = _question(slug, key)
    assert question.type == "numeric", "only a numeric question refuses a typed answer"
    with pytest.raises(InvalidResponse):
        grade(question.type, question.answer_data(), response)


def _shape_problems(question, entry: dict[str, list[Any]]) -> list[str]:
    """What is wrong with one table entry: missing or too few answers, a response of the
    wrong shape (a number not typed as text, a cloze list of the wrong length)."""
    where = question.key
    problems = [f"{where}: unknown field {field!r}" for field in entry
                if field not in ("right", "wrong", "refused")]
    if question.type != "numeric" and entry.get("refused"):
        problems.append(f"{where}: only numeric questions may list refused answers")
    for kind, least in (("right", MIN_RIGHT), ("wrong", MIN_WRONG)):
        if len(entry.get(kind) or []) < least:
            problems.append(f"{where}: needs at least {least} {kind} answers")
    gaps = len(question.answer_data()["gaps"]) if question.type == "cloze" else None
    for kind in ("right", "wrong", "refused"):
        for response in entry.get(kind) or []:
            if gaps is None and not isinstance(response, str):
                problems.append(f"{where}: {kind} {response!r} is not typed text")
            elif gaps is not None and not (
                    isinstance(response, list) and len(response) == gaps
                    and all(isinstance(r, str) for r in response)):
                problems.append(f"{where}: {kind} {response!r} is not {gaps} typed gap(s)")
    return problems


def test_every_typed_question_has_enough_answers():
    assert set(TABLE) == set(BANKS), "the table names each shipped bank, and only those"
    problems = [f"{slug}/{key}: not in the bank, or not a typed-answer question"
                for slug, entries in TABLE.items() for key in entries
                if (slug, key) not in QUESTIONS]
    for (slug, key), question in QUESTIONS.items():
        entry = TABLE.get(slug, {}).get(key)
        if entry is None:
            problems.append(f"{slug}/{key}: no entry in {TABLE_FILE.name}")
        else:
            problems += [f"{slug}/{p}" for p in _shape_problems(question, entry)]
    assert problems == [], "\n".join(problems)
