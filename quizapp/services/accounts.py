"""Accounts: shared by the registration form, the admin page and `flask user ...`."""

import re
import secrets
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from quizapp import unit_of_work
from quizapp.domain.passwords import hash_password, password_problem, verify_password
from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.services.errors import Conflict, NotFound, ServiceError

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
DISABLED_MESSAGE = "This account is disabled. An administrator can enable it again."


class AccountDisabled(ServiceError):
    """The account was disabled while its login was under way."""


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
    """A new account. The password is hashed before the write begins (argon2 is slow, and
    no write lock is held while it runs); the unique index settles two registrations of
    one name at once."""
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise ServiceError(
            "A username has 3-64 letters, digits, dots, dashes or underscores.", field="username"
        )
    problem = password_problem(password, username)
    if problem:
        raise ServiceError(problem, field="password")
    role = Role(role)
    if find_user(username) is not None:
        raise ServiceError("That username is taken.", field="username")
    password_hash = hash_password(password)
    unit_of_work.write()
    user = User(username=username, email=email or None, password_hash=password_hash,
                role=role, created_at=now, settings={})
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # registered by another request a moment ago
        raise ServiceError("That username is taken.", field="username") from None
    return user


def authenticate(username: str, password: str) -> User | None:
    """The account if the password is right (a read: verify before any write begins)."""
    user = find_user(username)
    if user is None:
        hash_password(password)  # same work either way: no timing hint that a name exists
        return None
    return user if verify_password(user.password_hash, password) else None


def change_password(user_id: int, old_password: str, new_password: str) -> User:
    """Check the current password and hash the new one first, then store it; every other
    session of the user ends."""
    user = _get_user(user_id)
    checked = _confirm_password(user, old_password, "Your current password is not right.",
                                field="current")
    problem = password_problem(new_password, user.username)
    if problem:
        raise ServiceError(problem, field="password")
    new_hash = hash_password(new_password)
    unit_of_work.write()
    user = _lock_user(user_id, password_hash=checked)
    user.password_hash = new_hash
    user.end_sessions()
    db.session.flush()
    return user


def set_email(user_id: int, email: str | None, password: str) -> User:
    """The address reset links go to; the password confirms it is the user's own doing."""
    checked = _confirm_password(_get_user(user_id), password,
                                "Your password is not right; the address is unchanged.")
    unit_of_work.write()
    user = _lock_user(user_id, password_hash=checked)
    user.email = (email or "").strip() or None
    db.session.flush()
    return user


def set_password(user_id: int, new_password: str) -> User:
    """An administrator's reset (`flask user set-password`): every session of the user ends."""
    user = _get_user(user_id)
    problem = password_problem(new_password, user.username)
    if problem:
        raise ServiceError(problem, field="password")
    new_hash = hash_password(new_password)
    unit_of_work.write()
    user = _lock_user(user_id)
    user.password_hash = new_hash
    user.end_sessions()
    db.session.flush()
    return user


def end_sessions(user_id: int) -> None:
    """Log out everywhere: cookies carrying the old session token stop working."""
    unit_of_work.write()
    _lock_user(user_id).end_sessions()
    db.session.flush()


def set_role(user_id: int, role: str) -> User:
    try:
        new_role = Role(role)
    except ValueError:
        raise ServiceError(f"Unknown role {role!r}.") from None
    unit_of_work.write()
    user = _lock_user(user_id)
    if new_role != Role.ADMIN:
        refuse_last_admin(user, "demoted")
    user.role = new_role
    db.session.flush()
    return user


def refuse_last_admin(user: User, action: str) -> None:
    """An app without an active administrator could not be managed: keep the last one."""
    if not (user.is_admin and user.is_active):
        return
    others = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.disabled_at.is_(None),
                              User.id != user.id).order_by(User.id).with_for_update()).all()
    if not others:
        raise ServiceError(f"{user.username} is the last administrator and cannot be "
                           f"{action}. Make another account an administrator first.")


def set_disabled(user_id: int, disabled: bool, now: datetime) -> bool:
    """Disable an account (it cannot log in, and its sessions end) or enable it again.
    True if that changed it (it was not so already)."""
    unit_of_work.write()
    user = _lock_user(user_id)
    if disabled == (user.disabled_at is not None):
        return False
    if disabled:
        refuse_last_admin(user, "disabled")
        user.disabled_at = now
        user.end_sessions()
    else:
        user.disabled_at = None
    db.session.flush()
    return True


def record_login(user_id: int, now: datetime) -> bool:
    """A successful login, decided on the account's fresh row: AccountDisabled if it was
    disabled meanwhile. Notes the first login; True if this is it (staff are shown how to
    get started)."""
    unit_of_work.write()
    user = _lock_user(user_id)
    if not user.is_active:
        raise AccountDisabled(DISABLED_MESSAGE)
    if user.first_login_at is not None:
        return False
    user.first_login_at = now
    db.session.flush()
    return True


def search_users(text: str, page: int, per_page: int = 25):
    """Users whose username or email contains `text` (any case), a page at a time."""
    query = select(User).order_by(func.lower(User.username))
    text = text.strip().lower()
    if text:
        query = query.where(or_(func.lower(User.username).contains(text, autoescape=True),
                                func.lower(User.email).contains(text, autoescape=True)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def update_settings(user_id: int, values: dict) -> User:
    """Merge validated study settings into the user's settings."""
    unit_of_work.write()
    user = _lock_user(user_id)
    user.settings = {**(user.settings or {}), **values}
    db.session.flush()
    return user


def ensure_admin(password: str | None, *, now: datetime) -> tuple[bool, str | None]:
    """Create the first account, `admin`, when there are no admins.

    Returns whether it was created, and the password if one was made up (to print once)."""
    exists = db.session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1))
    if exists is not None:
        return False, None
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    create_user("admin", password, role=Role.ADMIN, now=now)
    return True, generated


def load_session_user(token: str) -> User | None:
    """Flask-Login's loader: the cookie carries the account's random session token."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.session_token == token))
    if user is None or not user.is_active:
        return None
    return user


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def _confirm_password(user: User, password: str, message: str, *, field: str = "password"
                      ) -> str:
    """The hash `password` was checked against (argon2: before any write begins); raises
    ServiceError beside `field` if it is wrong."""
    if not verify_password(user.password_hash, password):
        raise ServiceError(message, field=field)
    return user.password_hash


def _lock_user(user_id: int, *, password_hash: str | None = None) -> User:
    """The account's fresh row, locked. With `password_hash`: refuse if the password changed
    since it was checked against that hash (by another request, in between)."""
    user = db.session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound("No such user.")
    if password_hash is not None and user.password_hash != password_hash:
        raise Conflict("The password of this account was changed a moment ago. "
                       "Log in again and retry.")
    return user
