"""Accounts."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Enum, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.domain.passwords import new_session_token
from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


DEFAULT_SETTINGS: dict[str, Any] = {
    "timezone": "UTC",
    "desired_retention": 0.9,
    "new_per_day": 20,
    "reviews_per_day": 200,
    "type_in": False,
}


class User(UserMixin, db.Model):
    __tablename__ = "user"
    # AUTOINCREMENT on SQLite: an id is never given again after its account is deleted
    # (SQLite would otherwise reuse the largest rowid).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Role.LEARNER,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # FSRS parameters fitted to this learner's reviews (None: the library's defaults).
    fsrs_parameters: Mapped[list[float] | None] = mapped_column(JSON)
    # Bumped whenever the sessions end (logout everywhere, password change, reset, disable).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # What session and remember cookies carry (Flask-Login's alternative id): random, and
    # replaced whenever the sessions end, so no cookie outlives its account or its password.
    session_token: Mapped[str] = mapped_column(String(64), unique=True,
                                               default=new_session_token)
    # Set by an admin: a disabled account cannot log in (its sessions end when it is set).
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first successful login: staff see the getting-started page then.
    first_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def get_id(self) -> str:
        return self.session_token

    def end_sessions(self) -> None:
        """Every session and remember cookie of this account stops working."""
        self.session_version = (self.session_version or 0) + 1
        self.session_token = new_session_token()

    def setting(self, name: str) -> Any:
        return (self.settings or {}).get(name, DEFAULT_SETTINGS[name])

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in an inactive user
        return self.disabled_at is None

    @property
    def is_instructor(self) -> bool:
        return self.role in (Role.INSTRUCTOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


# Usernames are unique whatever their case: "Ann" and "ann" are one account.
Index("uq_user_username_lower", func.lower(User.username), unique=True)
