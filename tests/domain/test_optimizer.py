"""Fitting FSRS parameters: items from review events, minimums, and a fit on simulated reviews."""

import random
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from quizapp.domain.optimizer import (
    MIN_CARDS,
    MIN_LATER_DAY_REVIEWS,
    MIN_REVIEWS,
    Fit,
    NotEnoughReviews,
    OptimisationResult,
    ReviewEvent,
    _py_fsrs_parameters,
    build_items,
    optimise,
)
from quizapp.domain.scheduling import REVIEW, CardState, SchedulerSettings, preview

NY = ZoneInfo("America/New_York")  # UTC-5 until DST starts on 2025-03-09
START = datetime(2025, 1, 6, 18, 0, tzinfo=UTC)


def reviews_of(item) -> list[tuple[int, int]]:
    """(rating, delta_t) pairs; FSRSReview exposes them only through its repr."""
    return [(int(r), int(d)) for r, d in re.findall(r"rating: (\d+), delta_t: (\d+)", repr(item))]


def at_ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


# Card 1 in New York, days starting at 4 am: 3 reviews on Mar 3 (03:30 on Mar 4 is still Mar 3),
# one on Mar 4 at 04:30, one on Mar 7. Card 2: a single review. Card 3: same-day reviews only.
TABLE = [
    ReviewEvent(1, at_ny(2025, 3, 7, 9, 0), 3),
    ReviewEvent(2, at_ny(2025, 3, 3, 21, 0), 3),
    ReviewEvent(1, at_ny(2025, 3, 3, 22, 10), 3),
    ReviewEvent(3, at_ny(2025, 3, 5, 8, 0), 1),
    ReviewEvent(1, at_ny(2025, 3, 4, 4, 30), 3),
    ReviewEvent(1, at_ny(2025, 3, 3, 22, 0), 1),
    ReviewEvent(3, at_ny(2025, 3, 5, 8, 10), 3),
    ReviewEvent(1, at_ny(2025, 3, 4, 3, 30), 2),
]


def test_build_items_counts_learner_days_with_the_4am_rollover():
    items = build_items(TABLE, tz="America/New_York", rollover_hour=4)
    history = [(1, 0), (3, 0), (2, 0), (3, 1)]
    assert [reviews_of(item) for item in items] == [history, [*history, (3, 3)]]


def test_build_items_depends_on_the_zone_and_rollover():
    # In UTC, 22:00 and 22:10 New York (03:00, 03:10 UTC) fall on Mar 3 but 03:30 (08:30 UTC)
    # is Mar 4; 04:30 New York (09:30 UTC) is then the same day.
    history = [(1, 0), (3, 0), (2, 1)]
    expected = [history, [*history, (3, 0), (3, 3)]]
    assert [reviews_of(item) for item in build_items(TABLE)] == expected
    # With midnight rollover in New York, 03:30 and 04:30 are both Mar 4: the same items.
    items = build_items(TABLE, tz="America/New_York", rollover_hour=0)
    assert [reviews_of(item) for item in items] == expected


def test_build_items_rejects_bad_zones_and_hours():
    with pytest.raises(ValueError, match="time zone"):
        build_items([], tz="Mars/Olympus")
    with pytest.raises(ValueError, match="rollover"):
        build_items([], rollover_hour=24)


@pytest.mark.parametrize("when, rating", [(datetime(2025, 3, 3, 12), 3), (START, 0),
                                          (START, 5), (START, True)])
def test_review_events_are_validated(when, rating):
    with pytest.raises(ValueError):
        ReviewEvent(1, when, rating)


def test_review_events_are_normalised_to_utc():
    assert ReviewEvent(1, at_ny(2025, 3, 3, 22, 0), 3).reviewed_at == datetime(
        2025, 3, 4, 3, 0, tzinfo=UTC)


def test_not_enough_reviews():
    events = [ReviewEvent(card, START + timedelta(days=n), 3) for card in range(30)
              for n in range(4)]
    with pytest.raises(NotEnoughReviews) as caught:
        optimise(events)
    assert str(caught.value) == ("Optimising needs at least 400 reviews of 50 cards; "
                                 "you have 120 reviews of 30 cards.")
    assert (MIN_REVIEWS, MIN_CARDS) == (400, 50)
    few_cards = [ReviewEvent(card, START + timedelta(days=n), 3) for card in range(49)
                 for n in range(10)]
    with pytest.raises(NotEnoughReviews, match="you have 490 reviews of 49 cards"):
        optimise(few_cards)
    few_reviews = [ReviewEvent(card, START, 3) for card in range(MIN_REVIEWS - 1)]
    with pytest.raises(NotEnoughReviews, match="you have 399 reviews of 399 cards"):
        optimise(few_reviews)


def test_same_day_reviews_are_not_enough():
    events = [ReviewEvent(card, START + timedelta(minutes=n), 3) for card in range(100)
              for n in range(5)]
    with pytest.raises(NotEnoughReviews, match=f"at least {MIN_LATER_DAY_REVIEWS} reviews made "
                                               "on a later day.*you have 0"):
        optimise(events)


