from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from quizapp.domain.passwords import MAX_LENGTH, MIN_LENGTH
from quizapp.forms import AppForm

USERNAME_RULE = Regexp(
    r"^[A-Za-z0-9_.-]{3,64}$", message="3-64 letters, digits, dots, dashes or underscores."
)


class RegisterForm(AppForm):
    username = StringField("Username", validators=[DataRequired(), USERNAME_RULE])
    email = EmailField("Email (optional)", validators=[Optional(), Length(max=254)])
    password = PasswordField(
        "Password",
        validators=[DataRequired()],  # the rules live in domain.passwords, shared with the CLI
        description=f"At least {MIN_LENGTH} characters; a passphrase is best.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
    submit = SubmitField("Create my account")


class LoginForm(AppForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me logged in on this device")
    submit = SubmitField("Log in")


class NewPasswordForm(AppForm):
    """A new password, typed twice (the rules live in domain.passwords)."""

    password = PasswordField(
        "New password",
        validators=[DataRequired()],
        description=f"At least {MIN_LENGTH} characters; a passphrase is best.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    submit = SubmitField("Change password")


class ForgotPasswordForm(AppForm):
    identifier = StringField("Username or email address",
                             validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(NewPasswordForm):
    submit = SubmitField("Set the new password")


class EmailForm(AppForm):
    """On the account page, beside the password form (hence its prefix)."""

    email = EmailField(
        "Email address",
        validators=[Optional(), Length(max=254),
                    Regexp(r"^[^@\s]+@[^@\s]+$", message="Enter an address like ann@example.org.")],
        description="Where password-reset links go. Leave it empty to remove it.",
    )
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField("Save the email address")
