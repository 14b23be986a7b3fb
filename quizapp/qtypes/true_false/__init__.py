"""True or false: the prompt is a statement."""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import StrictBool

from quizapp.domain.questions import QuestionBase
from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.common.formats import Reject, anki_html, gift_find, moodle_answer
from quizapp.qtypes.common.grading import InvalidResponse, Result, result


class TrueFalse(QuestionBase):
    answer_fields = ("answer",)
    type: Literal["true_false"]
    answer: StrictBool


def _word(value: bool) -> str:
    return "True" if value else "False"


class TrueFalseType(QuestionType):
    name = "true_false"
    label = "True or false"
    schema = TrueFalse
    moodle_name = "truefalse"

    def grade(self, data: Mapping[str, Any], response: Any) -> Result:
        """One point for the right truth value (response: a bool)."""
        if not isinstance(response, bool):
            raise InvalidResponse("Choose true or false")
        right = response == bool(data["answer"])
        return result(1 if right else 0, response, "Correct" if right else "Not quite")

    def right_answer(self, snapshot):
        return [_word(snapshot["answer"])]

    def response_text(self, snapshot, response):
        return [_word(response)]

    def claims(self, snapshot):
        return [("true statement", [snapshot["prompt"]], 0.6)] if snapshot["answer"] else []

    def gift_answers(self, data):
        return ["T" if data["answer"] else "F"]

    def moodle_answers(self, element, data):
        moodle_answer(element, 100 if data["answer"] else 0, "true")
        moodle_answer(element, 0 if data["answer"] else 100, "false")

    def gift_read(self, body, answers):
        word = body[: f].strip() if (f := gift_find(body, "#")) > 0 else body
        return {"answer": word.upper().startswith("T")}

    def moodle_read(self, element, answers):
        right = [text.strip().lower() for f, text, _ in answers if f > 0]
        if len(right) != 1 or right[0] not in ("true", "false"):
            raise Reject("a truefalse question needs one right answer, true or false")
        return {"answer": right[0] == "true"}

    def anki_front(self, q, data):
        return anki_html(q.prompt) + "<br><i>(True or false?)</i>"

    def anki_back(self, q, data):
        return _word(data["answer"])


TYPE = TrueFalseType()
