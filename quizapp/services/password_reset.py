"""Password reset by a one-time link: mailed to the account's address, or issued by an admin.

Only a hash of the token is stored, with its expiry and the time it was used; a reset ends
every session of the account (the session version). Flushes; the unit of work commits."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select

from quizapp import unit_of_work
from quizapp.domain.passwords import (
    hash_password,
    new_reset_token,
    password_problem,
    reset_token_hash,
)
from quizapp.extensions import db
from quizapp.models import PasswordReset, User
from quizapp.services.errors import NotFound, ServiceError

LIFETIME = timedelta(hours=1)


class InvalidLink(ServiceError):
    """A reset link that is unknown, used or expired: the message says which."""


@dataclass(frozen=True)
class IssuedLink:
    user: User
    token: str
    expires_at: datetime


def new_token() -> str:
    """A token for `issue`, made first when the link must be shown in the same answer (the
    page is rendered before the write begins)."""
    return new_reset_token()[0]


def issue(user_id: int, now: datetime, lifetime: timedelta = LIFETIME,
          token: str | None = None) -> IssuedLink:
    """A new link for the account (`token`, or a new one); any earlier unused link of it
    stops working."""
    unit_of_work.write()
    user = _lock_user(user_id)
    if user is None:
        raise NotFound("No such user.")
    if not user.is_active:
        raise ServiceError(f"{user.username} is disabled: enable the account first.")
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id,
                                                   PasswordReset.used_at.is_(None)))
    token = token or new_token()
    db.session.add(PasswordReset(user_id=user.id, token_hash=reset_token_hash(token),
                                 created_at=now, expires_at=now + lifetime))
    db.session.flush()
    return IssuedLink(user, token, now + lifetime)


def mail_recipients(identifier: str) -> list[User]:
    """Active accounts with an email address whose username or email is `identifier`."""
    wanted = identifier.strip().lower()
    if not wanted:
        return []
    return list(db.session.scalars(
        select(User).where(or_(func.lower(User.username) == wanted,
                               func.lower(User.email) == wanted),
                           User.email.is_not(None), User.disabled_at.is_(None))
        .order_by(User.id)))


def check(token: str, now: datetime) -> User:
    """The account whose link `token` is, if it can still be used; else InvalidLink."""
    reset = _find(token)
    _refuse_unusable(reset, now)
    user = db.session.get(User, reset.user_id)
    _refuse_disabled(user)
    return user


def reset_password(token: str, new_password: str, now: datetime) -> User:
    """Set the password through the link, once: the link is used up and sessions end.

    The new password is checked and hashed before the write begins; the link is then
    checked again on its locked, fresh row (another request may have used it meanwhile)."""
    user = check(token, now)
    problem = password_problem(new_password, user.username)
    if problem:
        raise ServiceError(problem, field="password")
    new_hash = hash_password(new_password)
    user_id = user.id
    unit_of_work.write()
    user = _lock_user(user_id)  # the account first, then its link: the order issue() takes
    reset = _find(token, lock=True)
    _refuse_unusable(reset, now)
    _refuse_disabled(user)
    user.password_hash = new_hash
    user.end_sessions()  # every session of the account ends, wherever it is
    reset.used_at = now
    db.session.flush()
    return user


def _lock_user(user_id: int) -> User | None:
    return db.session.scalar(select(User).where(User.id == user_id).with_for_update())


def _find(token: str, lock: bool = False) -> PasswordReset | None:
    query = select(PasswordReset).where(PasswordReset.token_hash == reset_token_hash(token))
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def _refuse_unusable(reset: PasswordReset | None, now: datetime) -> None:
    if reset is None:
        raise InvalidLink("This reset link is not valid. Check that you copied all of it, "
                          "or ask for a new one.")
    if reset.used_at is not None:
        raise InvalidLink("This reset link was already used. Each link works once: ask for "
                          "a new one if you need to.")
    if reset.expires_at <= now:
        raise InvalidLink("This reset link has expired. Ask for a new one.")


def _refuse_disabled(user: User | None) -> None:
    if user is None or not user.is_active:
        raise InvalidLink("This account is disabled; an administrator can enable it.")
