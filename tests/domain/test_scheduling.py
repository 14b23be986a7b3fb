"""FSRS scheduling: transitions, reproducible fuzz, parity with py-fsrs, learner days, limits."""

import json
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from hypothesis import given
from hypothesis import strategies as st

from quizapp.domain.scheduling import (
    CardState,
    DailyLimits,
    SchedulerSettings,
    _SeededScheduler,
    day_start,
    format_interval,
    learner_day,
    next_day_start,
    preview,
    remaining,
    retrievability,
    review,
)

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
FUZZ = SchedulerSettings()
PLAIN = SchedulerSettings(fuzzing=False)
MIN, DAY = timedelta(minutes=1), timedelta(days=1)


def walk(ratings, settings=PLAIN, card_id=7):
    """Review a new card with `ratings`, each at the card's due time. Returns (state, when)."""
    state, when = CardState.new(NOW), NOW
    for rating in ratings:
        state = review(card_id, state, rating, when, settings).new_state
        when = state.due
    return state, when


# name: ratings that lead to the state, expected (state, step)
STATES = {
    "new": ([], (0, None)),
    "learning step 0": ([1], (1, 0)),
    "learning step 1": ([3], (1, 1)),
    "review": ([3, 3, 3, 3], (2, None)),
    "relearning": ([3, 3, 3, 1], (3, 0)),
}


@pytest.mark.parametrize("name", STATES)
def test_walks_reach_the_expected_states(name):
    ratings, expected = STATES[name]
    state, _ = walk(ratings)
    assert (state.state, state.step) == expected
    assert state.reps == len(ratings)


@pytest.mark.parametrize(
    "start, rating, state, step, interval",
    [
        ("new", 1, 1, 0, MIN),
        ("new", 2, 1, 0, 5.5 * MIN),  # halfway between the 1m and 10m steps
        ("new", 3, 1, 1, 10 * MIN),
        ("new", 4, 2, None, None),
        ("learning step 0", 3, 1, 1, 10 * MIN),
        ("learning step 1", 1, 1, 0, MIN),
        ("learning step 1", 3, 2, None, None),  # Good at the last step graduates
        ("review", 1, 3, 0, 10 * MIN),
        ("review", 3, 2, None, None),
        ("relearning", 3, 2, None, None),
    ],
)
def test_state_transitions(start, rating, state, step, interval):
    before, when = walk(STATES[start][0])
    outcome = review(7, before, rating, when, PLAIN)
    after = outcome.new_state
    assert (after.state, after.step, outcome.rating) == (state, step, rating)
    assert after.last_review == when and after.reps == before.reps + 1
    if interval is not None:
        assert after.due - when == interval
    else:  # graduated: whole days
        assert after.due - when >= DAY and (after.due - when) % DAY == timedelta(0)
    lapsed = start == "review" and rating == 1
    assert after.lapses == before.lapses + lapsed


def test_a_lapse_is_counted_once_and_relearning_again_is_no_new_lapse():
    state, when = walk([3, 3, 3, 1, 1])
    assert (state.state, state.lapses) == (3, 1)


@pytest.mark.parametrize("card_id", [1, 2, 42, 10_007])
@pytest.mark.parametrize("name", STATES)
def test_preview_equals_review_with_fuzzing(name, card_id):
    state, when = walk(STATES[name][0], FUZZ, card_id)
    intervals = preview(card_id, state, when, FUZZ)
    assert sorted(intervals) == [1, 2, 3, 4]
    for rating, interval in intervals.items():
        assert review(card_id, state, rating, when, FUZZ).new_state.due - when == interval


def test_fuzz_is_applied_seeded_per_card_and_leaves_global_random_alone():
    state, when = walk([3, 3, 3, 3], FUZZ)
    before = random.getstate()
    goods = {card_id: preview(card_id, state, when, FUZZ)[3] for card_id in range(40)}
    assert random.getstate() == before
    assert len(set(goods.values())) > 1  # fuzz spreads the intervals ...
    assert goods == {c: preview(c, state, when, FUZZ)[3] for c in range(40)}  # ... reproducibly
    plain = preview(0, state, when, PLAIN)[3]
    assert all(abs(g - plain) <= 0.15 * plain + DAY for g in goods.values())


@pytest.mark.parametrize("seed", [0, 1, 99])
def test_our_fuzz_matches_fsrs_given_the_same_random_numbers(seed):
    saved = random.getstate()
    try:
        for days in [1, 2, 3, 5, 8, 15, 30, 90, 365, 3000, 36500]:
            random.seed(seed)
            theirs = fsrs.Scheduler()._get_fuzzed_interval(interval=timedelta(days=days))
            ours = _SeededScheduler(FUZZ, random.Random(seed))
            assert ours._get_fuzzed_interval(interval=timedelta(days=days)) == theirs
    finally:
        random.setstate(saved)


