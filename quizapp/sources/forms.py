from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from quizapp.forms import AppForm


class SourceForm(AppForm):
    """A source as pasted text or an uploaded .md, .txt or .html file (one of the two)."""

    title = StringField("Title", validators=[Optional(), Length(max=300)])
    text = TextAreaField("Text (paragraphs separated by a blank line)",
                         validators=[Optional()])
    file = FileField("Or upload a .md, .txt or .html file")
