"""Type-in mode's comparison, as Anki shows it: what was typed against the answer,
character by character."""

from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from quizapp.qtypes import registry


@dataclass(frozen=True)
class Piece:
    text: str
    ok: bool  # False: typed wrong (in the typed line) or missing (in the answer line)


@dataclass(frozen=True)
class Comparison:
    typed: list[Piece]
    expected: list[Piece]
    expected_text: str

    @property
    def exact(self) -> bool:
        return all(p.ok for p in self.typed + self.expected)


def _merge(pieces: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for piece in pieces:
        if piece.text and out and out[-1].ok == piece.ok:
            out[-1] = Piece(out[-1].text + piece.text, piece.ok)
        elif piece.text:
            out.append(piece)
    return out


def compare(snapshot: Mapping[str, Any], typed: str) -> Comparison | None:
    """Typed against the closest right answer; None for a type without a typed answer."""
    qtype = registry.get(snapshot["type"])
    if not qtype.type_in:
        return None
    typed = typed.strip()
    expected = qtype.typein_expected(snapshot, typed)
    mine: list[Piece] = []
    theirs: list[Piece] = []
    matcher = SequenceMatcher(None, typed, expected, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        mine.append(Piece(typed[i1:i2], op == "equal"))
        theirs.append(Piece(expected[j1:j2], op == "equal"))
    return Comparison(_merge(mine), _merge(theirs), expected)