def test_replay_matches_driving_fsrs_directly():
    scheduler, card = fsrs.Scheduler(enable_fuzzing=False), fsrs.Card(card_id=5, due=NOW)
    state, when = CardState.new(NOW), NOW
    for rating in [3, 3, 1, 3, 4, 2, 3]:
        card, _ = scheduler.review_card(card, fsrs.Rating(rating), review_datetime=when)
        state = review(5, state, rating, when, PLAIN).new_state
        ours = (state.state, state.step, state.stability, state.difficulty, state.due,
                state.last_review)
        assert ours == (int(card.state), card.step, card.stability, card.difficulty, card.due,
                        card.last_review)
        when = card.due
    assert (state.reps, state.lapses) == (7, 1)


def test_custom_parameters_change_the_intervals():
    perturbed = SchedulerSettings(parameters=tuple(p * 1.2 for p in DEFAULT_PARAMETERS),
                                  fuzzing=False)
    for name in ("new", "review"):
        state, when = walk(STATES[name][0])
        assert preview(7, state, when, perturbed) != preview(7, state, when, PLAIN)
    assert SchedulerSettings(parameters=list(DEFAULT_PARAMETERS)).parameters == DEFAULT_PARAMETERS


def test_higher_desired_retention_gives_shorter_intervals():
    high = SchedulerSettings(desired_retention=0.97, fuzzing=False)
    low = SchedulerSettings(desired_retention=0.8, fuzzing=False)
    state, when = walk(STATES["review"][0])
    for rating in (2, 3, 4):
        assert preview(7, state, when, high)[rating] < preview(7, state, when, low)[rating]


def test_retrievability():
    assert retrievability(CardState.new(NOW), NOW, PLAIN) is None
    state, when = walk(STATES["review"][0])
    assert retrievability(state, state.last_review, PLAIN) == 1.0
    at_due = retrievability(state, when, PLAIN)
    assert at_due == pytest.approx(0.9, abs=0.02)
    assert retrievability(state, when + 30 * DAY, PLAIN) < at_due
    outcome = review(7, state, 3, when, PLAIN)
    assert outcome.recall_probability == at_due
    assert review(7, CardState.new(NOW), 3, NOW, PLAIN).recall_probability is None


@pytest.mark.parametrize(
    "delta, label",
    [
        (timedelta(0), "<1m"), (timedelta(seconds=59), "<1m"), (MIN, "1m"), (10 * MIN, "10m"),
        (5.5 * MIN, "6m"), (59 * MIN, "59m"), (timedelta(minutes=59, seconds=40), "1h"),
        (timedelta(hours=1), "1h"), (90 * MIN, "1.5h"), (timedelta(hours=9.5), "9.5h"),
        (timedelta(hours=12), "12h"), (timedelta(hours=23, minutes=40), "1d"), (DAY, "1d"),
        (4 * DAY, "4d"), (29 * DAY, "29d"), (30 * DAY, "1mo"), (105 * DAY, "3.5mo"),
        (364 * DAY, "12.1mo"), (365 * DAY, "1y"), (438 * DAY, "1.2y"), (3650 * DAY, "10y"),
    ],
)
def test_format_interval(delta, label):
    assert format_interval(delta) == label


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# now, zone, rollover hour, learner day, its start (UTC), the next day's start (UTC)
DAYS = [
    (utc(2025, 3, 3, 3, 59), "UTC", 4, date(2025, 3, 2), utc(2025, 3, 2, 4), utc(2025, 3, 3, 4)),
    (utc(2025, 3, 3, 4, 0), "UTC", 4, date(2025, 3, 3), utc(2025, 3, 3, 4), utc(2025, 3, 4, 4)),
    (utc(2025, 3, 3, 0, 59), "Europe/Minsk", 4, date(2025, 3, 2), utc(2025, 3, 2, 1),
     utc(2025, 3, 3, 1)),
    (utc(2025, 3, 3, 1, 0), "Europe/Minsk", 4, date(2025, 3, 3), utc(2025, 3, 3, 1),
     utc(2025, 3, 4, 1)),
    (utc(2025, 3, 2, 22, 29), "Asia/Kolkata", 4, date(2025, 3, 2), utc(2025, 3, 1, 22, 30),
     utc(2025, 3, 2, 22, 30)),
    (utc(2025, 3, 2, 22, 30), "Asia/Kolkata", 4, date(2025, 3, 3), utc(2025, 3, 2, 22, 30),
     utc(2025, 3, 3, 22, 30)),
    # New York springs forward on 9 March 2025: a 23-hour learner day ...
    (utc(2025, 3, 9, 7, 59), "America/New_York", 4, date(2025, 3, 8), utc(2025, 3, 8, 9),
     utc(2025, 3, 9, 8)),
    (utc(2025, 3, 9, 8, 0), "America/New_York", 4, date(2025, 3, 9), utc(2025, 3, 9, 8),
     utc(2025, 3, 10, 8)),
    # ... and falls back on 2 November 2025: a 25-hour one.
    (utc(2025, 11, 2, 8, 30), "America/New_York", 4, date(2025, 11, 1), utc(2025, 11, 1, 8),
     utc(2025, 11, 2, 9)),
    (utc(2025, 11, 2, 9, 0), "America/New_York", 4, date(2025, 11, 2), utc(2025, 11, 2, 9),
     utc(2025, 11, 3, 9)),
    # Rollover inside the spring gap (2:00 never happens): the day starts at the jump.
    (utc(2025, 3, 9, 6, 59, 59), "America/New_York", 2, date(2025, 3, 8), utc(2025, 3, 8, 7),
     utc(2025, 3, 9, 7)),
    (utc(2025, 3, 9, 7, 0), "America/New_York", 2, date(2025, 3, 9), utc(2025, 3, 9, 7),
     utc(2025, 3, 10, 6)),
    # Rollover at the repeated hour (1:00 happens twice): the first one counts.
    (utc(2025, 11, 2, 6, 30), "America/New_York", 1, date(2025, 11, 2), utc(2025, 11, 2, 5),
     utc(2025, 11, 3, 6)),
]


