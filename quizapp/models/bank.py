"""Question banks, their questions and every revision of each question."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from quizapp.models.user import User

bank_editor = Table(
    "bank_editor",
    db.metadata,
    Column("bank_id", ForeignKey("bank.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Bank(db.Model):
    __tablename__ = "bank"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    article: Mapped[str | None] = mapped_column(String(80))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "traced": every question cites a paragraph of the bank's sources and is checked
    # against it; "free": citations and explanations are optional (domain.bank_rules).
    policy: Mapped[str] = mapped_column(String(8), default="traced")
    # None while the bank is a draft: learners see published banks only.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User | None] = relationship()
    editors: Mapped[list[User]] = relationship(secondary=bank_editor)
    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="Question.position"
    )
    topics: Mapped[list[Topic]] = relationship(
        back_populates="bank", order_by="(Topic.position, Topic.id)",
        cascade="all, delete-orphan",
    )


    @property
    def published(self) -> bool:
        return self.published_at is not None


class Topic(db.Model):
    """A topic of one bank: questions carry its stable `slug` in `Question.tags` (mirrored
    in question_tag rows); the `label` is what users see, and may be renamed freely."""

    __tablename__ = "topic"
    __table_args__ = (UniqueConstraint("bank_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)

    bank: Mapped[Bank] = relationship(back_populates="topics")


class Question(db.Model):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(32))
    prompt: Mapped[str] = mapped_column(Text)
    # Type-specific answer data (options, answers, value/tolerance, items, pairs, gaps).
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    difficulty: Mapped[int] = mapped_column(Integer, default=2)
    source_check_ignore: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Revision written by the last `bank load`: a later edit in the app is a conflict.
    loaded_revision: Mapped[int | None] = mapped_column(Integer)

    bank: Mapped[Bank] = relationship(back_populates="questions")
    revisions: Mapped[list[QuestionRevision]] = relationship(
        back_populates="question", order_by="QuestionRevision.number"
    )
    tag_rows: Mapped[list[QuestionTag]] = relationship(cascade="all, delete-orphan")

    def sync_tag_rows(self) -> None:
        """Mirror `tags` into question_tag rows, which statistics GROUP BY."""
        wanted = set(self.tags or [])
        self.tag_rows = [row for row in self.tag_rows if row.tag in wanted]
        have = {row.tag for row in self.tag_rows}
        self.tag_rows.extend(QuestionTag(tag=t) for t in sorted(wanted - have))


class QuestionTag(db.Model):
    """One row per (question, tag): the tags of `Question.tags`, indexed for GROUP BY."""

    __tablename__ = "question_tag"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class QuestionRevision(db.Model):
    """A full snapshot of a question at each save; attempts point here."""

    __tablename__ = "question_revision"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message: Mapped[str] = mapped_column(Text, default="")

    question: Mapped[Question] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()
