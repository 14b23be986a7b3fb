"""Flashcards: one card per (learner, question) with its FSRS state, and the review log."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from quizapp.models.bank import Question


class Enrolment(db.Model):
    """A learner studies a bank (optionally only some of its topic tags)."""

    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "bank_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every topic
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Card(db.Model):
    __tablename__ = "card"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        Index("ix_card_user_id_due", "user_id", "due"),
        # The study queue: each of learning, review and new is one range of this index, read
        # in the queue's order (due, then id: new cards share a due time).
        Index("ix_card_user_id_state_due_id", "user_id", "state", "due", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    # FSRS state: 0 new (never reviewed), 1 learning, 2 review, 3 relearning.
    state: Mapped[int] = mapped_column(SmallInteger, default=0)
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    question: Mapped[Question] = relationship()


class Review(db.Model):
    """Append-only review log. `state_before` lets undo restore the card exactly."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("user_id", "submission_id"),
        Index("ix_review_user_id_reviewed_at", "user_id", "reviewed_at"),
        # Undo: the learner's newest flashcard review, one index range read backwards.
        Index("ix_review_user_id_origin_id", "user_id", "origin", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(SmallInteger)  # 1 Again, 2 Hard, 3 Good, 4 Easy
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16), default="flashcard")  # flashcard | quiz
    state_before: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The card's FSRS state before this review (0 new ... 3 relearning), as a column so
    # daily limits and retention are counted in SQL.
    previous_state: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    # The scheduler's retrievability of the card just before this review.
    recall_probability: Mapped[float | None] = mapped_column(Float)
    submission_id: Mapped[str | None] = mapped_column(String(64))

    card: Mapped[Card] = relationship()


class ReviewUndo(db.Model):
    """An undone flashcard review: the undo's submission id (a repeat is acknowledged, not
    applied again) and its depth in the learner's run of undos (bounded, see
    `quizapp.services.study.UNDO_LIMIT`)."""

    __tablename__ = "review_undo"
    __table_args__ = (
        UniqueConstraint("user_id", "submission_id"),
        Index("ix_review_undo_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    submission_id: Mapped[str | None] = mapped_column(String(64))
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(Integer)  # the removed review's id (no key: gone)
    depth: Mapped[int] = mapped_column(Integer)  # 1 for the first undo after a review
    undone_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