@pytest.mark.parametrize("now, tz, hour, day, start, next_start", DAYS)
def test_learner_day_and_its_bounds(now, tz, hour, day, start, next_start):
    assert learner_day(now, tz, hour) == day
    assert day_start(now, tz, hour) == start and day_start(now, tz, hour).tzinfo == UTC
    assert next_day_start(now, tz, hour) == next_start
    local = now.astimezone(ZoneInfo(tz))  # the zone of `now` itself does not matter
    assert (learner_day(local, tz, hour), day_start(local, tz, hour)) == (day, start)


ZONES = ["UTC", "Europe/Minsk", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
         "America/Santiago", "Europe/London"]


@given(
    now=st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2040, 1, 1),
                     timezones=st.just(UTC)),
    tz=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
)
def test_every_instant_lies_in_exactly_one_learner_day(now, tz, hour):
    start, end = day_start(now, tz, hour), next_day_start(now, tz, hour)
    assert start <= now < end
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
    assert learner_day(start, tz, hour) == learner_day(now, tz, hour)
    assert learner_day(end, tz, hour) == learner_day(now, tz, hour) + DAY


@pytest.mark.parametrize(
    "limits, new_done, reviews_done, expected",
    [
        (DailyLimits(), 0, 0, (20, 200)),
        (DailyLimits(), 5, 150, (15, 50)),
        (DailyLimits(), 20, 200, (0, 0)),
        (DailyLimits(), 25, 300, (0, 0)),  # never negative, even after a lowered limit
        (DailyLimits(new_per_day=0, reviews_per_day=10), 0, 3, (0, 7)),
    ],
)
def test_remaining(limits, new_done, reviews_done, expected):
    assert remaining(limits, new_done, reviews_done) == expected


@pytest.mark.parametrize("name", STATES)
def test_card_state_round_trips_through_json(name):
    state, _ = walk(STATES[name][0], FUZZ)
    data = json.loads(json.dumps(state.to_dict()))
    assert isinstance(data["due"], str)
    assert CardState.from_dict(data) == state


REVIEWED = walk([3, 3])[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda: SchedulerSettings(desired_retention=0.69),
        lambda: SchedulerSettings(desired_retention=0.98),
        lambda: SchedulerSettings(desired_retention="0.9"),
        lambda: SchedulerSettings(parameters=DEFAULT_PARAMETERS[:-1]),
        lambda: SchedulerSettings(parameters=(1000.0,) + DEFAULT_PARAMETERS[1:]),
        lambda: SchedulerSettings(learning_steps=(timedelta(0),)),
        lambda: review(1, REVIEWED, 0, NOW, PLAIN),
        lambda: review(1, REVIEWED, 5, NOW, PLAIN),
        lambda: review(1, REVIEWED, True, NOW, PLAIN),
        lambda: review(1, REVIEWED, 3, NOW.replace(tzinfo=None), PLAIN),
        lambda: preview(1, REVIEWED, NOW.replace(tzinfo=None), PLAIN),
        lambda: retrievability(REVIEWED, NOW.replace(tzinfo=None), PLAIN),
        lambda: CardState.new(NOW.replace(tzinfo=None)),
        lambda: CardState(4, None, None, None, NOW, None),
        lambda: CardState(2, None, None, None, NOW, None),
        lambda: CardState(3, None, 1.0, 5.0, NOW, NOW),
        lambda: CardState.from_dict({"state": 0}),
        lambda: format_interval(-MIN),
        lambda: learner_day(NOW, "Mars/Olympus_Mons"),
        lambda: learner_day(NOW, ""),
        lambda: learner_day(NOW, "../etc/passwd"),
        lambda: day_start(NOW, "UTC", 24),
        lambda: next_day_start(NOW.replace(tzinfo=None), "UTC"),
        lambda: DailyLimits(new_per_day=-1),
        lambda: remaining(DailyLimits(), -1, 0),
    ],
)
def test_invalid_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()
