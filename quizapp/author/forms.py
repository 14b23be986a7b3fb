"""The bank form and the question editor: one form for every type, rows added by button."""

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from quizapp.domain.bank_rules import POLICIES
from quizapp.domain.formats import FORMATS
from quizapp.domain.questions import MAX_EXPLANATION, MAX_PROMPT
from quizapp.forms import AppForm, WholeNumberField
from quizapp.qtypes.common.web import MultiCheckboxField
from quizapp.qtypes.registry import LABELS
from quizapp.qtypes.web import editor_fields, row_lists, web


class BankForm(AppForm):
    slug = StringField("Slug (in URLs and files)", validators=[DataRequired(), Length(max=80)])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    article = StringField("Source article (file stem, e.g. trafficking)",
                          validators=[Optional(), Length(max=80)])
    policy = RadioField("Sources", choices=[SelectChoice(k, v) for k, v in POLICIES.items()],
                        validators=[Optional()])  # none sent: unchanged (a new bank: traced)
    submit = SubmitField("Save bank")


class EditorsForm(AppForm):
    editors = StringField("Editors (usernames of instructors, separated by commas)",
                          validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save editors")


class QuestionForm(AppForm):
    key = StringField("Key", validators=[DataRequired(), Length(max=80)],
                      description="Stable id: lowercase letters, digits and dashes.")
    type = SelectField("Type", choices=[SelectChoice(k, v) for k, v in LABELS.items()])
    prompt = TextAreaField("Prompt (Markdown)",
                           validators=[DataRequired(), Length(max=MAX_PROMPT)],
                           description="For fill-the-gaps, write gaps as {{1}}, {{2}}...")
    # Required in a traced bank, optional in a free one: the question's schema decides.
    explanation = TextAreaField("Explanation (Markdown)",
                                validators=[Optional(), Length(max=MAX_EXPLANATION)])
    source = StringField("Sources", validators=[Optional(), Length(max=500)],
                         description="One or more citations like trafficking#11, separated by "
                                     "spaces.")
    # The bank's own topics (`offer_topics`); none until the view says which bank.
    tags = MultiCheckboxField("Topics", choices=[])
    difficulty = SelectField("Difficulty", choices=[SelectChoice("1", "1 easy"),
                                                    SelectChoice("2", "2 medium"),
                                                    SelectChoice("3", "3 hard")], default="2")
    source_check_ignore = StringField("Skip the source check because… (optional)",
                                      validators=[Optional(), Length(max=1000)])
    message = StringField("What changed (optional)", validators=[Optional(), Length(max=500)])
    revision = HiddenField()
    preview = SubmitField("Preview")
    save = SubmitField("Save")

    def offer_topics(self, labels: dict[str, str]) -> None:
        """Offer the bank's topics (slug -> label); a posted topic not among them is refused."""
        self.tags.choices = [SelectChoice(slug, label) for slug, label in labels.items()]

    def question_data(self) -> dict[str, Any]:
        """The form as question data for the schema; blank rows left out."""
        kind = self.type.data
        data: dict[str, Any] = {
            "key": (self.key.data or "").strip(),
            "type": kind,
            "prompt": self.prompt.data or "",
            "explanation": self.explanation.data or "",
            "source": (self.source.data or "").replace(",", " ").split(),
            "tags": list(self.tags.data or []),
            "difficulty": int(self.difficulty.data or 2),
        }
        if (self.source_check_ignore.data or "").strip():
            data["source_check_ignore"] = self.source_check_ignore.data.strip()
        data.update(web(kind).editor_data(self))
        return data

    def load(self, snap: dict[str, Any], revision: int | None) -> None:
        """Fill the form from a question snapshot."""
        self.key.data, self.type.data = snap["key"], snap["type"]
        self.prompt.data, self.explanation.data = snap["prompt"], snap["explanation"]
        self.source.data = " ".join(snap["source"])
        self.tags.data = list(snap["tags"])
        self.difficulty.data = str(snap.get("difficulty", 2))
        self.source_check_ignore.data = snap.get("source_check_ignore", "")
        self.revision.data = str(revision or "")
        web(snap["type"]).editor_load(self, snap)


# Each type's editor rows (its web part's `editor_fields`); a field two types share is one.
for _name, _field in editor_fields().items():
    setattr(QuestionForm, _name, _field)
ROW_LISTS = row_lists()


class ImportForm(AppForm):
    file = FileField("File", validators=[FileRequired("Choose a file to import.")])
    format = SelectField("Format", default="detect", choices=[
        SelectChoice("detect", "detect from the file"),
        *(SelectChoice(f.name, f.name) for f in FORMATS.values() if f.can_import)],
        description="The name and content of the file show its format; choose one to override.")
    submit = SubmitField("Check the file")


class ApplyImportForm(AppForm):
    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Import all")


class ExportForm(AppForm):
    class Meta:
        csrf = False  # a download link

    format = SelectField("Format", id="export-format",  # the import form has a "format" too
                         choices=[SelectChoice(f.name, f.name)
                                  for f in FORMATS.values() if f.can_export])


class RevertForm(AppForm):
    number = WholeNumberField(validators=[DataRequired()])
    # The revision the history page showed as current: a revert over a later save is refused.
    revision = WholeNumberField(validators=[Optional()])


class ArchiveForm(AppForm):
    """The archive button, or with restore=1 the restore button: the form says which, so a
    form sent twice does the same thing twice rather than toggling back."""

    restore = HiddenField()

    def restoring(self) -> bool:
        return self.restore.data == "1"


class PublishForm(AppForm):
    """The publish button, or with unpublish=1 the unpublish button (as ArchiveForm)."""

    unpublish = HiddenField()

    def publishing(self) -> bool:
        return self.unpublish.data != "1"


class TopicForm(AppForm):
    """A new topic of the bank: its label, and optionally its key (made from the label)."""

    label = StringField("Topic name", validators=[DataRequired(), Length(max=120)])
    slug = StringField("Key (optional; lower-case letters, digits, hyphens)",
                       validators=[Optional(), Length(max=64)])
    submit = SubmitField("Add topic")


class RenameTopicForm(AppForm):
    label = StringField("New name", validators=[DataRequired(), Length(max=120)])
    submit = SubmitField("Rename")


class MergeTopicForm(AppForm):
    into = WholeNumberField("Merge into", validators=[DataRequired()])
    submit = SubmitField("Merge")
