"""Statistics on aggregates the database already summed: pure formulas, no rows."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

MATURE_DAYS = 21  # as Anki: a review card with an interval of 21 days or more is mature
MASTERED_RECALL = 0.9
TOO_EASY = 0.9
TOO_HARD = 0.3
MIN_ATTEMPTS_TO_FLAG = 5


def ratio(part: int | float, whole: int | float) -> float | None:
    return part / whole if whole else None


def pearson_from_sums(n: int, sx: float, sy: float, sxy: float, sxx: float,
                      syy: float) -> float | None:
    """Pearson correlation from running sums; None when either side has no spread."""
    if n < 2:
        return None
    cov = n * sxy - sx * sy
    vx = n * sxx - sx * sx
    vy = n * syy - sy * sy
    if vx <= 1e-12 or vy <= 1e-12:
        return None
    return max(-1.0, min(1.0, cov / math.sqrt(vx * vy)))


def streak(days_with_reviews: Sequence[bool]) -> int:
    """Consecutive study days ending today; today may still be empty without breaking it.

    `days_with_reviews` runs oldest first and ends with today.
    """
    days = list(days_with_reviews)
    if days and not days[-1]:
        days.pop()
    count = 0
    for studied in reversed(days):
        if not studied:
            break
        count += 1
    return count


@dataclass(frozen=True)
class ItemFlag:
    label: str
    reason: str


def item_flags(attempts: int, facility: float | None,
               discrimination: float | None) -> list[ItemFlag]:
    """Moodle-style warnings about a question from its quiz statistics."""
    if attempts < MIN_ATTEMPTS_TO_FLAG or facility is None:
        return []
    flags = []
    if facility > TOO_EASY:
        flags.append(ItemFlag("too easy", f"{facility:.0%} of answers are right"))
    if facility < TOO_HARD:
        flags.append(ItemFlag("too hard", f"only {facility:.0%} of answers are right"))
    if discrimination is not None and discrimination < 0:
        flags.append(ItemFlag("negative discrimination",
                              "learners who do well elsewhere do worse on this question"))
    return flags
