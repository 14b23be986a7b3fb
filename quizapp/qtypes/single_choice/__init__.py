"""Single choice: one option is right; others may give partial credit (`fraction`)."""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from quizapp.domain.questions import QuestionBase
from quizapp.qtypes.common import choices
from quizapp.qtypes.common.grading import Result, index, result
from quizapp.qtypes.common.schema import Option, credit, distinct


class SingleChoice(QuestionBase):
    answer_fields = ("options",)
    type: Literal["single_choice"]
    options: list[Option] = Field(min_length=2, max_length=12)

    @model_validator(mode="after")
    def _one_correct(self):
        if any(o.fraction is not None for o in self.options):
            if not any(o.credit == 1 for o in self.options):
                raise ValueError("single choice needs an option with fraction 1 (fully right)")
        else:
            correct = sum(o.correct for o in self.options)
            if correct != 1:
                raise ValueError(
                    f"single choice needs exactly one correct option (found {correct})")
        distinct([o.text for o in self.options], "options")
        return self


class SingleChoiceType(choices.ChoiceType):
    name = "single_choice"
    label = "Single choice"
    schema = SingleChoice
    moodle_name, moodle_single = "multichoice", True
    single = True

    def grade(self, data: Mapping[str, Any], response: Any) -> Result:
        """The chosen option's fraction: 1 for the correct one, 0 for a wrong one unless it
        gives partial credit (response: the chosen option's index)."""
        options = data["options"]
        i = index(response, len(options))
        score = credit(options[i])
        message = "Correct" if score >= 1 else ("Not the best option" if score > 0 else "Not quite")
        return result(score, i, message, notes=choices.notes(options, [i]))

    def response_text(self, snapshot, response):
        return [snapshot["options"][response]["text"]]


TYPE = SingleChoiceType()
