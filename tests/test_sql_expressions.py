"""The day arithmetic the two databases spell differently gives the same numbers on both."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import literal, select

from quizapp.extensions import db
from quizapp.models.sql import at_least_zero, days_between, whole_days_between
from quizapp.models.types import UTCDateTime

START = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(("elapsed", "days", "whole"), [
    (timedelta(days=1, hours=12), 1.5, 1),
    (timedelta(hours=23, minutes=59), (23 * 60 + 59) / 1440, 0),
    (timedelta(days=30), 30.0, 30),
    (timedelta(days=-2, hours=12), -1.5, -1),  # the fraction dropped on both
])
def test_day_arithmetic_agrees_on_both_databases(app, elapsed, days, whole):
    start, end = literal(START, UTCDateTime()), literal(START + elapsed, UTCDateTime())
    with app.app_context():
        fractional, rounded, clamped = db.session.execute(select(
            days_between(start, end), whole_days_between(start, end),
            at_least_zero(whole_days_between(start, end)))).one()
    assert fractional == pytest.approx(days, abs=1e-6)
    assert rounded == whole
    assert clamped == max(whole, 0)
