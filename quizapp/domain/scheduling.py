"""Flashcard scheduling with FSRS (py-fsrs 6.3), learner days and daily limits.

Pure: plain values in (always an explicit, tz-aware `now`), plain values out.

Our stored state 0 means "new, never reviewed"; py-fsrs has no such state (a fresh fsrs
Card is Learning, step 0, no stability), so state 0 is mapped to a fresh fsrs Card.

Fuzz: py-fsrs spreads review intervals with the module-level `random.random()`, which would
make a preview disagree with the review that follows it. `_SeededScheduler` overrides
`Scheduler._get_fuzzed_interval` with the same arithmetic (checked against fsrs in the tests)
but draws from a private `random.Random` seeded from (card_id, reps). So a given card at a
given repetition always gets the same fuzz, and the global random state is never touched
(no patching of module state, hence thread-safe).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS, FUZZ_RANGES

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATINGS = (AGAIN, HARD, GOOD, EASY)
MIN_RETENTION, MAX_RETENTION = 0.70, 0.97


def answer_rating(score: float, correct: bool) -> int:
    """The grade a graded answer (a quiz answer, a typed-in card) gives the learner's card:
    right is Good, partly right (some credit) is Hard, wrong is Again."""
    if correct:
        return GOOD
    return HARD if score > 0 else AGAIN


def _require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class CardState:
    """A card's scheduling state, as stored on the `card` row (state 0 = new)."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0

    def __post_init__(self) -> None:
        if self.state not in (NEW, LEARNING, REVIEW, RELEARNING):
            raise ValueError(f"state must be 0 (new), 1, 2 or 3, got {self.state!r}")
        _require_aware(self.due, "due")
        if self.last_review is not None:
            _require_aware(self.last_review, "last_review")
        if self.reps < 0 or self.lapses < 0:
            raise ValueError("reps and lapses must not be negative")
        if self.state != NEW and None in (self.stability, self.difficulty, self.last_review):
            raise ValueError(f"a card in state {self.state} needs stability, difficulty and "
                             "last_review")
        if self.state in (LEARNING, RELEARNING) and self.step is None:
            raise ValueError(f"a card in state {self.state} needs a step")

    @classmethod
    def new(cls, now: datetime) -> CardState:
        return cls(NEW, None, None, None, _require_aware(now, "now"), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: datetimes become ISO 8601 strings."""
        last = self.last_review
        return {**asdict(self), "due": self.due.isoformat(),
                "last_review": last.isoformat() if last is not None else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CardState:
        try:
            return cls(
                state=int(data["state"]),
                step=None if data["step"] is None else int(data["step"]),
                stability=None if data["stability"] is None else float(data["stability"]),
                difficulty=None if data["difficulty"] is None else float(data["difficulty"]),
                due=datetime.fromisoformat(data["due"]),
                last_review=(None if data["last_review"] is None
                             else datetime.fromisoformat(data["last_review"])),
                reps=int(data.get("reps", 0)),
                lapses=int(data.get("lapses", 0)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a card state: {data!r}") from exc


def _steps(value: Any, name: str) -> tuple[timedelta, ...]:
    steps = tuple(value)
    if not all(isinstance(s, timedelta) and s > timedelta(0) for s in steps):
        raise ValueError(f"{name} must be positive timedeltas, got {steps!r}")
    return steps


@dataclass(frozen=True)
class SchedulerSettings:
    desired_retention: float = 0.9
    parameters: tuple[float, ...] | None = None  # None: the fsrs defaults
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    fuzzing: bool = True

    def __post_init__(self) -> None:
        retention = self.desired_retention
        if (isinstance(retention, bool) or not isinstance(retention, int | float)
                or not MIN_RETENTION <= retention <= MAX_RETENTION):
            raise ValueError(f"desired retention must be between {MIN_RETENTION} and "
                             f"{MAX_RETENTION}, got {retention!r}")
        if self.parameters is not None:
            params = tuple(float(p) for p in self.parameters)
            if len(params) != len(DEFAULT_PARAMETERS):
                raise ValueError(f"expected {len(DEFAULT_PARAMETERS)} FSRS parameters, "
                                 f"got {len(params)}")
            Scheduler(parameters=params)  # raises ValueError naming out-of-bounds parameters
            object.__setattr__(self, "parameters", params)
        object.__setattr__(self, "learning_steps", _steps(self.learning_steps, "learning_steps"))
        object.__setattr__(self, "relearning_steps",
                           _steps(self.relearning_steps, "relearning_steps"))


@dataclass(frozen=True)
class ReviewOutcome:
    new_state: CardState
    recall_probability: float | None  # retrievability just before the review; None if new
    rating: int


class _SeededScheduler(Scheduler):
    """fsrs Scheduler whose fuzz comes from a private, seeded RNG (see module docstring)."""

    def __init__(self, settings: SchedulerSettings, rng: random.Random | None = None) -> None:
        super().__init__(
            parameters=settings.parameters or DEFAULT_PARAMETERS,
            desired_retention=settings.desired_retention,
            learning_steps=settings.learning_steps,
            relearning_steps=settings.relearning_steps,
            enable_fuzzing=settings.fuzzing,
        )
        self._rng = rng or random.Random(0)

    def _get_fuzzed_interval(self, *, interval: timedelta) -> timedelta:
        # Same arithmetic as fsrs.Scheduler._get_fuzzed_interval, with self._rng.
        days = interval.days
        if days < 2.5:
            return interval
        delta = 1.0
        for fuzz in FUZZ_RANGES:
            delta += fuzz["factor"] * max(min(float(days), fuzz["end"]) - fuzz["start"], 0.0)
        max_ivl = min(round(days + delta), self.maximum_interval)
        min_ivl = min(max(2, round(days - delta)), max_ivl)
        fuzzed = self._rng.random() * (max_ivl - min_ivl + 1) + min_ivl
        return timedelta(days=min(round(fuzzed), self.maximum_interval))


def _fuzz_rng(card_id: int, reps: int) -> random.Random:
    return random.Random(f"quizapp-fuzz:{card_id}:{reps}")  # str seeds are stable across runs


def _to_fsrs(card_id: int, state: CardState) -> Card:
    if state.state == NEW:
        return Card(card_id=card_id, state=State.Learning, step=0, due=state.due.astimezone(UTC))
    assert state.last_review is not None
    return Card(
        card_id=card_id,
        state=State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due.astimezone(UTC),
        last_review=state.last_review.astimezone(UTC),
    )


def _retrievability(scheduler: Scheduler, card_id: int, state: CardState,
                    now: datetime) -> float | None:
    if state.state == NEW:
        return None
    card = _to_fsrs(card_id, state)
    return float(scheduler.get_card_retrievability(card, current_datetime=now))


def review(card_id: int, state: CardState, rating: int, now: datetime,
           settings: SchedulerSettings) -> ReviewOutcome:
    """Apply one rating (1 Again, 2 Hard, 3 Good, 4 Easy) at `now`; returns the new state."""
    if isinstance(rating, bool) or rating not in RATINGS:
        raise ValueError(f"rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy), "
                         f"got {rating!r}")
    now = _require_aware(now, "now")
    scheduler = _SeededScheduler(settings, _fuzz_rng(card_id, state.reps))
    recall = _retrievability(scheduler, card_id, state, now)
    card, _log = scheduler.review_card(_to_fsrs(card_id, state), Rating(rating),
                                       review_datetime=now)
    lapsed = state.state == REVIEW and rating == AGAIN
    new_state = CardState(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        reps=state.reps + 1,
        lapses=state.lapses + int(lapsed),
    )
    return ReviewOutcome(new_state=new_state, recall_probability=recall, rating=rating)


def preview(card_id: int, state: CardState, now: datetime,
            settings: SchedulerSettings) -> dict[int, timedelta]:
    """The next interval for each rating: exactly what `review` would schedule."""
    now = _require_aware(now, "now")
    return {r: review(card_id, state, r, now, settings).new_state.due - now for r in RATINGS}


def retrievability(state: CardState, now: datetime,
                   settings: SchedulerSettings) -> float | None:
    """Predicted probability of recall at `now`; None for a new card."""
    return _retrievability(_SeededScheduler(settings), 0, state, _require_aware(now, "now"))


def _short(value: float) -> str:
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def format_interval(delta: timedelta) -> str:
    """Anki-like label: <1m, 10m, 1.5h, 12h, 4d, 3.5mo (30-day months), 1.2y (365-day years)."""
    seconds = delta.total_seconds()
    if seconds < 0:
        raise ValueError(f"interval must not be negative, got {delta!r}")
    if seconds < 60:
        return "<1m"
    if (minutes := round(seconds / 60)) < 60:
        return f"{minutes}m"
    hours = seconds / 3600
    if hours < 10:
        return f"{_short(hours)}h"
    if round(hours) < 24:
        return f"{round(hours)}h"
    days = seconds / 86400
    if round(days) < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{_short(days / 30)}mo"
    return f"{_short(days / 365)}y"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        raise ValueError(f"unknown time zone: {tz!r}") from exc


def _day_start_of(day: date, zone: ZoneInfo, hour: int) -> datetime:
    """First instant (UTC) at which the local clock reads `day` `hour`:00 or later."""
    wall = datetime.combine(day, time(hour))
    a = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    b = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = min(a, b), max(a, b)
    if lo.astimezone(zone).replace(tzinfo=None) == wall:
        return lo  # exists (if it occurs twice, the first time)
    # Skipped by a DST gap: the day starts at the transition, somewhere in (lo, hi].
    lo_s, hi_s = int(lo.timestamp()), int(hi.timestamp())
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= wall:
            hi_s = mid
        else:
            lo_s = mid
    return datetime.fromtimestamp(hi_s, UTC)


def _locate(now: datetime, tz: str, rollover_hour: int) -> tuple[date, ZoneInfo]:
    if isinstance(rollover_hour, bool) or rollover_hour not in range(24):
        raise ValueError(f"rollover hour must be 0..23, got {rollover_hour!r}")
    now = _require_aware(now, "now")
    zone = _zone(tz)
    local = now.astimezone(zone).replace(tzinfo=None)
    day = (local - timedelta(hours=rollover_hour)).date()
    # Agree with _day_start_of exactly, even around DST changes at the rollover hour.
    if now < _day_start_of(day, zone, rollover_hour):
        day -= timedelta(days=1)
    elif now >= _day_start_of(day + timedelta(days=1), zone, rollover_hour):
        day += timedelta(days=1)
    return day, zone


def learner_day(now: datetime, tz: str, rollover_hour: int = 4) -> date:
    """The learner's study day: it starts at `rollover_hour` local time in IANA zone `tz`."""
    return _locate(now, tz, rollover_hour)[0]


def day_start(now: datetime, tz: str, rollover_hour: int = 4) -> datetime:
    """Start (UTC) of the learner's day containing `now`."""
    day, zone = _locate(now, tz, rollover_hour)
    return _day_start_of(day, zone, rollover_hour)


def next_day_start(now: datetime, tz: str, rollover_hour: int = 4) -> datetime:
    """Start (UTC) of the learner's next day: the end of the day containing `now`."""
    day, zone = _locate(now, tz, rollover_hour)
    return _day_start_of(day + timedelta(days=1), zone, rollover_hour)


@dataclass(frozen=True)
class DailyLimits:
    new_per_day: int = 20
    reviews_per_day: int = 200

    def __post_init__(self) -> None:
        for name in ("new_per_day", "reviews_per_day"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def remaining(limits: DailyLimits, new_done_today: int,
              reviews_done_today: int) -> tuple[int, int]:
    """(new cards, reviews) still allowed today; never negative."""
    if new_done_today < 0 or reviews_done_today < 0:
        raise ValueError("counts of cards done today must not be negative")
    return (max(0, limits.new_per_day - new_done_today),
            max(0, limits.reviews_per_day - reviews_done_today))
