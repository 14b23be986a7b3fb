"""Form pieces the types' web parts share (WTForms; not pure)."""

from collections.abc import Mapping
from typing import Any

from wtforms import BooleanField, FieldList, Form, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
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


class OptionRow(Form):
    text = StringField("Option", validators=[Optional(), Length(max=1000)])
    correct = BooleanField("Correct")


def option_choices(snapshot: Mapping[str, Any], shown: list[int]) -> list[SelectChoice]:
    return [SelectChoice(str(i), snapshot["options"][i]["text"]) for i in shown]


def options_data(form) -> list[dict[str, Any]]:
    return [{"text": row.text.data.strip(), "correct": bool(row.correct.data)}
            for row in form.options if (row.text.data or "").strip()]


def load_options(form, snap: Mapping[str, Any]) -> None:
    fill(form.options, [{"text": o["text"], "correct": o.get("correct", False)}
                        for o in snap["options"]])
