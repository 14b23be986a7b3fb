"""Short answer: the learner types a word or phrase; any accepted answer is right.

An answer is a string (fully right) or `{text, fraction, feedback}`: a half-right answer
(fraction 0.5), or a known wrong one (fraction 0) with feedback saying why."""

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from difflib import SequenceMatcher
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StrictBool,
    TypeAdapter,
    ValidationError,
    WrapValidator,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from quizapp.domain.questions import QuestionBase, Short
from quizapp.domain.text import fold
from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.common.formats import (
    Reject,
    anki_html,
    format_fraction,
    gift_split_feedback,
    gift_text,
    gift_unescape,
    moodle_answer,
    moodle_read,
)
from quizapp.qtypes.common.grading import InvalidResponse, Result, match_text, result, typed_text
from quizapp.qtypes.common.schema import Strict, credit, number_fraction


class Answer(Strict):
    text: Short
    fraction: float = Field(default=1.0, ge=0, le=1, allow_inf_nan=False)
    feedback: Short | None = None

    @field_validator("fraction", mode="before")
    @classmethod
    def _a_number(cls, value: Any) -> Any:
        return number_fraction(value)

    @model_serializer(mode="wrap")
    def _without_none(self, handler):
        return {k: v for k, v in handler(self).items() if v is not None}


_AS_TEXT, _AS_ANSWER = TypeAdapter(Short), TypeAdapter(Answer)


def _one_answer(value: Any, handler: Any) -> Any:
    """A string or an {text, fraction, feedback} object, with errors placed as for a plain
    list of strings (`answers.0: ...`), not as the union's branches."""
    try:
        return (_AS_TEXT if isinstance(value, str) else _AS_ANSWER).validate_python(value)
    except ValidationError as e:
        error = e.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise PydanticCustomError(error["type"], (f"{where}: " if where else "") + error["msg"],
                                  error.get("ctx")) from None


class ShortAnswer(QuestionBase):
    answer_fields = ("answers", "typos", "accents")
    type: Literal["short_answer"]
    answers: list[Annotated[Short | Answer, WrapValidator(_one_answer)]] = Field(
        min_length=1, max_length=30)
    typos: StrictBool = False
    accents: StrictBool = False

    @model_validator(mode="after")
    def _one_right(self):
        if not any(a == 1 for a in map(_credit, self.answers)):
            raise ValueError("short answer needs an answer with fraction 1 (fully right)")
        return self


def _credit(answer: Any) -> float:
    return 1.0 if isinstance(answer, str) else credit(
        answer if isinstance(answer, Mapping) else answer.model_dump())


def answer_text(answer: Any) -> str:
    return answer if isinstance(answer, str) else answer["text"]


def _feedback(answer: Any) -> str | None:
    return None if isinstance(answer, str) else answer.get("feedback")


def full_answers(data: Mapping[str, Any]) -> list[str]:
    return [answer_text(a) for a in data["answers"] if _credit(a) >= 1]


def accepted(data: Mapping[str, Any]) -> list[str]:
    return [answer_text(a) for a in data["answers"] if _credit(a) > 0]


# How well a response matches an answer, best first (the order `match_text` tries them in).
RANK = ("exact", "accents", "typo", "spelling", "wrong")


FEEDBACK = {
    "exact": (1, "Correct", False),
    "typo": (1, "Correct, but check the spelling", False),
    "spelling": (0, "Almost: check the spelling", True),
    "accents": (0, "Almost: check the accents", True),
    "wrong": (0, "Not quite", False),
}


class ShortAnswerType(QuestionType):
    name = "short_answer"
    label = "Short answer"
    schema = ShortAnswer
    moodle_name = "shortanswer"
    type_in = True

    def grade(self, data: Mapping[str, Any], response: Any) -> Result:
        """Any accepted answer, ignoring case, punctuation, spacing and (unless set) accents.

        One edit away is a typo (right with `typos`, else almost); with `accents`, a wrong
        accent is never a typo. Response: the text as typed."""
        text = typed_text(response)
        if not text.strip():
            raise InvalidResponse("Type an answer")
        accents = bool(data.get("accents", False))
        typos = bool(data.get("typos", False))
        answers = list(data["answers"])
        # Each answer's match; the best kind of match wins, then the highest fraction. An
        # almost-match only counts against an answer worth something.
        kinds = [match_text(text, [answer_text(a)], typos, accents) for a in answers]
        ranked = [(RANK.index(k), -_credit(a), i) for i, (k, a) in enumerate(zip(
            kinds, answers, strict=True)) if k in ("exact", "typo") or (
            k != "wrong" and _credit(a) > 0)]
        if not ranked:
            return result(0, fold(text, keep_accents=accents), FEEDBACK["wrong"][1])
        best = min(ranked)[2]
        kind, fraction = kinds[best], _credit(answers[best])
        score, feedback, almost = FEEDBACK[kind]
        if kind in ("exact", "typo"):
            score = fraction
            if 0 < fraction < 1:
                feedback = "Accepted for part of the marks" + (
                    "" if kind == "exact" else "; check the spelling")
            elif fraction <= 0:
                feedback = FEEDBACK["wrong"][1]
        notes = [n] if (n := _feedback(answers[best])) else []
        return result(score, fold(text, keep_accents=accents), feedback, almost=almost,
                      notes=notes)

    def right_answer(self, snapshot):
        return full_answers(snapshot)[:1]

    def typein_expected(self, snapshot, typed):
        return max(full_answers(snapshot), key=lambda c: SequenceMatcher(
            None, typed.casefold(), c.casefold()).ratio())

    def claims(self, snapshot):
        return [("accepted answer", accepted(snapshot), 0.75)]

    def gift_answers(self, data):
        lines = []
        for a in data["answers"]:
            fraction = _credit(a)
            weight = "" if fraction >= 1 else f"%{format_fraction(fraction * 100)}%"
            feedback = f"#{gift_text(fb)}" if (fb := _feedback(a)) else ""
            lines.append(f"={weight}{gift_text(answer_text(a), arrow=True)}{feedback}")
        return lines

    def moodle_answers(self, element, data):
        ET.SubElement(element, "usecase").text = "0"
        for a in data["answers"]:
            moodle_answer(element, _credit(a) * 100, answer_text(a), _feedback(a))

    def gift_read(self, body, answers):
        return {"answers": [_read_answer(w, gift_unescape(t).strip(),
                                         gift_unescape(fb).strip() if fb else "")
                            for _, w, t, fb in gift_split_feedback(body)]}

    def moodle_read(self, element, answers):
        if any(f < 0 for f, _, _ in answers):
            raise Reject("negative fractions cannot be imported into a short answer")
        return {"answers": [_read_answer(f, t, moodle_read(el, "feedback/text").strip())
                            for f, t, el in answers]}

    def anki_back(self, q, data):
        return " / ".join(anki_html(a) for a in accepted(data))


def _read_answer(percent: float | None, text: str, feedback: str) -> str | dict[str, Any]:
    """A plain string when fully right without feedback, as questions without credit are."""
    if percent is not None and percent < 0:
        raise Reject("negative fractions cannot be imported into a short answer")
    fraction = 1.0 if percent is None or abs(percent - 100) < 1e-3 else round(percent / 100, 5)
    if fraction == 1 and not feedback:
        return text
    return {"text": text, "fraction": fraction, **({"feedback": feedback} if feedback else {})}


TYPE = ShortAnswerType()
