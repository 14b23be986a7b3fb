"""Short answer: the learner types a word or phrase; any accepted answer is right."""

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from difflib import SequenceMatcher
from typing import Any, Literal

from pydantic import Field, StrictBool

from quizapp.domain.questions import QuestionBase, Short
from quizapp.domain.text import fold
from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.common.formats import (
    Reject,
    anki_html,
    gift_text,
    gift_unescape,
    moodle_answer,
)
from quizapp.qtypes.common.grading import InvalidResponse, Result, match_text, result, typed_text


class ShortAnswer(QuestionBase):
    answer_fields = ("answers", "typos", "accents")
    type: Literal["short_answer"]
    answers: list[Short] = Field(min_length=1, max_length=30)
    typos: StrictBool = False
    accents: StrictBool = False


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
        kind = match_text(text, list(data["answers"]), bool(data.get("typos", False)), accents)
        score, feedback, almost = FEEDBACK[kind]
        return result(score, fold(text, keep_accents=accents), feedback, almost=almost)

    def right_answer(self, snapshot):
        return [snapshot["answers"][0]]

    def typein_expected(self, snapshot, typed):
        return max(list(snapshot["answers"]), key=lambda c: SequenceMatcher(
            None, typed.casefold(), c.casefold()).ratio())

    def claims(self, snapshot):
        return [("accepted answer", list(snapshot["answers"]), 0.75)]

    def gift_answers(self, data):
        return ["=" + gift_text(a, arrow=True) for a in data["answers"]]

    def moodle_answers(self, element, data):
        ET.SubElement(element, "usecase").text = "0"
        for text in data["answers"]:
            moodle_answer(element, 100, text)

    def gift_read(self, body, answers):
        if any(w not in (None, 100) for _, w, _ in answers):
            raise Reject("partial-credit answers (=%50%...) cannot be imported")
        return {"answers": [gift_unescape(t).strip() for _, _, t in answers]}

    def moodle_read(self, element, answers):
        if any(0 < f < 100 for f, _, _ in answers):
            raise Reject("partial-credit answers cannot be imported")
        return {"answers": [t for f, t, _ in answers if f >= 100]}

    def anki_back(self, q, data):
        return " / ".join(anki_html(a) for a in data["answers"])


TYPE = ShortAnswerType()
