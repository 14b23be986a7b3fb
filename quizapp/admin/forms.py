from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from quizapp.models import Role


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[(r.value, r.value.capitalize()) for r in Role])
    submit = SubmitField("Save role")
