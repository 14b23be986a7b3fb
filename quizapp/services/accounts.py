"""Accounts: shared by the registration form, the admin page and `flask user ...`."""

import re
import secrets
from datetime import datetime

from sqlalchemy import func, select

from quizapp.domain.passwords import hash_password, password_problem, verify_password
from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.services.errors import NotFound, ServiceError

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def create_user(
    username: str,
    password: str,
    *,
    role: Role = Role.LEARNER,
    email: str | None = None,
    now: datetime,
) -> User:
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise ServiceError(
            "A username has 3-64 letters, digits, dots, dashes or underscores.", field="username"
        )
    problem = password_problem(password, username)
    if problem:
        raise ServiceError(problem, field="password")
    if find_user(username) is not None:
        raise ServiceError("That username is taken.", field="username")
    user = User(
        username=username,
        email=email or None,
        password_hash=hash_password(password),
        role=Role(role),
        created_at=now,
        settings={},
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User | None:
    user = find_user(username)
    if user is None:
        hash_password(password)  # same work either way: no timing hint that a name exists
        return None
    return user if verify_password(user.password_hash, password) else None


def change_password(user_id: int, old_password: str, new_password: str) -> User:
    user = _lock_user(user_id)
    if not verify_password(user.password_hash, old_password):
        raise ServiceError("Your current password is not right.", field="current")
    problem = password_problem(new_password, user.username)
    if problem:
        raise ServiceError(problem, field="password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # every other session of this user ends
    db.session.commit()
    return user


def end_sessions(user_id: int) -> None:
    """Log out everywhere: cookies carrying the old session version stop working."""
    user = _lock_user(user_id)
    user.session_version += 1
    db.session.commit()


def set_role(user_id: int, role: str) -> User:
    try:
        new_role = Role(role)
    except ValueError:
        raise ServiceError(f"Unknown role {role!r}.") from None
    user = _lock_user(user_id)
    user.role = new_role
    db.session.commit()
    return user


def update_settings(user_id: int, values: dict) -> User:
    """Merge validated study settings into the user's settings."""
    user = _lock_user(user_id)
    user.settings = {**(user.settings or {}), **values}
    db.session.commit()
    return user


def ensure_admin(password: str | None, *, now: datetime) -> str | None:
    """Create the first account, `admin`, when there are no admins.

    Returns the generated password when one was made up (to print once), else None.
    """
    exists = db.session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1))
    if exists is not None:
        return None
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    create_user("admin", password, role=Role.ADMIN, now=now)
    return generated


def load_session_user(token: str) -> User | None:
    """Flask-Login's loader: the cookie carries "id:session_version"."""
    user_id, _, version = token.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def _lock_user(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound("No such user.")
    return user
