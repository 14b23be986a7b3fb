"""The quiz start form, and the answer form of a question, built from a revision by its type."""

from collections.abc import Mapping
from typing import Any

from wtforms import (
    RadioField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from quizapp.domain.quiz import MAX_QUESTIONS
from quizapp.forms import AppForm, WholeNumberField
from quizapp.qtypes.common.web import MultiCheckboxField
from quizapp.qtypes.registry import LABELS
from quizapp.qtypes.web import web


class StartQuizForm(AppForm):
    banks = MultiCheckboxField("Question banks", coerce=int)
    tags = MultiCheckboxField("Topics (none ticked: all topics)")
    types = MultiCheckboxField("Question types (none ticked: all types)")
    count = WholeNumberField("Number of questions", default=10,
                         validators=[InputRequired(), NumberRange(1, MAX_QUESTIONS)])
    mode = RadioField("Mode", default="practice", validators=[DataRequired()], choices=[
        SelectChoice("practice", "Practice: feedback after each question"),
        SelectChoice("test", "Test: feedback at the end"),
    ])
    time_limit = WholeNumberField("Time limit in minutes (test mode, optional)",
                              validators=[Optional(), NumberRange(1, 240)])
    submit = SubmitField("Start the quiz")

    def set_choices(self, banks: list[tuple[int, str]], tags: dict[str, str],
                    types: list[str]):
        """`tags`: slug -> label, in the order shown."""
        self.banks.choices = [SelectChoice(i, title) for i, title in banks]
        self.tags.choices = [SelectChoice(slug, label) for slug, label in tags.items()]
        self.types.choices = [SelectChoice(t, LABELS[t]) for t in types]


class _AnswerBase(AppForm):
    submit = SubmitField("Check my answer")


def answer_form(snapshot: Mapping[str, Any], shown: list[int], formdata=None) -> AppForm:
    """A WTForms form for this question (its type's fields), options in the shown order."""
    kind = snapshot["type"]
    fields = web(kind).answer_fields(snapshot, shown)
    form_class = type(f"{kind.title()}AnswerForm", (_AnswerBase,), fields)
    return form_class(formdata=formdata)


def response_from(form: AppForm, snapshot: Mapping[str, Any]) -> Any:
    """The grader's response shape from a validated form."""
    return web(snapshot["type"]).response(form, snapshot)
