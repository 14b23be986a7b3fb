"""Short answer on the web: one text box; the editor's accepted answers."""

from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, Optional

from quizapp.qtypes.common.web import fill, rows, texts
from quizapp.qtypes.web_base import TypeWeb

TYPED = {"autocomplete": "off", "spellcheck": "false"}


class ShortAnswerWeb(TypeWeb):
    input_template = "qtypes/short_answer/_input.html"
    editor_template = "qtypes/short_answer/_editor.html"
    editor_fields = {
        "answers": rows(StringField("Accepted answer", validators=[Optional(), Length(max=1000)]),
                        "Accepted answers", 2),
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
        return {"answers": texts(form.answers), "typos": bool(form.typos.data),
                "accents": bool(form.accents.data)}

    def editor_load(self, form, snap):
        fill(form.answers, snap["answers"])
        form.typos.data, form.accents.data = snap.get("typos"), snap.get("accents")


WEB = ShortAnswerWeb()
