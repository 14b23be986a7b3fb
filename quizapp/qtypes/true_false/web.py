"""True or false on the web: two radio buttons."""

from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from quizapp.qtypes.web_base import TypeWeb

TRUE_FALSE = [SelectChoice("true", "True"), SelectChoice("false", "False")]


class TrueFalseWeb(TypeWeb):
    input_template = "qtypes/true_false/_input.html"
    editor_template = "qtypes/true_false/_editor.html"
    editor_fields = {"answer": RadioField("The statement is", choices=TRUE_FALSE,
                                          validators=[Optional()], default="true")}

    def answer_fields(self, snapshot, shown):
        return {"answer": RadioField("True or false?", validators=[
            InputRequired("Pick true or false.")], choices=TRUE_FALSE)}

    def response(self, form, snapshot):
        return form.answer.data == "true"

    def editor_data(self, form):
        return {"answer": form.answer.data != "false"}

    def editor_load(self, form, snap):
        form.answer.data = "true" if snap["answer"] else "false"


WEB = TrueFalseWeb()
