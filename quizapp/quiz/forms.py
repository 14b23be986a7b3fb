"""The quiz start form, and one answer form per question type, built from a revision."""

from collections.abc import Mapping
from typing import Any

from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from quizapp.domain.questions import TYPE_LABELS
from quizapp.domain.quiz import MAX_QUESTIONS
from quizapp.domain.tags import tag_label
from quizapp.forms import AppForm, WholeNumberField, whole_number


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


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

    def set_choices(self, banks: list[tuple[int, str]], tags: list[str], types: list[str]):
        self.banks.choices = [SelectChoice(i, title) for i, title in banks]
        self.tags.choices = [SelectChoice(t, tag_label(t)) for t in tags]
        self.types.choices = [SelectChoice(t, TYPE_LABELS[t]) for t in types]


class _AnswerBase(AppForm):
    submit = SubmitField("Check my answer")


def answer_form(snapshot: Mapping[str, Any], shown: list[int], formdata=None) -> AppForm:
    """A WTForms form for this question, with options in the attempt's shown order."""
    kind = snapshot["type"]
    fields: dict[str, Any] = {}
    if kind == "single_choice":
        options = snapshot["options"]
        fields["answer"] = RadioField("Your answer", validators=[InputRequired(
            "Pick an option.")], choices=[SelectChoice(str(i), options[i]["text"]) for i in shown])
    elif kind == "multiple_choice":
        options = snapshot["options"]
        fields["answer"] = MultiCheckboxField(
            "Tick every right option", validators=[DataRequired("Tick at least one option.")],
            choices=[SelectChoice(str(i), options[i]["text"]) for i in shown])
    elif kind == "true_false":
        fields["answer"] = RadioField("True or false?", validators=[
            InputRequired("Pick true or false.")],
            choices=[SelectChoice("true", "True"), SelectChoice("false", "False")])
    elif kind in ("short_answer", "numeric"):
        label = "Your answer" + (f" ({snapshot['unit']})" if snapshot.get("unit") else "")
        fields["answer"] = StringField(label, validators=[DataRequired("Type an answer.")],
                                       render_kw={"autocomplete": "off", "spellcheck": "false",
                                                  **({"inputmode": "decimal"}
                                                     if kind == "numeric" else {})})
    elif kind == "ordering":
        for k in range(len(snapshot["items"])):
            fields[f"order_{k}"] = HiddenField(default=str(shown[k]))
    elif kind == "matching":
        pairs = snapshot["pairs"]
        for i, pair in enumerate(pairs):
            fields[f"match_{i}"] = SelectField(
                pair["left"], validators=[Optional()],
                choices=[SelectChoice("", "Choose…")]
                + [SelectChoice(str(j), pairs[j]["right"]) for j in shown])
    elif kind == "cloze":
        for i in range(len(snapshot["gaps"])):
            fields[f"gap_{i}"] = StringField(f"Gap {i + 1}", render_kw={
                "autocomplete": "off", "spellcheck": "false", "size": 14})
    form_class = type(f"{kind.title()}AnswerForm", (_AnswerBase,), fields)
    return form_class(formdata=formdata)


def ordering_values(form: AppForm, size: int) -> list[int] | None:
    """The order the form carries, if it is a permutation of the items."""
    try:
        order = [int(getattr(form, f"order_{k}").data) for k in range(size)]
    except (TypeError, ValueError):
        return None
    return order if sorted(order) == list(range(size)) else None


def response_from(form: AppForm, snapshot: Mapping[str, Any]) -> Any:
    """The grader's response shape from a validated form."""
    kind = snapshot["type"]
    if kind == "single_choice":
        return int(form.answer.data)
    if kind == "multiple_choice":
        return sorted(int(v) for v in form.answer.data)
    if kind == "true_false":
        return form.answer.data == "true"
    if kind in ("short_answer", "numeric"):
        return form.answer.data
    if kind == "ordering":
        return ordering_values(form, len(snapshot["items"]))
    if kind == "matching":
        values = [getattr(form, f"match_{i}").data for i in range(len(snapshot["pairs"]))]
        return [whole_number(v) for v in values]  # "" (or blanks): not matched
    if kind == "cloze":
        return [getattr(form, f"gap_{i}").data or "" for i in range(len(snapshot["gaps"]))]
    raise ValueError(kind)
