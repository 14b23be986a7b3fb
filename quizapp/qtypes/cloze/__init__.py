"""Fill the gaps (cloze): the prompt holds {{1}}, {{2}}... gaps, each with its answers."""

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

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


class Cloze(QuestionBase):
    answer_fields = ("gaps",)
    type: Literal["cloze"]
    gaps: list[Annotated[list[Short], Field(min_length=1, max_length=30)]] = Field(
        min_length=1, max_length=20
    )

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
        kinds = [match_text(t, g, typos, accents) for t, g in zip(texts, gaps, strict=True)]
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
        return [f"Gap {i}: {alts[0]}" for i, alts in enumerate(snapshot["gaps"], 1)]

    def response_text(self, snapshot, response):
        return [f"Gap {i}: {r or '(blank)'}" for i, r in enumerate(response, 1)]

    def claims(self, snapshot):
        return [(f"gap {i}", list(alts), 0.75) for i, alts in enumerate(snapshot["gaps"], 1)]

    def anki_front(self, q, data):
        return anki_html(GAP_RE.sub("_____", q.prompt))

    def anki_back(self, q, data):
        parts, last = [], 0
        for match in GAP_RE.finditer(q.prompt):
            answers = " / ".join(data["gaps"][int(match.group(1)) - 1])
            parts += [anki_html(q.prompt[last : match.start()]), f"<b>{anki_html(answers)}</b>"]
            last = match.end()
        return "".join([*parts, anki_html(q.prompt[last:])])


TYPE = ClozeType()