def simulate(cards: int = 150, days: int = 100, seed: int = 2025):
    """A learner whose memory follows perturbed FSRS parameters, scheduled with the defaults.

    Each card is introduced on a random day and reviewed when due (evenings for day-long
    intervals); a review recalls with the true retrievability, else it's Again.
    """
    rng = random.Random(seed)
    true = [min(max(p * rng.uniform(0.6, 1.6), lo), hi) for p, lo, hi
            in zip(DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS,
                         strict=True)]
    truth = fsrs.Scheduler(parameters=true, enable_fuzzing=False)
    schedule = fsrs.Scheduler(enable_fuzzing=False)
    end, events = START + timedelta(days=days), []
    for card_id in range(cards):
        when = START + timedelta(days=rng.randrange(days * 2 // 3), minutes=rng.randrange(120))
        card, memory = fsrs.Card(card_id=card_id), fsrs.Card(card_id=card_id)
        while when < end:
            if memory.last_review is None:
                rating = rng.choices([1, 2, 3, 4], [0.3, 0.1, 0.5, 0.1])[0]
            elif rng.random() > truth.get_card_retrievability(memory, current_datetime=when):
                rating = 1
            else:
                rating = rng.choices([2, 3, 4], [0.1, 0.8, 0.1])[0]
            events.append(ReviewEvent(card_id, when, rating))
            card, _ = schedule.review_card(card, fsrs.Rating(rating), review_datetime=when)
            memory, _ = truth.review_card(memory, fsrs.Rating(rating), review_datetime=when)
            due = card.due
            if due - when > timedelta(hours=2):
                due = due.replace(hour=18, minute=0) + timedelta(minutes=rng.randrange(180))
            when = max(due, when + timedelta(minutes=1))
    return events


@pytest.fixture(scope="module")
def events():
    return simulate()


@pytest.fixture(scope="module")
def fitted(events):
    stages: list[float] = []
    result = optimise(events, progress=stages.append)
    return result, stages


def test_the_simulation_is_deterministic_and_big_enough(events):
    assert simulate() == events
    assert len(events) >= MIN_REVIEWS and len({e.card_id for e in events}) >= MIN_CARDS
    assert len(build_items(events)) >= MIN_LATER_DAY_REVIEWS


def test_optimise_returns_parameters_py_fsrs_accepts(fitted):
    result, _ = fitted
    assert len(result.parameters) == 21
    assert all(isinstance(p, float) for p in result.parameters)
    fsrs.Scheduler(parameters=result.parameters)
    assert result.parameters != tuple(DEFAULT_PARAMETERS)


def test_the_fitted_parameters_change_intervals(fitted):
    result, _ = fitted
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    state = CardState(state=REVIEW, step=None, stability=6.0, difficulty=5.0, due=now,
                      last_review=now - timedelta(days=6), reps=4)
    default = preview(9, state, now, SchedulerSettings())
    custom = preview(9, state, now, SchedulerSettings(parameters=result.parameters))
    assert default != custom


def test_the_fit_is_no_worse_on_the_training_data(fitted, events):
    result, _ = fitted
    assert result.after.log_loss <= result.before.log_loss + 1e-3
    assert result.after.rmse < result.before.rmse and result.improved
    assert (result.review_count, result.card_count) == (len(events), 150)


def test_progress_runs_from_start_to_done(fitted):
    _, stages = fitted
    assert stages[0] == 0.0 and stages[-1] == 1.0 and stages == sorted(stages)


def test_current_parameters_are_what_before_measures(fitted, events):
    result, _ = fitted
    again = optimise(events, current_parameters=result.parameters)
    assert again.before.rmse == pytest.approx(result.after.rmse)
    assert again.before.log_loss == pytest.approx(result.after.log_loss)
    with pytest.raises(ValueError, match="expected 21 current parameters"):
        optimise(events, current_parameters=[0.5] * 19)


def test_summary_mentions_the_counts_and_errors():
    result = OptimisationResult(parameters=tuple(DEFAULT_PARAMETERS), before=Fit(0.3, 0.081),
                                after=Fit(0.25, 0.043), review_count=1234, card_count=210)
    assert result.summary() == ("Fitted to 1,234 reviews of 210 cards. Prediction error (RMSE) "
                                "went from 8.1% to 4.3%; lower is better.")
    worse = OptimisationResult(parameters=tuple(DEFAULT_PARAMETERS), before=Fit(0.3, 0.04),
                               after=Fit(0.3, 0.05), review_count=500, card_count=60)
    assert not worse.improved and "keeping them is fine" in worse.summary()


def test_fitted_summary_mentions_the_counts(fitted):
    result, _ = fitted
    assert f"{result.review_count:,} reviews of 150 cards" in result.summary()


def test_fsrs_rs_parameters_are_adapted_to_py_fsrs():
    nineteen = list(DEFAULT_PARAMETERS[:19])
    adapted = _py_fsrs_parameters(nineteen)
    assert len(adapted) == 21 and adapted[19:] == (0.0, 0.5)  # FSRS-5: no decay change
    fsrs.Scheduler(parameters=adapted)
    clipped = _py_fsrs_parameters([*DEFAULT_PARAMETERS[:20], 0.05])  # decay below py-fsrs's 0.1
    assert clipped[20] == 0.1 and clipped[0] == 0.212
    with pytest.raises(ValueError, match="returned 5 parameters"):
        _py_fsrs_parameters([1.0] * 5)
