"""Who may do what: one place for the checks the views share."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app
from flask_login import current_user, login_required

from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services import throttle


def role_required(*roles: Role) -> Callable:
    """Log in first (redirect), then 403 unless the user has one of `roles`."""

    names = {Role.LEARNER: "learners", Role.INSTRUCTOR: "instructors",
             Role.ADMIN: "administrators"}
    refusal = f"This page is for {' and '.join(names[r] for r in roles)}."

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if current_user.role not in roles:
                abort(403, refusal)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)
instructor_required = role_required(Role.INSTRUCTOR, Role.ADMIN)


def count_password_check() -> throttle.Attempt:
    """Count one check of the current user's password: a stolen session must not guess it
    to change it, or the email, or to delete the account. 429 past REAUTH_LIMITS; give
    the attempt back (throttle.give_back) when the password was right."""
    return throttle.require(throttle.reauth_keys(current_user.id),
                            current_app.config["REAUTH_LIMITS"], utcnow(),
                            "password checks for this account")
