"""Ordering on the web: hidden fields carry the order; up/down buttons move items without JS
(static/js/quiz.js drags them)."""

from werkzeug.exceptions import BadRequest
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional

from quizapp.forms import whole_number
from quizapp.qtypes.common.web import fill, rows, texts
from quizapp.qtypes.web_base import TypeWeb


def ordering_values(form, size: int) -> list[int] | None:
    """The order the form carries, if it is a permutation of the items."""
    try:
        order = [int(getattr(form, f"order_{k}").data) for k in range(size)]
    except (TypeError, ValueError):
        return None
    return order if sorted(order) == list(range(size)) else None


class OrderingWeb(TypeWeb):
    input_template = "qtypes/ordering/_input.html"
    editor_template = "qtypes/ordering/_editor.html"
    editor_fields = {"items": rows(StringField("Item", validators=[Optional(), Length(max=1000)]),
                                   "Items in the right order", 3)}
    row_lists = ("items",)

    def answer_fields(self, snapshot, shown):
        return {f"order_{k}": HiddenField(default=str(shown[k]))
                for k in range(len(snapshot["items"]))}

    def response(self, form, snapshot):
        return ordering_values(form, len(snapshot["items"]))

    def handle_move(self, form, snapshot, move):
        """Move-up/move-down buttons: reorder without recording an answer (no JS needed)."""
        if not move:
            return False
        size = len(snapshot["items"])
        order = ordering_values(form, size) or list(range(size))
        direction, _, index = move.partition("-")
        k = whole_number(index)
        if k is None or direction not in ("up", "down"):
            raise BadRequest("Unknown move.")
        j = k - 1 if direction == "up" else k + 1
        if 0 <= k < size and 0 <= j < size:
            order[k], order[j] = order[j], order[k]
        for n, value in enumerate(order):
            field = getattr(form, f"order_{n}")
            field.data, field.raw_data = str(value), [str(value)]
        return True

    def editor_data(self, form):
        return {"items": texts(form.items)}

    def editor_load(self, form, snap):
        fill(form.items, snap["items"])


WEB = OrderingWeb()
