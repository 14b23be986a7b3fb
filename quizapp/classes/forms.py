from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from quizapp.forms import AppForm, WholeNumberField
from quizapp.qtypes.common.web import MultiCheckboxField
from quizapp.qtypes.registry import LABELS

WHEN = "%Y-%m-%dT%H:%M"


class CreateClassForm(AppForm):
    name = StringField("Class name", validators=[DataRequired(), Length(max=120)])
    time_zone = StringField("Time zone", default="UTC", validators=[Length(max=64)],
                            description="Opening and closing times are in this zone.")
    starts_on = DateField("Term starts", validators=[Optional()])
    ends_on = DateField("Term ends", validators=[Optional()])
    capacity = WholeNumberField("Most learners (empty: no limit)", validators=[Optional()])
    submit = SubmitField("Create class")


class CodeForm(AppForm):
    expires_at = DateTimeLocalField("Works until (empty: until the next new code)",
                                    format=WHEN, validators=[Optional()])
    submit = SubmitField("New code")


class JoinForm(AppForm):
    code = StringField("Join code", validators=[DataRequired(), Length(max=64)])
    submit = SubmitField("Join")


class MemberForm(AppForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    role = SelectField("As", choices=[SelectChoice("learner", "Learner"),
                                      SelectChoice("teacher", "Co-teacher")])
    submit = SubmitField("Add")


class LinkBankForm(AppForm):
    bank_id = SelectField("Bank", coerce=int, choices=[])
    submit = SubmitField("Link bank")


class StudyForm(AppForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    bank_id = SelectField("Bank", coerce=int, choices=[])
    tags = StringField("Topics (slugs, comma-separated; empty: the whole bank)",
                       validators=[Length(max=2000)])
    goal = WholeNumberField("Goal: % mastered", default=80)
    due_at = DateTimeLocalField("By", format=WHEN, validators=[DataRequired()])
    extra_new_per_day = WholeNumberField(
        "More new cards a day until then (on top of each learner's own limit)", default=0)
    submit = SubmitField("Assign study goal")


class QuizForm(AppForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    bank_id = SelectField("Bank", coerce=int, choices=[])
    tags = StringField("Topics (slugs, comma-separated; empty: all)",
                       validators=[Length(max=2000)])
    types = MultiCheckboxField("Question types (none ticked: all types)",
                               choices=[SelectChoice(t, label) for t, label in LABELS.items()])
    questions = StringField("Or these questions only (keys, comma-separated)",
                            validators=[Length(max=4000)])
    count = WholeNumberField("Questions", default=10)
    mode = SelectField("Mode", choices=[SelectChoice("test", "Test"),
                                        SelectChoice("practice", "Practice")])
    time_limit_min = WholeNumberField("Time limit (minutes, test mode)",
                                      validators=[Optional()])
    attempts = WholeNumberField("Attempts allowed", default=1)
    counts = SelectField("Attempt that counts",
                         choices=[SelectChoice("best", "Best"), SelectChoice("last", "Last"),
                                  SelectChoice("first", "First")])
    opens_at = DateTimeLocalField("Opens", format=WHEN, validators=[Optional()])
    due_at = DateTimeLocalField("Closes", format=WHEN, validators=[DataRequired()])
    late = SelectField("Late submissions",
                       choices=[SelectChoice("refuse", "Refused"),
                                SelectChoice("mark", "Accepted, marked late")])
    submit = SubmitField("Assign quiz")


class ReportForm(AppForm):
    class Meta:
        csrf = False

    on = DateField("Predicted recall on", validators=[Optional()])


class ConfirmForm(AppForm):
    confirm = BooleanField("Yes")
    submit = SubmitField("Go")
