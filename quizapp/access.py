"""Who may do what: one place for the checks the views share."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from quizapp.models import Role


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
