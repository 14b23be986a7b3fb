"""Form pieces the types' web parts share (WTForms; not pure)."""

from collections.abc import Mapping
from typing import Any

from wtforms import BooleanField, FieldList, Form, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

MAX_ROWS = 40  # rows a list field takes; above a type's own limit so that limit is reported


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def rows(field, label: str, minimum: int) -> FieldList:
    return FieldList(field, label=label, min_entries=minimum, max_entries=MAX_ROWS)


def fill(field_list: FieldList, values: list[Any]) -> None:
    while len(field_list.entries):
        field_list.pop_entry()
    for value in values:
        field_list.append_entry(value)
    while len(field_list.entries) < field_list.min_entries:
        field_list.append_entry()


def texts(field_list: FieldList) -> list[str]:
    """The non-blank rows of a list of text fields, stripped."""
    return [f.data.strip() for f in field_list if (f.data or "").strip()]


def parse_fraction(text: str | None) -> float | None:
    """A fraction as typed: "0.5", "-0.25", "50%" (percent), or blank for none."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    percent = text.endswith("%")
    value = float(text.removesuffix("%").strip())  # ValueError for anything else
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value / 100 if percent else value


class FractionCheck:
    """A fraction from `low` to 1 (blank allowed), with a message that says how to write one."""

    def __init__(self, low: float):
        self.low = low

    def __call__(self, form, field):
        try:
            value = parse_fraction(field.data)
        except ValueError:
            value = float("nan")
        if value is not None and not self.low <= value <= 1:
            low = "-1" if self.low < 0 else "0"
            raise ValidationError(f"A fraction is a number from {low} to 1, such as 0.5 "
                                  f"(half the marks) or 50%; leave it blank for none.")


def fraction_field(low: float) -> StringField:
    return StringField("Fraction", validators=[Optional(), Length(max=20), FractionCheck(low)],
                       render_kw={"inputmode": "decimal", "size": 6})


def feedback_field() -> StringField:
    return StringField("Feedback", validators=[Optional(), Length(max=1000)])


def shown_fraction(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class OptionRow(Form):
    text = StringField("Option", validators=[Optional(), Length(max=1000)])
    correct = BooleanField("Correct")
    fraction = fraction_field(-1)
    feedback = feedback_field()


def option_choices(snapshot: Mapping[str, Any], shown: list[int]) -> list[SelectChoice]:
    return [SelectChoice(str(i), snapshot["options"][i]["text"]) for i in shown]


def options_data(form) -> list[dict[str, Any]]:
    """The filled option rows; with a fraction, `correct` is left to follow from it unless
    ticked (so a ticked option with a fraction of 0 or less is reported)."""
    out = []
    for row in form.options:
        if not (row.text.data or "").strip():
            continue
        option: dict[str, Any] = {"text": row.text.data.strip()}
        fraction = parse_fraction(row.fraction.data)
        if fraction is None or row.correct.data:
            option["correct"] = bool(row.correct.data)
        if fraction is not None:
            option["fraction"] = fraction
        if (feedback := (row.feedback.data or "").strip()):
            option["feedback"] = feedback
        out.append(option)
    return out


def load_options(form, snap: Mapping[str, Any]) -> None:
    # The box is ticked for fully right options only: a part-credit option shows its fraction.
    fill(form.options, [{"text": o["text"], "correct": o.get("correct", False)
                         and (o.get("fraction") is None or o["fraction"] >= 1),
                         "fraction": shown_fraction(o.get("fraction")),
                         "feedback": o.get("feedback", "")}
                        for o in snap["options"]])
