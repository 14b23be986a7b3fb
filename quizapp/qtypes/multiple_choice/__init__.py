"""Multiple choice: any number of options (at least one) are right; partial credit."""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from quizapp.domain.questions import QuestionBase
from quizapp.qtypes.common import choices
from quizapp.qtypes.common.grading import InvalidResponse, Result, as_list, index, plural, result
from quizapp.qtypes.common.schema import Option, credit, distinct


class MultipleChoice(QuestionBase):
    answer_fields = ("options",)
    type: Literal["multiple_choice"]
    options: list[Option] = Field(min_length=2, max_length=12)

    @model_validator(mode="after")
    def _some_correct(self):
        if not any(o.correct for o in self.options):
            raise ValueError("multiple choice needs at least one correct option")
        if sum(max(o.credit, 0) for o in self.options) < 1 - 1e-3:
            raise ValueError("the positive fractions of a multiple choice must add up to 1 "
                             "(so a full score is possible)")
        distinct([o.text for o in self.options], "options")
        return self


class MultipleChoiceType(choices.ChoiceType):
    name = "multiple_choice"
    label = "Multiple choice"
    schema = MultipleChoice
    moodle_name, moodle_single = "multichoice", False
    single = False
    anki_hint = "<br><i>(Select all that apply.)</i>"

    def grade(self, data: Mapping[str, Any], response: Any) -> Result:
        """Partial credit: (right picks - wrong picks) / number of correct options, at least 0;
        when options carry fractions, as Moodle: the sum of the picked options' fractions
        (wrong ones may be negative), clamped to 0..1.

        Response: the picked option indexes (any order, no duplicates, at least one)."""
        options = data["options"]
        picks = [index(v, len(options)) for v in as_list(response, "options")]
        if not picks:
            raise InvalidResponse("Pick at least one option")
        if len(set(picks)) != len(picks):
            raise InvalidResponse("An option is picked twice")
        n_correct = sum(bool(o["correct"]) for o in options)
        right = sum(bool(options[i]["correct"]) for i in picks)
        wrong = len(picks) - right
        if choices.weighted(options):
            score = sum(credit(options[i]) for i in picks)
        else:
            score = (right - wrong) / n_correct
        feedback = f"{right} of {plural(n_correct, 'right option')} picked"
        if wrong:
            feedback += f", {plural(wrong, 'wrong pick')}"
        return result(score, sorted(picks), "Correct" if score >= 1 else feedback,
                      notes=choices.notes(options, picks))

    def response_text(self, snapshot, response):
        return [snapshot["options"][i]["text"] for i in sorted(response)] or ["(none)"]


TYPE = MultipleChoiceType()
