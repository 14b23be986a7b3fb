"""Fit a learner's FSRS parameters to their own review history, with fsrs-rs.

Pure: review events in (card id, tz-aware time, rating), parameters and fit statistics out.

fsrs-rs learns from `FSRSItem`s. Following fsrs-rs's own CSV example and Anki, each card with
reviews r1..rn gives one item per review rk (k >= 2) made on a later learner day than r(k-1):
the item holds r1..rk, each with delta_t = whole learner days since the previous review (0 for
the first review and for same-day steps). Same-day reviews stay in the history of later items
but are not items themselves: fsrs-rs predicts recall on later days only. Days are the
learner's study days (`scheduling.learner_day`: in their zone, starting at `rollover_hour`).

How much history is enough: FSRS has 21 parameters and each review adds one pass/fail outcome.
fsrs-rs falls back to the defaults below 8 later-day items and fits only the four initial
stabilities below 64; a good fit of the rest takes a few hundred outcomes. Hence:
- MIN_REVIEWS = 400: a few hundred reviews, so noise does not masquerade as a memory model;
- MIN_CARDS = 50: spread over enough cards that a few odd cards cannot dominate the fit;
- MIN_LATER_DAY_REVIEWS = 64: reviews made on a later day than the card's previous review,
  the ones that are trained on; below it fsrs-rs would not fit the full model anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from fsrs_rs_python import FSRS, FSRSItem, FSRSReview, check_and_fill_parameters

from quizapp.domain.scheduling import RATINGS, learner_day

MIN_REVIEWS = 400
MIN_CARDS = 50
MIN_LATER_DAY_REVIEWS = 64
PARAMETER_COUNT = len(DEFAULT_PARAMETERS)  # 21 in py-fsrs 6 (FSRS-6)
DECIMALS = 4  # like Anki: float32 noise beyond this means nothing


@dataclass(frozen=True)
class ReviewEvent:
    card_id: int
    reviewed_at: datetime  # tz-aware; normalised to UTC
    rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy

    def __post_init__(self) -> None:
        when = self.reviewed_at
        if not isinstance(when, datetime) or when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"reviewed_at must be a timezone-aware datetime, got {when!r}")
        if isinstance(self.rating, bool) or self.rating not in RATINGS:
            raise ValueError(f"rating must be 1, 2, 3 or 4, got {self.rating!r}")
        object.__setattr__(self, "reviewed_at", when.astimezone(UTC))


@dataclass(frozen=True)
class Fit:
    """How well parameters predict the reviews: lower is better for both."""

    log_loss: float
    rmse: float  # fsrs-rs's binned RMSE of recall probability, as a fraction (0.05 = 5%)


@dataclass(frozen=True)
class OptimisationResult:
    parameters: tuple[float, ...]  # 21 floats for fsrs.Scheduler(parameters=...)
    before: Fit  # the current (or default) parameters on this history
    after: Fit  # the fitted parameters on this history
    review_count: int
    card_count: int

    @property
    def improved(self) -> bool:
        """Whether the fitted parameters predict this history better than the current ones."""
        return self.after.rmse < self.before.rmse

    def summary(self) -> str:
        text = (f"Fitted to {self.review_count:,} reviews of {self.card_count:,} cards. "
                f"Prediction error (RMSE) went from {self.before.rmse:.1%} to "
                f"{self.after.rmse:.1%}; lower is better.")
        if not self.improved:
            text += " The current parameters already fit as well, so keeping them is fine."
        return text


class NotEnoughReviews(ValueError):
    def __init__(self, review_count: int, card_count: int,
                 later_day_reviews: int | None = None) -> None:
        self.review_count = review_count
        self.card_count = card_count
        self.later_day_reviews = later_day_reviews
        if later_day_reviews is None:
            message = (f"Optimising needs at least {MIN_REVIEWS:,} reviews of {MIN_CARDS:,} "
                       f"cards; you have {review_count:,} reviews of {card_count:,} cards.")
        else:
            message = (f"Optimising needs at least {MIN_LATER_DAY_REVIEWS:,} reviews made on a "
                       "later day than the card's previous review; you have "
                       f"{later_day_reviews:,}.")
        super().__init__(message)


def build_items(events: Iterable[ReviewEvent], tz: str = "UTC",
                rollover_hour: int = 4) -> list[FSRSItem]:
    """fsrs-rs training items from review events, in card id then time order (see module doc)."""
    learner_day(datetime(2000, 1, 1, tzinfo=UTC), tz, rollover_hour)  # bad zone or hour: fail now
    by_card: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for event in events:
        by_card[event.card_id].append((event.reviewed_at, event.rating))
    items = []
    for card_id in sorted(by_card):
        reviews: list[FSRSReview] = []
        previous = None
        for when, rating in sorted(by_card[card_id], key=lambda review: review[0]):
            day = learner_day(when, tz, rollover_hour)
            delta_t = 0 if previous is None else (day - previous).days
            reviews.append(FSRSReview(rating, delta_t))
            if delta_t > 0:
                items.append(FSRSItem(list(reviews)))
            previous = day
    return items


def _evaluate(parameters: Sequence[float], items: Sequence[FSRSItem]) -> Fit:
    evaluation = FSRS(list(parameters)).evaluate(items)
    return Fit(log_loss=float(evaluation.log_loss), rmse=float(evaluation.rmse_bins))


def _py_fsrs_parameters(raw: Sequence[float]) -> tuple[float, ...]:
    """fsrs-rs parameters as py-fsrs 6 takes them: 21 floats, rounded, within its bounds."""
    params = [float(p) for p in raw]
    if len(params) in (17, 19):  # older FSRS versions: fsrs-rs fills in the neutral values
        params = [float(p) for p in check_and_fill_parameters(params)]
    if len(params) != PARAMETER_COUNT:
        raise ValueError(f"fsrs-rs returned {len(raw)} parameters; py-fsrs needs "
                         f"{PARAMETER_COUNT}")
    fitted = tuple(min(max(round(p, DECIMALS), lo), hi) for p, lo, hi
                   in zip(params, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True))
    Scheduler(parameters=fitted)  # raises ValueError if py-fsrs still refuses them
    return fitted


def optimise(events: Iterable[ReviewEvent], current_parameters: Sequence[float] | None = None,
             tz: str = "UTC", progress: Callable[[float], None] | None = None,
             rollover_hour: int = 4) -> OptimisationResult:
    """Fit FSRS parameters to `events`; raises NotEnoughReviews below the minimums.

    `progress`, if given, is called with 0.0 (start), 0.2 (items built), 0.4 (current
    parameters evaluated), 0.9 (trained) and 1.0 (done). fsrs-rs reports nothing in between.
    """
    report = progress or (lambda _fraction: None)
    report(0.0)
    events = list(events)
    review_count, card_count = len(events), len({event.card_id for event in events})
    if review_count < MIN_REVIEWS or card_count < MIN_CARDS:
        raise NotEnoughReviews(review_count, card_count)
    chosen = DEFAULT_PARAMETERS if current_parameters is None else current_parameters
    current = tuple(float(p) for p in chosen)
    if len(current) != PARAMETER_COUNT:
        raise ValueError(f"expected {PARAMETER_COUNT} current parameters, got {len(current)}")

    items = build_items(events, tz, rollover_hour)
    if len(items) < MIN_LATER_DAY_REVIEWS:
        raise NotEnoughReviews(review_count, card_count, later_day_reviews=len(items))
    report(0.2)
    before = _evaluate(current, items)
    report(0.4)
    parameters = _py_fsrs_parameters(FSRS(list(current)).compute_parameters(items))
    report(0.9)
    after = _evaluate(parameters, items)
    report(1.0)
    return OptimisationResult(parameters=parameters, before=before, after=after,
                              review_count=review_count, card_count=card_count)
