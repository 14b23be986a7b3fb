"""Classes a teacher runs: the roster (teachers and learners), the banks a class uses and
its assignments (study goals and quizzes with fixed settings)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow

class_bank = Table(
    "class_bank",
    db.metadata,
    Column("class_id", ForeignKey("school_class.id", ondelete="CASCADE"), primary_key=True),
    Column("bank_id", ForeignKey("bank.id", ondelete="CASCADE"), primary_key=True, index=True),
)

TEACHER = "teacher"
LEARNER = "learner"


class SchoolClass(db.Model):
    __tablename__ = "school_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="school_class", order_by="Assignment.id", cascade="all, delete-orphan",
        passive_deletes=True)


class ClassMember(db.Model):
    """A user in a class, as teacher (owner or co-teacher) or learner. Removing the row
    removes the membership only: the learner's cards and reviews are theirs."""

    __tablename__ = "class_member"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=LEARNER)  # teacher | learner
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assignment(db.Model):
    """A study goal (bank or topics, `goal` share mastered by `due_at`) or a quiz with fixed
    settings (`settings`: tags, types, count, mode, time_limit, attempts, counts, late)."""

    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("school_class.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # study | quiz
    title: Mapped[str] = mapped_column(String(120))
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: the whole bank
    goal: Mapped[float | None] = mapped_column(Float)  # study: share mastered, 0..1
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    extra_new_per_day: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    refuse_late: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="assignments")


class AssignmentAttempt(db.Model):
    """Which quiz attempts a learner made for a quiz assignment (and whether late)."""

    __tablename__ = "assignment_attempt"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempt.id", ondelete="CASCADE"), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
