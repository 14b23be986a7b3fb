"""The graded `Result` and the helpers graders share: shapes, typed text, numbers.

A malformed response raises `InvalidResponse` (a ValueError) with a user-facing message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import OSA

from quizapp.domain.numbers import readings
from quizapp.domain.text import fold

MAX_TEXT = 1_000
TYPO_MIN_LENGTH = 5  # "UNEP" is no typo of "UNDP": short names are other names
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


ARTICLES = ("the", "a", "an")
# A title a learner may put before a name ("President Lukashenka", "Mr. Zurabov"): dropped
# from the response when the response as typed matches nothing, never from the answers.
TITLES = frozenset("""mr mrs ms miss mister dr prof professor sir madam president ambassador
    minister envoy chancellor""".split())
# British and American spellings of one word read alike ("Organisation", "Organization";
# "labour", "labor"; "programme", "program"), on both sides of the comparison. Word
# endings only, on words long enough that the ending is a suffix: "tour" and "four" keep
# their "our".
_SPELLINGS = [(re.compile(pattern), replacement) for pattern, replacement in (
    (r"(\w{3,})is(ation|ations|e|es|ed|ing|er|ers)\b", r"\1iz\2"),
    (r"(\w{2,})ys(e|es|ed|ing)\b", r"\1yz\2"),
    (r"(\w{2,}[^\Waeiou])our(s|ed|ing|ite|ites|able)?\b", r"\1or\2"),
    (r"(\w{3,})tre(s)?\b", r"\1ter\2"),
    (r"(\w{2,})(c|f)ence(s)?\b", r"\1\2ense\3"),
    (r"(\w{3,})ogue(s)?\b", r"\1og\2"),
    (r"(\w{3,})ll(ed|ing|er|ers)\b", r"\1l\2"),
    (r"(\w{3,})gramme(s)?\b", r"\1gram\2"),
)]


def _spelling(folded: str) -> str:
    for pattern, replacement in _SPELLINGS:
        folded = pattern.sub(replacement, folded)
    return folded


def text_key(text: str, accents: bool) -> str:
    """What is compared: folded, a leading article dropped ("the CIS" is "CIS"), British
    and American spellings alike, spaces dropped; punctuation-only text keeps its
    characters."""
    folded = fold(text, keep_accents=accents)
    first, _, rest = folded.partition(" ")
    if first in ARTICLES and rest:
        folded = rest
    return _spelling(folded).replace(" ", "") or "".join(
        unicodedata.normalize("NFKC", text).casefold().split()
    )


def typed_text(response: Any, what: str = "an answer") -> str:
    if not isinstance(response, str):
        raise InvalidResponse(f"Type {what}")
    if len(response) > MAX_TEXT:
        raise InvalidResponse(f"That answer is too long (at most {MAX_TEXT} characters)")
    return response


def match_text(response: str, answers: list[str], typos: bool, accents: bool) -> str:
    """How it matches: "exact", "typo" (counts), "spelling" or "accents" (almost), "wrong".

    A typo is one letter added, dropped, changed, or two neighbours swapped (optimal string
    alignment), after the first letter: "Rusia" is a typo of "Russia", "Prussia" another
    place. Digits must all be right: "Mach 2010" is a typo of "March 2010", "MH18" is
    another flight. A title before a name is dropped when the whole response matches
    nothing ("President Lukashenka")."""
    keys = [text_key(a, accents) for a in answers]
    plain = {text_key(a, False) for a in answers} if accents else set()
    for typed in (response, _without_title(response)):
        key = text_key(typed, accents) if typed else ""
        if not key:
            continue
        if key in keys:
            return "exact"
        if accents and text_key(typed, False) in plain:
            return "accents"
        for accepted in keys:
            if _digits(accepted) != _digits(key) or accepted[:1] != key[:1]:
                continue  # "5064" is another number, "Prussia" another name than "Russia"
            if len(accepted) >= TYPO_MIN_LENGTH and OSA.distance(
                key, accepted, score_cutoff=1
            ) <= 1:
                return "typo" if typos else "spelling"
    return "wrong"


def _without_title(response: str) -> str:
    """The response without the titles before a name ("President Lukashenka"); "" when it
    has none or is only a title."""
    words = response.split()
    start = 0
    while start < len(words) and fold(words[start]) in TITLES:
        start += 1
    return " ".join(words[start:]) if 0 < start < len(words) else ""


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


# --- numbers ----------------------------------------------------------------------------------

# Money a unit may name (any of the words), and how learners write it before or after
# the number; another currency's mark is not this unit ("£2bn" for US dollars).
CURRENCIES = {
    ("dollar",): ("us$", "$", "usd", "us dollars", "us dollar", "dollars", "dollar"),
    ("euro",): ("€", "eur", "euros", "euro"),
    ("pound",): ("£", "gbp", "pounds", "pound"),
    ("rouble", "ruble"): ("₽", "rub", "roubles", "rouble", "rubles", "ruble"),
}


# Words a learner may put before the number that do not change it ("about 7%", "in 2000":
# the prompt asked "about what percentage", "in what year").
HEDGES = ("approximately ", "roughly ", "around ", "about ", "circa ", "up to ", "some ",
          "in ", "ca. ", "~")


def _unit_variants(unit: str | None) -> tuple[list[str], list[str]]:
    """What may follow the number (the unit, its first word, "%", a currency's words), and
    what may come before it (the unit as in "July 29" or "year 2000", a currency's marks:
    "$", "USD"), longest first."""
    after, before = list(PERCENT_UNITS), []
    if unit:
        unit = " ".join(unicodedata.normalize("NFKC", unit).casefold().split())
        words = [unit, unit[:-1] if unit.endswith("s") else unit + "s"]
        first = unit.split()[0]
        if first != unit and len(first) >= 4:  # "20 detainees" for "detainees per side"
            words.append(first)
        after += words
        before += [w + " " for w in words]
        for words, marks in CURRENCIES.items():
            if any(word in unit for word in words):
                after += marks
                before += marks
    return [sorted({v for v in vs if v}, key=len, reverse=True) for vs in (after, before)]


def _strip_units(cleaned: str, unit: str | None) -> list[str]:
    """The text without a unit after it or a currency mark before it, then as typed (a
    unit first: "2m" is 2 metres where the unit is "m", not 2 million)."""
    after, before = _unit_variants(unit)
    starts = [cleaned] + [cleaned[len(b):].strip() for b in before
                          if cleaned.startswith(b) and len(cleaned) > len(b)]
    out = [text[: -len(a)].strip() for text in starts for a in after
           if text.endswith(a) and len(text) > len(a)]
    return [*out, *starts[1:], cleaned]


def response_numbers(text: str, unit: str | None = None, scale: float | None = None
                     ) -> list[float]:
    """The values the typed text can mean, in the question's terms, likeliest first.

    The question's unit (or "%", "percent", and for money its currency marks: "$2bn") may
    be written or left out. With a `scale` the question counts in thousands, millions or
    billions: "2" is read in that scale, "2bn" and "2,000 million" are converted to it.
    A number written two ways ("5.063": English or German) gives both readings."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text).casefold().split()).rstrip(".!;")
    for hedge in HEDGES:
        if cleaned.startswith(hedge) and len(cleaned) > len(hedge):
            cleaned = cleaned[len(hedge):].strip()
            break
    for candidate in _strip_units(cleaned, unit):
        values, multiplier = readings(candidate)
        if values:
            if scale and multiplier != 1:
                return [v * multiplier / scale for v in values]
            if scale:  # "2" in billions; "2000000000" written out in full
                return values + [v / scale for v in values if abs(v) >= scale]
            return [v * multiplier for v in values]
    return []
