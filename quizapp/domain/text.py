"""Text normalisation shared by grading and the source check, and what text can be kept."""

import re
import unicodedata

_PUNCT_OR_SPACE = re.compile(r"[\W_]+", re.UNICODE)
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str, *, keep_accents: bool = False) -> str:
    """NFKC, case-folded, accents dropped unless kept, punctuation and spacing collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not keep_accents:
        text = strip_accents(text)
        # Letters NFKD cannot split (ł, ø, đ...) still read as their base letter.
        text = text.translate(_EXTRA_BASE)
    return _PUNCT_OR_SPACE.sub(" ", text).strip()


_EXTRA_BASE = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})


def words(text: str) -> list[str]:
    """Folded words; hyphenated words also count as their joined and separate parts."""
    out: list[str] = []
    for token in _WORD.findall(unicodedata.normalize("NFKC", text)):
        base = fold(token)
        parts = base.split()
        if len(parts) > 1:
            out.append("".join(parts))
        out.extend(parts)
    return out


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether `text` holds what no database text column or web page can hold: a NUL
    character (PostgreSQL refuses it) or an unpaired surrogate (UTF-8 cannot encode it)."""
    return _UNSTORABLE.search(text) is not None
