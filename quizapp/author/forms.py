"""The bank form and the question editor: one form for every type, rows added by button."""

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from quizapp.domain.formats import FORMATS
from quizapp.domain.questions import MAX_EXPLANATION, MAX_PROMPT, TYPE_LABELS
from quizapp.domain.tags import TAGS
from quizapp.forms import AppForm, WholeNumberField
from quizapp.quiz.forms import MultiCheckboxField

ROW_LISTS = ("options", "answers", "items", "pairs", "gaps")


class BankForm(AppForm):
    slug = StringField("Slug (in URLs and files)", validators=[DataRequired(), Length(max=80)])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    article = StringField("Source article (file stem, e.g. trafficking)",
                          validators=[Optional(), Length(max=80)])
    submit = SubmitField("Save bank")


class EditorsForm(AppForm):
    editors = StringField("Editors (usernames of instructors, separated by commas)",
                          validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save editors")


class OptionRow(Form):
    text = StringField("Option", validators=[Optional(), Length(max=1000)])
    correct = BooleanField("Correct")


class PairRow(Form):
    left = StringField("Left", validators=[Optional(), Length(max=1000)])
    right = StringField("Right", validators=[Optional(), Length(max=1000)])


MAX_ROWS = 40  # rows a list field takes; above a type's own limit so that limit is reported


def _rows(field, label: str, minimum: int):
    return FieldList(field, label=label, min_entries=minimum, max_entries=MAX_ROWS)


class QuestionForm(AppForm):
    key = StringField("Key", validators=[DataRequired(), Length(max=80)],
                      description="Stable id: lowercase letters, digits and dashes.")
    type = SelectField("Type", choices=[SelectChoice(k, v) for k, v in TYPE_LABELS.items()])
    prompt = TextAreaField("Prompt (Markdown)",
                           validators=[DataRequired(), Length(max=MAX_PROMPT)],
                           description="For fill-the-gaps, write gaps as {{1}}, {{2}}...")
    options = _rows(FormField(OptionRow), "Options", 3)
    answer = RadioField("The statement is", choices=[SelectChoice("true", "True"),
                                                      SelectChoice("false", "False")],
                        validators=[Optional()], default="true")
    answers = _rows(StringField("Accepted answer", validators=[Optional(), Length(max=1000)]),
                    "Accepted answers", 2)
    typos = BooleanField("Accept one typo")
    accents = BooleanField("Accents matter")
    value = StringField("Value", validators=[Optional(), Length(max=64)])
    tolerance = StringField("Tolerance", validators=[Optional(), Length(max=64)], default="0")
    unit = StringField("Unit (optional)", validators=[Optional(), Length(max=100)])
    items = _rows(StringField("Item", validators=[Optional(), Length(max=1000)]),
                  "Items in the right order", 3)
    pairs = _rows(FormField(PairRow), "Pairs", 3)
    gaps = _rows(StringField("Gap", validators=[Optional(), Length(max=2000)]),
                 "Gap answers (alternatives separated by |)", 1)
    explanation = TextAreaField("Explanation (Markdown)",
                                validators=[DataRequired(), Length(max=MAX_EXPLANATION)])
    source = StringField("Sources", validators=[DataRequired(), Length(max=500)],
                         description="One or more citations like trafficking#11, separated by "
                                     "spaces.")
    tags = MultiCheckboxField("Topics", choices=[SelectChoice(t, label)
                                                 for t, label in TAGS.items()])
    difficulty = SelectField("Difficulty", choices=[SelectChoice("1", "1 easy"),
                                                    SelectChoice("2", "2 medium"),
                                                    SelectChoice("3", "3 hard")], default="2")
    source_check_ignore = StringField("Skip the source check because… (optional)",
                                      validators=[Optional(), Length(max=1000)])
    message = StringField("What changed (optional)", validators=[Optional(), Length(max=500)])
    revision = HiddenField()
    preview = SubmitField("Preview")
    save = SubmitField("Save")

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
        if kind in ("single_choice", "multiple_choice"):
            data["options"] = [{"text": row.text.data.strip(), "correct": bool(row.correct.data)}
                               for row in self.options if (row.text.data or "").strip()]
        elif kind == "true_false":
            data["answer"] = self.answer.data != "false"
        elif kind == "short_answer":
            data["answers"] = [a.data.strip() for a in self.answers if (a.data or "").strip()]
            data["typos"], data["accents"] = bool(self.typos.data), bool(self.accents.data)
        elif kind == "numeric":
            data["value"] = _number(self.value.data)
            data["tolerance"] = _number(self.tolerance.data or "0")
            if (self.unit.data or "").strip():
                data["unit"] = self.unit.data.strip()
        elif kind == "ordering":
            data["items"] = [i.data.strip() for i in self.items if (i.data or "").strip()]
        elif kind == "matching":
            data["pairs"] = [{"left": p.left.data.strip(), "right": p.right.data.strip()}
                             for p in self.pairs
                             if (p.left.data or "").strip() or (p.right.data or "").strip()]
        elif kind == "cloze":
            data["gaps"] = [[alt.strip() for alt in g.data.split("|") if alt.strip()]
                            for g in self.gaps if (g.data or "").strip()]
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
        kind = snap["type"]
        if kind in ("single_choice", "multiple_choice"):
            _fill(self.options, [{"text": o["text"], "correct": o.get("correct", False)}
                                 for o in snap["options"]])
        elif kind == "true_false":
            self.answer.data = "true" if snap["answer"] else "false"
        elif kind == "short_answer":
            _fill(self.answers, snap["answers"])
            self.typos.data, self.accents.data = snap.get("typos"), snap.get("accents")
        elif kind == "numeric":
            self.value.data = f"{snap['value']:g}"
            self.tolerance.data = f"{snap.get('tolerance', 0):g}"
            self.unit.data = snap.get("unit", "")
        elif kind == "ordering":
            _fill(self.items, snap["items"])
        elif kind == "matching":
            _fill(self.pairs, snap["pairs"])
        elif kind == "cloze":
            _fill(self.gaps, [" | ".join(alts) for alts in snap["gaps"]])


def _number(text: str | None) -> Any:
    text = (text or "").strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return text or None  # the schema reports "a valid number"


def _fill(field_list: FieldList, values: list[Any]) -> None:
    while len(field_list.entries):
        field_list.pop_entry()
    for value in values:
        field_list.append_entry(value)
    while len(field_list.entries) < field_list.min_entries:
        field_list.append_entry()


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
