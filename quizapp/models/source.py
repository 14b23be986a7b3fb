"""Source articles, stored paragraph by paragraph so questions can link to them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db


class SourceArticle(db.Model):
    __tablename__ = "source_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))

    paragraphs: Mapped[list[SourceParagraph]] = relationship(
        back_populates="article", order_by="SourceParagraph.number", cascade="all, delete-orphan"
    )


class SourceParagraph(db.Model):
    __tablename__ = "source_paragraph"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("source_article.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)

    article: Mapped[SourceArticle] = relationship(back_populates="paragraphs")


class BankSource(db.Model):
    """A source a bank's questions may cite (citations resolve among their bank's sources)."""

    __tablename__ = "bank_source"

    bank_id: Mapped[int] = mapped_column(
        ForeignKey("bank.id", ondelete="CASCADE"), primary_key=True
    )
    source_article_id: Mapped[int] = mapped_column(
        ForeignKey("source_article.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    article: Mapped[SourceArticle] = relationship()
