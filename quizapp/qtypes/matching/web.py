"""Matching on the web: one select per left item; the editor's pair rows."""

from wtforms import Form, FormField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from quizapp.forms import whole_number
from quizapp.qtypes.common.web import fill, rows
from quizapp.qtypes.web_base import TypeWeb


class PairRow(Form):
    left = StringField("Left", validators=[Optional(), Length(max=1000)])
    right = StringField("Right", validators=[Optional(), Length(max=1000)])


class MatchingWeb(TypeWeb):
    input_template = "qtypes/matching/_input.html"
    editor_template = "qtypes/matching/_editor.html"
    editor_fields = {"pairs": rows(FormField(PairRow), "Pairs", 3)}
    row_lists = ("pairs",)

    def answer_fields(self, snapshot, shown):
        pairs = snapshot["pairs"]
        return {f"match_{i}": SelectField(
            pair["left"], validators=[Optional()],
            choices=[SelectChoice("", "Choose…")]
            + [SelectChoice(str(j), pairs[j]["right"]) for j in shown])
            for i, pair in enumerate(pairs)}

    def response(self, form, snapshot):
        values = [getattr(form, f"match_{i}").data for i in range(len(snapshot["pairs"]))]
        return [whole_number(v) for v in values]  # "" (or blanks): not matched

    def editor_data(self, form):
        return {"pairs": [{"left": p.left.data.strip(), "right": p.right.data.strip()}
                          for p in form.pairs
                          if (p.left.data or "").strip() or (p.right.data or "").strip()]}

    def editor_load(self, form, snap):
        fill(form.pairs, snap["pairs"])


WEB = MatchingWeb()
