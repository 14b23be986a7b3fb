"""Grading a learner's response to a question: one pure checker per question type.

`grade(question_type, answer_data, response)` returns a `Result`; `answer_data` is the dict a
question stores (`QuestionBase.answer_data()`). Response shapes, as the quiz view passes them:

- single_choice: int, the chosen option's index
- multiple_choice: list of int, the picked option indexes (any order, no duplicates, at least one)
- true_false: bool
- short_answer: str, as typed
- numeric: str, as typed ("5,063", "5 063", "5.063e3", "27 million", "5063 victims", "80%")
- ordering: list of int, indexes into `items` in the learner's order (a permutation)
- matching: list of int | None, one per pair in `pairs` order: the index of the pair whose right
  item the learner chose for that left item (-1 or None = left blank)
- cloze: list of str, one per gap (None counts as blank)

A malformed response raises `InvalidResponse` (a ValueError) with a user-facing message.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

from quizapp.domain.numbers import parse_number
from quizapp.domain.text import fold

MAX_TEXT = 1_000
TYPO_MIN_LENGTH = 4
PERCENT_UNITS = ("%", "percent", "per cent")


class InvalidResponse(ValueError):
    """The response has the wrong shape; the message can be shown to the learner."""


@dataclass(frozen=True)
class Result:
    """A graded response: score in 0..1, correct when the score is 1."""

    score: float
    correct: bool
    normalised: Any
    feedback: str
    almost: bool = False


Checker = Callable[[Mapping[str, Any], Any], Result]


def _result(score: float, normalised: Any, feedback: str, almost: bool = False) -> Result:
    score = min(1.0, max(0.0, float(score)))
    return Result(score, score == 1.0, normalised, feedback, almost and score < 1.0)


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {plural or word + 's'}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _index(value: Any, size: int, what: str = "option") -> int:
    if not _is_int(value):
        raise InvalidResponse(f"Choose an {what}")
    if not 0 <= value < size:
        raise InvalidResponse(f"That {what} does not exist")
    return value


def _list(response: Any, what: str) -> list[Any]:
    if not isinstance(response, list | tuple):
        raise InvalidResponse(f"Expected a list of {what}")
    return list(response)


# --- typed text: short answers and cloze gaps ---------------------------------------------------


def _key(text: str, accents: bool) -> str:
    """What is compared: folded, spaces dropped; punctuation-only text keeps its characters."""
    return fold(text, keep_accents=accents).replace(" ", "") or "".join(
        unicodedata.normalize("NFKC", text).casefold().split()
    )


def _text(response: Any, what: str = "an answer") -> str:
    if not isinstance(response, str):
        raise InvalidResponse(f"Type {what}")
    if len(response) > MAX_TEXT:
        raise InvalidResponse(f"That answer is too long (at most {MAX_TEXT} characters)")
    return response


def _match(response: str, answers: list[str], typos: bool, accents: bool) -> str:
    """How it matches: "exact", "typo" (counts), "spelling" or "accents" (almost), "wrong"."""
    key = _key(response, accents)
    if not key:
        return "wrong"
    keys = [_key(a, accents) for a in answers]
    if key in keys:
        return "exact"
    if accents and _key(response, False) in {_key(a, False) for a in answers}:
        return "accents"
    for accepted in keys:
        if len(accepted) >= TYPO_MIN_LENGTH and Levenshtein.distance(
            key, accepted, score_cutoff=1
        ) <= 1:
            return "typo" if typos else "spelling"
    return "wrong"


def check_short_answer(data: Mapping[str, Any], response: Any) -> Result:
    """Any accepted answer, ignoring case, punctuation, spacing and (unless set) accents.

    One edit away is a typo (right with `typos`, else almost); with `accents`, a wrong accent is
    never a typo."""
    text = _text(response)
    if not text.strip():
        raise InvalidResponse("Type an answer")
    accents = bool(data.get("accents", False))
    kind = _match(text, list(data["answers"]), bool(data.get("typos", False)), accents)
    normalised = fold(text, keep_accents=accents)
    if kind == "exact":
        return _result(1, normalised, "Correct")
    if kind == "typo":
        return _result(1, normalised, "Correct, but check the spelling")
    if kind == "spelling":
        return _result(0, normalised, "Almost: check the spelling", almost=True)
    if kind == "accents":
        return _result(0, normalised, "Almost: check the accents", almost=True)
    return _result(0, normalised, "Not quite")


def check_cloze(data: Mapping[str, Any], response: Any) -> Result:
    """Each gap is matched like a short answer; the score is the fraction of gaps right."""
    gaps: list[list[str]] = list(data["gaps"])
    values = _list(response, "gap answers")
    if len(values) != len(gaps):
        raise InvalidResponse(f"Expected {_plural(len(gaps), 'gap answer')}, got {len(values)}")
    texts = ["" if v is None else _text(v, "an answer in every gap") for v in values]
    typos, accents = bool(data.get("typos", False)), bool(data.get("accents", False))
    kinds = [_match(t, g, typos, accents) for t, g in zip(texts, gaps, strict=True)]
    right = sum(k in ("exact", "typo") for k in kinds)
    almost = [str(i + 1) for i, k in enumerate(kinds) if k in ("spelling", "accents")]
    typo = [str(i + 1) for i, k in enumerate(kinds) if k == "typo"]
    normalised = [fold(t, keep_accents=accents) for t in texts]
    if right == len(gaps):
        note = f"Correct, but check the spelling of gap {', '.join(typo)}" if typo else "Correct"
        return _result(1, normalised, note)
    feedback = f"{right} of {_plural(len(gaps), 'gap')} right"
    if almost:
        feedback += f"; almost: check the spelling of gap {', '.join(almost)}"
    return _result(right / len(gaps), normalised, feedback, almost=bool(almost))


# --- numbers ----------------------------------------------------------------------------------


def _unit_variants(unit: str | None) -> list[str]:
    variants = list(PERCENT_UNITS)
    if unit:
        unit = " ".join(unicodedata.normalize("NFKC", unit).casefold().split())
        variants += [unit, unit[:-1] if unit.endswith("s") else unit + "s"]
    return sorted({v for v in variants if v}, key=len, reverse=True)


def parse_response_number(text: str, unit: str | None = None) -> float | None:
    """The number typed, allowing the question's unit (or "%", "percent") after it."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    for variant in _unit_variants(unit):
        if cleaned.endswith(variant) and len(cleaned) > len(variant):
            value = parse_number(cleaned[: -len(variant)])
            if value is not None:
                return value
    return parse_number(cleaned)


