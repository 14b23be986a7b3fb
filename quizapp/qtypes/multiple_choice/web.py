"""Multiple choice on the web: checkboxes; the editor's option rows (shared with single)."""

from wtforms import FormField
from wtforms.validators import DataRequired

from quizapp.qtypes.common.web import (
    MultiCheckboxField,
    OptionRow,
    load_options,
    option_choices,
    options_data,
    rows,
)
from quizapp.qtypes.web_base import TypeWeb


class MultipleChoiceWeb(TypeWeb):
    input_template = "qtypes/multiple_choice/_input.html"
    editor_template = "qtypes/common/_options_editor.html"
    editor_fields = {"options": rows(FormField(OptionRow), "Options", 3)}
    row_lists = ("options",)

    def answer_fields(self, snapshot, shown):
        return {"answer": MultiCheckboxField(
            "Tick every right option", validators=[DataRequired("Tick at least one option.")],
            choices=option_choices(snapshot, shown))}

    def response(self, form, snapshot):
        return sorted(int(v) for v in form.answer.data)

    def editor_data(self, form):
        return {"options": options_data(form)}

    def editor_load(self, form, snap):
        load_options(form, snap)


WEB = MultipleChoiceWeb()
