from decimal import Decimal
from zoneinfo import available_timezones

from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from quizapp.forms import AppForm, FiniteDecimalField, WholeNumberField
from quizapp.quiz.forms import MultiCheckboxField

SUBMISSION_ID = Regexp(r"^[A-Za-z0-9_-]{8,64}$", message="Invalid submission id.")
TIMEZONES = sorted(available_timezones())


class GradeForm(AppForm):
    card_id = WholeNumberField(validators=[InputRequired()])
    rating = WholeNumberField(validators=[InputRequired(), NumberRange(1, 4, "Grade 1 to 4.")])
    submission_id = StringField(validators=[Optional(), SUBMISSION_ID])
    duration_ms = WholeNumberField(validators=[Optional(), NumberRange(0, 86_400_000)])


class UndoForm(AppForm):
    submission_id = StringField(validators=[Optional(), SUBMISSION_ID])


class CardActionForm(AppForm):
    card_id = WholeNumberField(widget=HiddenInput(), validators=[InputRequired()])


class CheckForm(AppForm):
    """Type-in mode's JSON request: which card, and what the learner typed."""

    card_id = WholeNumberField(validators=[InputRequired()])
    answer = StringField(validators=[Length(max=1000)])


class TypeInForm(AppForm):
    class Meta:
        csrf = False  # a GET form: it only shows the back of the card

    card = WholeNumberField(validators=[InputRequired()])
    show = HiddenField()
    answer = StringField("Type your answer", validators=[Optional(), Length(max=1000)])


class EnrolForm(AppForm):
    tags = MultiCheckboxField("Topics (none ticked: all)")
    submit = SubmitField("Study this bank")


class SettingsForm(AppForm):
    desired_retention = FiniteDecimalField(
        "Desired retention", places=2,
        validators=[InputRequired(), NumberRange(Decimal("0.70"), Decimal("0.97"),
                                                 "Choose between 0.70 and 0.97.")],
        description="The share of cards you want to still remember when they come back. "
                    "Higher means more reviews each day; lower means more forgetting. "
                    "0.90 is a good balance.")
    new_per_day = WholeNumberField("New cards per day", validators=[
        InputRequired(), NumberRange(0, 1000, "Choose 0 to 1000.")])
    reviews_per_day = WholeNumberField("Reviews per day", validators=[
        InputRequired(), NumberRange(0, 10000, "Choose 0 to 10000.")])
    timezone = SelectField("Time zone", choices=[SelectChoice(t, t) for t in TIMEZONES],
                           description="Your study day starts at 4 am here.")
    type_in = BooleanField("Type the answer before revealing it (where the card allows)")
    submit = SubmitField("Save settings")
