"""Numeric on the web: a text box for a number (with the unit in its label)."""

from typing import Any

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from quizapp.qtypes.web_base import TypeWeb


def _number(text: str | None) -> Any:
    text = (text or "").strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return text or None  # the schema reports "a valid number"


class NumericWeb(TypeWeb):
    input_template = "qtypes/numeric/_input.html"
    editor_template = "qtypes/numeric/_editor.html"
    editor_fields = {
        "value": StringField("Value", validators=[Optional(), Length(max=64)]),
        "tolerance": StringField("Tolerance", validators=[Optional(), Length(max=64)],
                                 default="0"),
        "unit": StringField("Unit (optional)", validators=[Optional(), Length(max=100)]),
        "scale": SelectField("Scale", choices=[
            SelectChoice("", "units"), SelectChoice("thousand", "thousands"),
            SelectChoice("million", "millions"), SelectChoice("billion", "billions")],
            default=""),
    }

    def answer_fields(self, snapshot, shown):
        unit = " ".join(p for p in (snapshot.get("scale"), snapshot.get("unit")) if p)
        label = "Your answer" + (f" ({unit})" if unit else "")
        return {"answer": StringField(label, validators=[DataRequired("Type an answer.")],
                                      render_kw={"autocomplete": "off", "spellcheck": "false",
                                                 "inputmode": "decimal"})}

    def response(self, form, snapshot):
        return form.answer.data

    def editor_data(self, form):
        data = {"value": _number(form.value.data), "tolerance": _number(form.tolerance.data
                                                                         or "0")}
        if (form.unit.data or "").strip():
            data["unit"] = form.unit.data.strip()
        if form.scale.data:
            data["scale"] = form.scale.data  # the schema refuses anything but its three
        return data

    def editor_load(self, form, snap):
        form.value.data = f"{snap['value']:g}"
        form.tolerance.data = f"{snap.get('tolerance', 0):g}"
        form.unit.data = snap.get("unit", "")
        form.scale.data = snap.get("scale") or ""


WEB = NumericWeb()
