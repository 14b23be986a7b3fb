from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from quizapp.forms import AppForm
from quizapp.models import Role


class RoleForm(AppForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role])
    submit = SubmitField("Save role")