def check_numeric(data: Mapping[str, Any], response: Any) -> Result:
    """Right when within the tolerance of the value."""
    value = parse_response_number(response, data.get("unit")) if isinstance(response, str) else None
    if value is None or not math.isfinite(value):
        raise InvalidResponse("Enter a number, like 5,063")
    target, tolerance = float(data["value"]), float(data.get("tolerance") or 0)
    if abs(value - target) <= tolerance + 1e-9:
        return _result(1, value, "Correct")
    return _result(0, value, "Not quite: too high" if value > target else "Not quite: too low")


# --- choices ----------------------------------------------------------------------------------


def check_single_choice(data: Mapping[str, Any], response: Any) -> Result:
    """One point for the correct option."""
    options = data["options"]
    index = _index(response, len(options))
    right = bool(options[index]["correct"])
    return _result(1 if right else 0, index, "Correct" if right else "Not quite")


def check_multiple_choice(data: Mapping[str, Any], response: Any) -> Result:
    """Partial credit: (right picks - wrong picks) / number of correct options, at least 0."""
    options = data["options"]
    picks = [_index(v, len(options)) for v in _list(response, "options")]
    if not picks:
        raise InvalidResponse("Pick at least one option")
    if len(set(picks)) != len(picks):
        raise InvalidResponse("An option is picked twice")
    n_correct = sum(bool(o["correct"]) for o in options)
    right = sum(bool(options[i]["correct"]) for i in picks)
    wrong = len(picks) - right
    score = (right - wrong) / n_correct
    feedback = f"{right} of {_plural(n_correct, 'right option')} picked"
    if wrong:
        feedback += f", {_plural(wrong, 'wrong pick')}"
    return _result(score, sorted(picks), "Correct" if score >= 1 else feedback)


def check_true_false(data: Mapping[str, Any], response: Any) -> Result:
    """One point for the right truth value."""
    if not isinstance(response, bool):
        raise InvalidResponse("Choose true or false")
    right = response == bool(data["answer"])
    return _result(1 if right else 0, response, "Correct" if right else "Not quite")


# --- ordering and matching --------------------------------------------------------------------


def check_ordering(data: Mapping[str, Any], response: Any) -> Result:
    """Partial credit: the fraction of item pairs whose relative order is right."""
    n = len(data["items"])
    order = [_index(v, n, "item") for v in _list(response, "items")]
    if sorted(order) != list(range(n)):
        raise InvalidResponse(f"Put all {n} items in order, each once")
    pairs = n * (n - 1) // 2
    right = sum(order[i] < order[j] for i in range(n) for j in range(i + 1, n))
    feedback = f"{right} of {_plural(pairs, 'pair')} in the right order"
    return _result(right / pairs, order, "Correct" if right == pairs else feedback)


def check_matching(data: Mapping[str, Any], response: Any) -> Result:
    """Partial credit: the fraction of left items matched with their right item."""
    n = len(data["pairs"])
    values = _list(response, "matches")
    if len(values) != n:
        raise InvalidResponse(f"Expected {_plural(n, 'match', 'matches')}, got {len(values)}")
    blank = [v is None or (_is_int(v) and v == -1) for v in values]
    chosen = [None if b else _index(v, n, "match") for v, b in zip(values, blank, strict=True)]
    right = sum(c == i for i, c in enumerate(chosen))
    feedback = f"{right} of {_plural(n, 'pair')} right"
    return _result(right / n, chosen, "Correct" if right == n else feedback)


CHECKERS: dict[str, Checker] = {
    "single_choice": check_single_choice,
    "multiple_choice": check_multiple_choice,
    "true_false": check_true_false,
    "short_answer": check_short_answer,
    "numeric": check_numeric,
    "ordering": check_ordering,
    "matching": check_matching,
    "cloze": check_cloze,
}


def grade(question_type: str, answer_data: Mapping[str, Any], response: Any) -> Result:
    """Grade `response`; raises InvalidResponse if it is malformed, KeyError for an unknown type."""
    try:
        checker = CHECKERS[question_type]
    except KeyError:
        raise KeyError(f"unknown question type {question_type!r}") from None
    return checker(answer_data, response)
