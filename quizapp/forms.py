"""Form helpers shared by the blueprints."""

from flask_wtf import FlaskForm
from wtforms import SubmitField

from quizapp.services.errors import ServiceError


def add_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's message beside its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


class ActionForm(FlaskForm):
    """A button-only form (log out, archive...): carries the CSRF token."""

    submit = SubmitField("Go")
