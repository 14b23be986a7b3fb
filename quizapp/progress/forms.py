from wtforms import BooleanField, PasswordField, SubmitField
from wtforms.validators import DataRequired

from quizapp.forms import AppForm


class DeleteAccountForm(AppForm):
    confirm = BooleanField("I understand that my account, reviews and quiz attempts are "
                           "deleted for good", validators=[DataRequired("Tick to confirm.")])
    password = PasswordField("Your password", validators=[DataRequired()])
    submit = SubmitField("Delete my account")
