"""Reading numbers the way people write them: "5,063", "5 063", "5.063e3", "27 million",
"94,9", "5.063" (German), "5'063" (Swiss); and writing them back as a person would."""

import re
from decimal import Decimal

from babel.numbers import NumberFormatError, format_compact_decimal, format_decimal, parse_decimal

WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
     "ninety": 90, "hundred": 100, "dozen": 12}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}

SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "bln": 1e9,
}
SCALE_NAMES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}  # what a question may expect

# How learners write separators: English 5,063.5; German (and most of Europe) 5.063,5;
# French and Russian 5 063,5; Swiss 5'063.5. Babel knows each locale's rules (grouping in
# threes, one decimal separator); English is read first, and a number that reads two ways
# ("5.063": 5.063 in English, 5063 in German) has both readings.
LOCALES = ("en", "de", "fr", "de_CH")

_SEP = "[,\u00a0\u202f\u2009 ]"
_NUMBER = re.compile(
    rf"(?<![\w.])(?P<num>[-−]?\d{{1,3}}(?:{_SEP}\d{{3}})+(?!\d)(?:\.\d+)?|[-−]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"\s*(?P<scale>thousand|millions?|billions?|bn|mn|k|m)?(?![a-z])",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+", re.IGNORECASE)
_TYPED = re.compile(
    r"(?P<num>-?\d(?:[\d.,' ]*\d)?(?:[eE][-+]?\d+)?)(?:st|nd|rd|th)?\s*"  # 29th: 29
    r"(?P<scale>thousand|millions?|billions?|bln|mln|bn|mn|k|m)?", re.IGNORECASE)
_SPACED = re.compile(r"-?\d{1,3}(?: \d{3})+(?:[.,]\d+)?")  # 5 063 or 5 063,5: spaces group


def _to_float(digits: str) -> float:
    cleaned = re.sub(_SEP, "", digits).replace("−", "-")
    return float(cleaned)


def _locale_readings(digits: str) -> list[float]:
    if "e" in digits.lower():
        try:
            return [float(digits)]
        except ValueError:
            return []
    if _SPACED.fullmatch(digits):
        digits = digits.replace(" ", "")
    elif " " in digits:
        return []
    values: list[float] = []
    for locale in LOCALES:
        try:
            value = float(parse_decimal(digits, locale=locale, strict=True))
        except (NumberFormatError, ValueError):
            continue
        if value not in values:
            values.append(value)
    return values


def readings(text: str) -> tuple[list[float], float]:
    """The values the one number `text` holds can mean, most likely first, before its
    scale word; and that scale (1 without one): "2bn" -> ([2.0], 1e9), "5.063" ->
    ([5.063, 5063.0], 1), "94,9" -> ([94.9], 1). No number: ([], 1)."""
    text = text.replace("\u2212", "-").replace("’", "'")
    for space in ("\u00a0", "\u202f", "\u2009"):  # no-break and thin spaces group digits
        text = text.replace(space, " ")
    text = " ".join(text.split())
    if not text or len(text) > 100:
        return [], 1.0
    match = _TYPED.fullmatch(text) or _TYPED.fullmatch(text.rstrip(" %"))
    if match:
        scale = SCALES.get((match.group("scale") or "").lower(), 1.0)
        return _locale_readings(match.group("num")), scale
    parts = text.lower().replace("-", " ").split()
    scale = 1.0
    if len(parts) > 1 and parts[-1] in SCALES:  # "twenty-seven million"
        scale, parts = SCALES[parts[-1]], parts[:-1]
    if len(parts) == 1 and parts[0] in WORD_NUMBERS:
        return [float(WORD_NUMBERS[parts[0]])], scale
    if len(parts) == 2 and parts[0] in TENS and parts[1] in WORD_NUMBERS and 0 < WORD_NUMBERS[
            parts[1]] < 10:  # "twenty-two"
        return [float(TENS[parts[0]] + WORD_NUMBERS[parts[1]])], scale
    return [], 1.0


def parse_number(text: str) -> float | None:
    """The one number `text` holds, in its likeliest reading, or None: "5,063" -> 5063.0,
    "27 million" -> 27e6, "94,9" -> 94.9."""
    values, scale = readings(text)
    return values[0] * scale if values else None


def plain(value: float) -> str:
    """A number in digits, without grouping or exponent: 5063, 94.9, 27000000."""
    return format(Decimal(repr(float(value))).normalize(), "f")


def written(value: float) -> str:
    """A number as a person writes it in English: 5,063; 27 million; 2.5 billion; 94.9."""
    if 1e6 <= abs(value) < 1e12:
        for size in (1e9, 1e6):
            if abs(value) >= size and round(value / size, 2) * size == value:
                return format_compact_decimal(value, format_type="long", locale="en",
                                              fraction_digits=2)
    return format_decimal(Decimal(plain(value)), locale="en", decimal_quantization=False)


def numbers_in(text: str, *, scaled: bool = True) -> list[float]:
    """Every number in running text; with `scaled`, "27 million" gives 27 and 27000000."""
    found: list[float] = []
    for match in _NUMBER.finditer(text):
        try:
            value = _to_float(match.group("num"))
        except ValueError:
            continue
        found.append(value)
        scale = (match.group("scale") or "").lower()
        if scaled and scale in SCALES:
            found.append(value * SCALES[scale])
    tokens = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]

    def adjacent(i: int, j: int) -> bool:  # only spaces between tokens i and j
        return 0 <= i < j < len(tokens) and not text[tokens[i][2] : tokens[j][1]].strip()

    for i, (word, _, _) in enumerate(tokens):
        if word in WORD_NUMBERS:
            value = float(WORD_NUMBERS[word])
            if word == "dozen" and adjacent(i - 1, i) and tokens[i - 1][0] in WORD_NUMBERS:
                value *= WORD_NUMBERS[tokens[i - 1][0]]
            found.append(value)
            if scaled and adjacent(i, i + 1) and tokens[i + 1][0] in SCALES:
                found.append(value * SCALES[tokens[i + 1][0]])
    return found
