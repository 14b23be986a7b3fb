"""Throttle counters, kept in the database when Redis is not configured or not answering."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime


class ThrottleCounter(db.Model):
    """Attempts counted under `key` (e.g. "login|alice|10.0.0.1") until `expires_at`."""

    __tablename__ = "throttle_counter"
    __table_args__ = (Index("ix_throttle_counter_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
