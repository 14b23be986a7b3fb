"""Fill the gaps (cloze): the prompt holds {{1}}, {{2}}... gaps, each with its answers.

Gaps are matched as short answers are (case, punctuation, a leading article and British or
American spelling ignored; with `typos`, one typo forgiven). `any_order` lists groups of
gaps that may be filled in any order ("Belarus and Ukraine" where either may come first):
a group's answers are matched to its gaps the way that scores best."""

from collections.abc import Mapping, Sequence
from itertools import permutations
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, model_validator

from quizapp.domain.questions import GAP_RE, QuestionBase, Short
from quizapp.domain.text import fold
from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.common.formats import anki_html
from quizapp.qtypes.common.grading import (
    InvalidResponse,
    Result,
    as_list,
    match_text,
    plural,
    result,
    typed_text,
)

MAX_GROUP = 6  # 720 ways to fill a group: enough for any sentence, cheap to try


class Cloze(QuestionBase):
    answer_fields = ("gaps", "typos", "accents", "any_order")
    type: Literal["cloze"]
    gaps: list[Annotated[list[Short], Field(min_length=1, max_length=30)]] = Field(
        min_length=1, max_length=20
    )
    typos: StrictBool = False
    accents: StrictBool = False
    any_order: list[Annotated[list[int], Field(min_length=2, max_length=MAX_GROUP)]] | None = (
        Field(default=None, max_length=10))

    @model_validator(mode="after")
    def _groups_name_gaps(self):
        seen: set[int] = set()
        for group in self.any_order or []:
            for number in group:
                if not 1 <= number <= len(self.gaps):
                    raise ValueError(f"the gaps in any order name gap {number}, and the "
                                     f"prompt has gaps 1 to {len(self.gaps)}")
                if number in seen:
                    raise ValueError(f"gap {number} is in more than one group of gaps in any "
                                     "order")
                seen.add(number)
        return self

    @model_validator(mode="after")
    def _gaps_match_prompt(self):
        numbers = [int(n) for n in GAP_RE.findall(self.prompt)]
        expected = list(range(1, len(self.gaps) + 1))
        if sorted(numbers) != expected:
            raise ValueError(
                f"every gap needs an answer: the prompt has gaps {numbers or 'none'}, "
                f"and gaps lists {len(self.gaps)} answer list(s); write {{{{1}}}}..."
                f"{{{{{len(self.gaps)}}}}} once each"
            )
        return self


class ClozeType(QuestionType):
    name = "cloze"
    label = "Fill the gaps"
    schema = Cloze
    inline_inputs = True

    def grade(self, data: Mapping[str, Any], response: Any) -> Result:
        """Each gap is matched like a short answer; the score is the fraction of gaps right.

        Response: one str per gap (None counts as blank)."""
        gaps: list[list[str]] = list(data["gaps"])
        values = as_list(response, "gap answers")
        if len(values) != len(gaps):
            raise InvalidResponse(f"Expected {plural(len(gaps), 'gap answer')}, got {len(values)}")
        texts = ["" if v is None else typed_text(v, "an answer in every gap") for v in values]
        typos, accents = bool(data.get("typos", False)), bool(data.get("accents", False))
        kinds = _kinds(texts, gaps, data.get("any_order") or [], typos, accents)
        right = sum(k in ("exact", "typo") for k in kinds)
        almost = [str(i + 1) for i, k in enumerate(kinds) if k in ("spelling", "accents")]
        typo = [str(i + 1) for i, k in enumerate(kinds) if k == "typo"]
        normalised = [fold(t, keep_accents=accents) for t in texts]
        if right == len(gaps):
            note = f"Correct, but check the spelling of gap {', '.join(typo)}" if typo \
                else "Correct"
            return result(1, normalised, note)
        feedback = f"{right} of {plural(len(gaps), 'gap')} right"
        if almost:
            feedback += f"; almost: check the spelling of gap {', '.join(almost)}"
        return result(right / len(gaps), normalised, feedback, almost=bool(almost))

    def right_answer(self, snapshot):
        either = [" and ".join(map(str, g)) for g in snapshot.get("any_order") or []]
        return [f"Gap {i}: {alts[0]}" for i, alts in enumerate(snapshot["gaps"], 1)] + [
            f"Gaps {g} in any order" for g in either]

    def response_text(self, snapshot, response):
        return [f"Gap {i}: {r or '(blank)'}" for i, r in enumerate(response, 1)]

    def claims(self, snapshot):
        return [(f"gap {i}", list(alts), 0.75) for i, alts in enumerate(snapshot["gaps"], 1)]

    def answered_prompt(self, snapshot):
        return GAP_RE.sub(lambda m: snapshot["gaps"][int(m.group(1)) - 1][0], snapshot["prompt"])

    def anki_front(self, q, data):
        return anki_html(GAP_RE.sub("_____", q.prompt))

    def anki_back(self, q, data):
        parts, last = [], 0
        for match in GAP_RE.finditer(q.prompt):
            answers = " / ".join(data["gaps"][int(match.group(1)) - 1])
            parts += [anki_html(q.prompt[last : match.start()]), f"<b>{anki_html(answers)}</b>"]
            last = match.end()
        return "".join([*parts, anki_html(q.prompt[last:])])


_WORTH = {"exact": 3, "typo": 2, "spelling": 1, "accents": 1, "wrong": 0}


def _kinds(texts: list[str], gaps: list[list[str]], groups: Sequence[Sequence[int]],
           typos: bool, accents: bool) -> list[str]:
    """How each typed gap matches: in its own gap, or for a gap of an any-order group, in
    the gap of its group that gives the group its best score (right gaps first)."""
    kinds = [match_text(t, g, typos, accents) for t, g in zip(texts, gaps, strict=True)]
    for group in groups:
        slots = [n - 1 for n in group]
        table = {(i, j): match_text(texts[i], gaps[j], typos, accents)
                 for i in slots for j in slots}

        def worth(order: tuple[int, ...], table=table, slots=slots) -> tuple[int, int]:
            matched = [table[(i, j)] for i, j in zip(slots, order, strict=True)]
            return (sum(k in ("exact", "typo") for k in matched),
                    sum(_WORTH[k] for k in matched))

        best = max(permutations(slots), key=worth)
        for i, j in zip(slots, best, strict=True):
            kinds[i] = table[(i, j)]
    return kinds


TYPE = ClozeType()
