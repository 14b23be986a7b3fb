from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from quizapp.forms import AppForm, WholeNumberField
from quizapp.models import Role


class RoleForm(AppForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role])
    submit = SubmitField("Save role")


class UserSearchForm(AppForm):
    class Meta:
        csrf = False  # a search: a GET form

    q = StringField("Search by username or email", validators=[Optional(), Length(max=254)])
    page = WholeNumberField("Page", validators=[Optional(), NumberRange(min=1)])


class DeleteUserForm(AppForm):
    username = StringField("Type the username to confirm",
                           validators=[DataRequired(), Length(max=64)])
    submit = SubmitField("Delete the account and its data")
