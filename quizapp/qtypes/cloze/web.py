"""Fill the gaps on the web: a text box in each gap of the prompt; the editor's gap rows."""

import re

from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional

from quizapp.qtypes.common.web import fill, rows
from quizapp.qtypes.web_base import TypeWeb


class ClozeWeb(TypeWeb):
    input_template = "qtypes/cloze/_input.html"
    editor_template = "qtypes/cloze/_editor.html"
    editor_fields = {"gaps": rows(StringField("Gap", validators=[Optional(), Length(max=2000)]),
                                  "Gap answers (alternatives separated by |)", 1),
                     "any_order": StringField(
                         "Gaps that may be filled in any order (optional)",
                         validators=[Optional(), Length(max=200)],
                         description="Gap numbers, a group per semicolon: 1, 2; 4, 5"),
                     # own names: the short answer's section has typos and accents too
                     "gap_typos": BooleanField("Accept one typo per gap"),
                     "gap_accents": BooleanField("Accents matter in the gaps")}
    row_lists = ("gaps",)

    def answer_fields(self, snapshot, shown):
        return {f"gap_{i}": StringField(f"Gap {i + 1}", render_kw={
            "autocomplete": "off", "spellcheck": "false", "size": 14})
            for i in range(len(snapshot["gaps"]))}

    def response(self, form, snapshot):
        return [getattr(form, f"gap_{i}").data or "" for i in range(len(snapshot["gaps"]))]

    def editor_data(self, form):
        return {"gaps": [[alt.strip() for alt in g.data.split("|") if alt.strip()]
                         for g in form.gaps if (g.data or "").strip()],
                "any_order": _groups(form.any_order.data or "") or None,
                "typos": bool(form.gap_typos.data), "accents": bool(form.gap_accents.data)}

    def editor_load(self, form, snap):
        fill(form.gaps, [" | ".join(alts) for alts in snap["gaps"]])
        form.any_order.data = "; ".join(", ".join(map(str, g))
                                        for g in snap.get("any_order") or [])
        form.gap_typos.data, form.gap_accents.data = snap.get("typos"), snap.get("accents")


def _groups(text: str) -> list:
    """"1, 2; 4, 5" -> [[1, 2], [4, 5]]; what is not a number is passed on as written, for
    the schema to refuse with its message (never dropped in silence)."""
    groups: list = []
    for part in text.split(";"):
        items = [item for item in re.split(r"[,\s]+", part.strip()) if item]
        if items:
            groups.append([int(i) if i.isdigit() else i for i in items])
    return groups


WEB = ClozeWeb()
