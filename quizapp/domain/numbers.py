"""Reading numbers the way people write them: "5,063", "5 063", "5.063e3", "27 million"."""

import re

WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12}

SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
}

_SEP = "[,\u00a0\u202f\u2009 ]"
_NUMBER = re.compile(
    rf"(?<![\w.])(?P<num>[-−]?\d{{1,3}}(?:{_SEP}\d{{3}})+(?!\d)(?:\.\d+)?|[-−]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"\s*(?P<scale>thousand|millions?|billions?|bn|mn|k|m)?(?![a-z])",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+", re.IGNORECASE)


def _to_float(digits: str) -> float:
    cleaned = re.sub(_SEP, "", digits).replace("−", "-")
    return float(cleaned)


def parse_number(text: str) -> float | None:
    """The one number `text` holds, or None: "5,063" -> 5063.0, "27 million" -> 27e6."""
    text = text.strip().replace("\u2212", "-")
    if not text or len(text) > 100:
        return None
    match = _NUMBER.fullmatch(text) or _NUMBER.fullmatch(text.rstrip(" %"))
    if match:
        try:
            value = _to_float(match.group("num"))
        except ValueError:
            return None
        scale = (match.group("scale") or "").lower()
        return value * SCALES.get(scale, 1)
    parts = text.lower().split()
    if len(parts) == 1 and parts[0] in WORD_NUMBERS:
        return float(WORD_NUMBERS[parts[0]])
    if len(parts) == 2 and parts[0] in WORD_NUMBERS and parts[1] in SCALES:
        return WORD_NUMBERS[parts[0]] * SCALES[parts[1]]
    return None


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
