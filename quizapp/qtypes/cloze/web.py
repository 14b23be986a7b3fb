"""Fill the gaps on the web: a text box in each gap of the prompt; the editor's gap rows."""

from wtforms import StringField
from wtforms.validators import Length, Optional

from quizapp.qtypes.common.web import fill, rows
from quizapp.qtypes.web_base import TypeWeb


class ClozeWeb(TypeWeb):
    input_template = "qtypes/cloze/_input.html"
    editor_template = "qtypes/cloze/_editor.html"
    editor_fields = {"gaps": rows(StringField("Gap", validators=[Optional(), Length(max=2000)]),
                                  "Gap answers (alternatives separated by |)", 1)}
    row_lists = ("gaps",)

    def answer_fields(self, snapshot, shown):
        return {f"gap_{i}": StringField(f"Gap {i + 1}", render_kw={
            "autocomplete": "off", "spellcheck": "false", "size": 14})
            for i in range(len(snapshot["gaps"]))}

    def response(self, form, snapshot):
        return [getattr(form, f"gap_{i}").data or "" for i in range(len(snapshot["gaps"]))]

    def editor_data(self, form):
        return {"gaps": [[alt.strip() for alt in g.data.split("|") if alt.strip()]
                         for g in form.gaps if (g.data or "").strip()]}

    def editor_load(self, form, snap):
        fill(form.gaps, [" | ".join(alts) for alts in snap["gaps"]])


WEB = ClozeWeb()
