"""Short answer on the web: one text box; the editor's accepted answers."""

from wtforms import BooleanField, Form, FormField, StringField
from wtforms.validators import DataRequired, Length, Optional

from quizapp.qtypes.common.web import (
    feedback_field,
    fill,
    fraction_field,
    parse_fraction,
    rows,
    shown_fraction,
)
from quizapp.qtypes.web_base import TypeWeb

TYPED = {"autocomplete": "off", "spellcheck": "false"}


class AnswerRow(Form):
    text = StringField("Accepted answer", validators=[Optional(), Length(max=1000)])
    fraction = fraction_field(0)
    feedback = feedback_field()


def answers_data(form) -> list:
    """Plain strings for fully right answers without feedback, as before; objects else."""
    out: list = []
    for row in form.answers:
        text = (row.text.data or "").strip()
        if not text:
            continue
        fraction = parse_fraction(row.fraction.data)
        feedback = (row.feedback.data or "").strip()
        if (fraction is None or fraction == 1) and not feedback:
            out.append(text)
        else:
            out.append({"text": text, "fraction": 1.0 if fraction is None else fraction,
                        **({"feedback": feedback} if feedback else {})})
    return out


class ShortAnswerWeb(TypeWeb):
    input_template = "qtypes/short_answer/_input.html"
    editor_template = "qtypes/short_answer/_editor.html"
    editor_fields = {
        "answers": rows(FormField(AnswerRow), "Accepted answers", 2),
        "typos": BooleanField("Accept one typo"),
        "accents": BooleanField("Accents matter"),
    }
    row_lists = ("answers",)

    def answer_fields(self, snapshot, shown):
        return {"answer": StringField("Your answer", validators=[DataRequired("Type an answer.")],
                                      render_kw=TYPED)}

    def response(self, form, snapshot):
        return form.answer.data

    def editor_data(self, form):
        return {"answers": answers_data(form), "typos": bool(form.typos.data),
                "accents": bool(form.accents.data)}

    def editor_load(self, form, snap):
        fill(form.answers, [{"text": a} if isinstance(a, str) else {
            "text": a["text"], "fraction": shown_fraction(a.get("fraction")),
            "feedback": a.get("feedback", "")} for a in snap["answers"]])
        form.typos.data, form.accents.data = snap.get("typos"), snap.get("accents")


WEB = ShortAnswerWeb()
