"""Single choice on the web: radio buttons; the editor's option rows."""

from wtforms import FormField, RadioField
from wtforms.validators import InputRequired

from quizapp.qtypes.common.web import OptionRow, load_options, option_choices, options_data, rows
from quizapp.qtypes.web_base import TypeWeb


class SingleChoiceWeb(TypeWeb):
    input_template = "qtypes/single_choice/_input.html"
    editor_template = "qtypes/common/_options_editor.html"
    editor_fields = {"options": rows(FormField(OptionRow), "Options", 3)}
    row_lists = ("options",)

    def answer_fields(self, snapshot, shown):
        return {"answer": RadioField("Your answer", validators=[InputRequired("Pick an option.")],
                                     choices=option_choices(snapshot, shown))}

    def response(self, form, snapshot):
        return int(form.answer.data)

    def editor_data(self, form):
        return {"options": options_data(form)}

    def editor_load(self, form, snap):
        load_options(form, snap)


WEB = SingleChoiceWeb()
