from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from quizapp.quiz.forms import MultiCheckboxField

SUBMISSION_ID = Regexp(r"^[A-Za-z0-9_-]{8,64}$", message="Invalid submission id.")
TIMEZONES = sorted(available_timezones())


class GradeForm(FlaskForm):
    card_id = IntegerField(validators=[InputRequired()])
    rating = IntegerField(validators=[InputRequired(), NumberRange(1, 4, "Grade 1 to 4.")])
    submission_id = StringField(validators=[Optional(), SUBMISSION_ID])
    duration_ms = IntegerField(validators=[Optional(), NumberRange(0, 86_400_000)])


class CardActionForm(FlaskForm):
    card_id = HiddenField(validators=[DataRequired()])


class TypeInForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only shows the back of the card

    card = IntegerField(validators=[InputRequired()])
    show = HiddenField()
    answer = StringField("Type your answer", validators=[Optional(), Length(max=1000)])


class EnrolForm(FlaskForm):
    tags = MultiCheckboxField("Topics (none ticked: all)")
    submit = SubmitField("Study this bank")


class SettingsForm(FlaskForm):
    desired_retention = DecimalField(
        "Desired retention", places=2,
        validators=[InputRequired(), NumberRange(0.70, 0.97, "Choose between 0.70 and 0.97.")],
        description="The share of cards you want to still remember when they come back. "
                    "Higher means more reviews each day; lower means more forgetting. "
                    "0.90 is a good balance.")
    new_per_day = IntegerField("New cards per day", validators=[
        InputRequired(), NumberRange(0, 1000, "Choose 0 to 1000.")])
    reviews_per_day = IntegerField("Reviews per day", validators=[
        InputRequired(), NumberRange(0, 10000, "Choose 0 to 10000.")])
    timezone = SelectField("Time zone", choices=[SelectChoice(t, t) for t in TIMEZONES],
                           description="Your study day starts at 4 am here.")
    type_in = BooleanField("Type the answer before revealing it (where the card allows)")
    submit = SubmitField("Save settings")
