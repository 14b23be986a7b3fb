"""Form helpers shared by the blueprints: the base form every page form uses, number fields
that only accept what the database can store, and the service-error bridge."""

import re
from decimal import Decimal

from flask import abort, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.form import SUBMIT_METHODS
from flask_wtf.form import _Auto as _AUTO  # "read the request": the default formdata
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest
from wtforms import DecimalField, IntegerField, SubmitField
from wtforms.validators import StopValidation

from quizapp.routing import MAX_ID  # the largest INTEGER either database holds
from quizapp.services.errors import ServiceError

_WHOLE = re.compile(r"[+-]?[0-9]{1,12}")  # ASCII digits only: int() also takes "²" and "٣"


def whole_number(text: object) -> int | None:
    """`text` as an int if it is a whole number in ASCII digits that a column can hold."""
    if not isinstance(text, str) or not _WHOLE.fullmatch(text.strip()):
        return None
    value = int(text)
    return value if -MAX_ID <= value <= MAX_ID else None


def json_formdata(data: object) -> ImmutableMultiDict:
    """A JSON body as form data: an object whose values are text or whole numbers.

    Anything else (an array, true for a number, 3.7 for a grade, a nested object) is a
    400 with the field named, rather than a value WTForms would quietly coerce."""
    if not isinstance(data, dict):
        raise BadRequest("Send a JSON object of fields, such as {\"card_id\": 12}.")
    fields = []
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise BadRequest(f"{key}: send text or a whole number.")
        fields.append((key, str(value)))
    return ImmutableMultiDict(fields)


class AppForm(FlaskForm):
    """Every form of the app. Reads a JSON body only if it is an object of plain values, and
    a multipart upload only into file fields (a text field sent as a file is missing)."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is not _AUTO or not (request and request.method in SUBMIT_METHODS):
                return super().wrap_formdata(form, formdata)
            if request.files:
                file_fields = {f.name for f in form if isinstance(f, FileField)}
                files = MultiDict([(k, v) for k, v in request.files.items(multi=True)
                                   if k in file_fields])
                return CombinedMultiDict((files, request.form)) if files else request.form
            if request.form:
                return request.form
            if request.is_json:
                return json_formdata(request.get_json())
            return None


class _StopIfUnreadable:
    """A value that could not be read gets that one message, not range errors as well."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class WholeNumberField(_StopIfUnreadable, IntegerField):
    """An IntegerField for ASCII whole numbers within a database INTEGER."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] == "":
            return  # empty: Optional() or InputRequired() decides
        self.data = whole_number(valuelist[0])
        if self.data is None:
            raise ValueError(self.gettext("Enter a whole number."))


class FiniteDecimalField(_StopIfUnreadable, DecimalField):
    """A DecimalField that refuses NaN, sNaN and Infinity (they break range checks)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Enter a number."))


def add_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's message beside its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


class ActionForm(AppForm):
    """A button-only form (log out, archive...): carries the CSRF token."""

    submit = SubmitField("Go")


def require_action_form() -> None:
    """A button-only POST whose form (its CSRF token) cannot be read: a 400 that says so."""
    if not ActionForm().validate_on_submit():
        abort(400, "The form could not be read; reload the page and try again.")
