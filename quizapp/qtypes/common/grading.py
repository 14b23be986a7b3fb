"""The graded `Result` and the helpers graders share: shapes, typed text, numbers.

A malformed response raises `InvalidResponse` (a ValueError) with a user-facing message.
"""

from __future__ import annotations

import unicodedata
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
    """A graded response: score in 0..1, correct when the score is 1; `notes`: the author's
    feedback on the chosen options or the matched answer (plain text)."""

    score: float
    correct: bool
    normalised: Any
    feedback: str
    almost: bool = False
    notes: tuple[str, ...] = ()


def result(score: float, normalised: Any, feedback: str, almost: bool = False,
           notes: list[str] | tuple[str, ...] = ()) -> Result:
    # Fractions like 1/3 + 2/3 may land a hair below 1: a full score is a full score.
    score = min(1.0, max(0.0, round(float(score), 9)))
    return Result(score, score == 1.0, normalised, feedback, almost and score < 1.0, tuple(notes))


def plural(count: int, word: str, plural_form: str = "") -> str:
    return f"{count} {word}" if count == 1 else f"{count} {plural_form or word + 's'}"


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def index(value: Any, size: int, what: str = "option") -> int:
    if not is_int(value):
        raise InvalidResponse(f"Choose an {what}")
    if not 0 <= value < size:
        raise InvalidResponse(f"That {what} does not exist")
    return value


def as_list(response: Any, what: str) -> list[Any]:
    if not isinstance(response, list | tuple):
        raise InvalidResponse(f"Expected a list of {what}")
    return list(response)


# --- typed text: short answers and cloze gaps ---------------------------------------------------


def text_key(text: str, accents: bool) -> str:
    """What is compared: folded, spaces dropped; punctuation-only text keeps its characters."""
    return fold(text, keep_accents=accents).replace(" ", "") or "".join(
        unicodedata.normalize("NFKC", text).casefold().split()
    )


def typed_text(response: Any, what: str = "an answer") -> str:
    if not isinstance(response, str):
        raise InvalidResponse(f"Type {what}")
    if len(response) > MAX_TEXT:
        raise InvalidResponse(f"That answer is too long (at most {MAX_TEXT} characters)")
    return response


def match_text(response: str, answers: list[str], typos: bool, accents: bool) -> str:
    """How it matches: "exact", "typo" (counts), "spelling" or "accents" (almost), "wrong"."""
    key = text_key(response, accents)
    if not key:
        return "wrong"
    keys = [text_key(a, accents) for a in answers]
    if key in keys:
        return "exact"
    if accents and text_key(response, False) in {text_key(a, False) for a in answers}:
        return "accents"
    for accepted in keys:
        if len(accepted) >= TYPO_MIN_LENGTH and Levenshtein.distance(
            key, accepted, score_cutoff=1
        ) <= 1:
            return "typo" if typos else "spelling"
    return "wrong"


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
