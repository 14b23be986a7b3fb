"""Cards and their review logs: plausible spaced-repetition histories, card by card.

A studied card was introduced `age` seconds before the learner last studied. It had its
first review then, the 10-minute learning step, and then review intervals growing by a
factor `growth` from two days: so old cards have many reviews and long intervals, young
cards few reviews and short ones, and a learner's daily load is what a steady intake of
new cards gives. `growth` is calibrated so the review log has exactly the wanted number of
rows. Ratings are about 75% Good, 10% Again, 10% Hard, 5% Easy; each review stores the
state before it, and the card's state, stability, difficulty, due date, reps and lapses
follow from its history. Learners differ in activity: "active" ones studied within the
last day, "lapsed" ones stopped some time in the past year, "backlog" ones a month or two
ago (most of their reviews are due now).
"""

import math
import random
from dataclasses import dataclass

from bench.bulk import BulkWriter, iso

DAY = 86_400.0
STEP = 600.0  # the learning step between the first two reviews
FIRST_INTERVAL = 2 * DAY
MAX_INTERVAL = 365 * DAY
RATINGS = (1, 2, 3, 4)
RATING_WEIGHTS = (0.10, 0.10, 0.75, 0.05)
CARD_COLUMNS = ("id", "user_id", "question_id", "state", "step", "stability", "difficulty",
                "due", "last_review", "reps", "lapses", "suspended", "buried_until")
REVIEW_COLUMNS = ("id", "card_id", "user_id", "rating", "reviewed_at", "duration_ms", "origin",
                  "state_before", "previous_state", "recall_probability", "submission_id")
STATE_BEFORE = ('{{"state": {}, "step": {}, "stability": {}, "difficulty": {}, "due": "{}", '
                '"last_review": {}, "reps": {}, "lapses": {}}}')


def _next_state(state: int, rating: int) -> int:
    """FSRS's state machine: new/learning -> review on Good, review -> relearning on Again."""
    if state == 0:
        return 2 if rating == 4 else 1
    if state in (1, 3):
        return state if rating <= 2 else 2
    return 3 if rating == 1 else 2


def reps_for(age: float, growth: float) -> int:
    """Reviews of a card introduced `age` seconds ago: two, then one per interval that fits."""
    return 2 + int(math.log1p(max(0.0, age - STEP) * (growth - 1) / FIRST_INTERVAL)
                   / math.log(growth))


def calibrate(rng: random.Random, ages: list[float], fixed: int,
              target: int) -> tuple[list[int], float]:
    """Review counts for cards of these ages that add up to `target` minus `fixed`, and the
    growth factor: found by bisection on a sample, the remainder spread one by one."""
    want = target - fixed
    if want < 2 * len(ages):
        raise ValueError(f"{target} reviews cannot cover {len(ages)} studied cards")
    sample = ages if len(ages) <= 50_000 else rng.sample(ages, 50_000)
    share = want * len(sample) / max(1, len(ages))
    lo, hi = 1.01, 100.0
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        if sum(reps_for(a, mid) for a in sample) > share:
            lo = mid
        else:
            hi = mid
    reps = [reps_for(a, hi) for a in ages]
    missing = want - sum(reps)
    while missing:
        i = rng.randrange(len(reps))
        if missing > 0:
            reps[i] += 1
            missing -= 1
        elif reps[i] > 2:
            reps[i] -= 1
            missing += 1
    return reps, hi


@dataclass
class Learner:
    user_id: int
    profile: str  # active | lapsed | backlog
    start_at: float  # first study, epoch seconds
    stop_at: float  # last study
    suspend_share: float = 0.0

    @property
    def span(self) -> float:
        return self.stop_at - self.start_at


class History:
    """Writes cards and reviews through a BulkWriter, cards first (reviews point at them)."""

    def __init__(self, writer: BulkWriter, rng: random.Random):
        self.writer, self.rng = writer, rng
        self.card_id = 0
        self.review_id = 0
        self.cards: list[tuple] = []
        self.reviews: list[tuple] = []

    def new_card(self, learner: Learner, question_id: int, due: float) -> int:
        self.card_id += 1
        suspended = self.rng.random() < learner.suspend_share
        self.cards.append((self.card_id, learner.user_id, question_id, 0, None, None, None,
                           self.writer.ts(due), None, 0, 0, suspended, None))
        self._maybe_flush()
        return self.card_id

    def studied_card(self, learner: Learner, question_id: int, age: float, reps: int,
                     growth: float, *, learning: bool = False) -> int:
        """A card first reviewed `age` before the learner's last study, with `reps` reviews;
        left in review state, or in (re)learning after an Again if `learning`."""
        rng = self.rng
        self.card_id += 1
        card_id = self.card_id
        difficulty = round(rng.uniform(2.0, 8.5), 4)
        times, interval = self._times(learner, age, reps, growth)
        last_at = times[-1]
        state = lapses = 0
        stability: float | None = None
        ts, user_id = self.writer.ts, learner.user_id
        for k, at in enumerate(times):
            rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
            if k == reps - 1:  # the last rating leaves the card in the wanted state
                if learning:
                    rating = 1
                elif _next_state(state, rating) != 2:
                    rating = 3
            gap = at - times[k - 1] if k else 0.0
            recall = None
            if k:
                stability = max(0.05, gap / DAY * rng.uniform(0.7, 1.4))
                recall = round(0.9 ** ((gap / DAY) / stability), 4)
            before = STATE_BEFORE.format(
                state, 0 if state in (1, 3) else "null",
                "null" if stability is None else round(stability, 4),
                "null" if state == 0 else difficulty, iso(at - rng.uniform(0, gap * 0.1)),
                f'"{iso(times[k - 1])}"' if k else "null", k, lapses)
            quiz = rng.random() < 0.08
            self.review_id += 1
            self.reviews.append((
                self.review_id, card_id, user_id, rating, ts(at),
                None if quiz else rng.randint(1_500, 25_000), "quiz" if quiz else "flashcard",
                before, state, recall, f"bench-{self.review_id}"))
            if state == 2 and rating == 1:
                lapses += 1
            state = _next_state(state, rating)
        if learning:
            stability_now, due, step = round(rng.uniform(0.3, 2.5), 4), last_at + STEP, 0
        else:
            stability_now = round(interval / DAY * rng.uniform(0.85, 1.15), 4)
            due, step = last_at + interval, None
        self.cards.append((card_id, user_id, question_id, state, step, stability_now,
                           difficulty, ts(due), ts(last_at), reps, lapses,
                           rng.random() < learner.suspend_share, None))
        self._maybe_flush()
        return card_id

    def _times(self, learner: Learner, age: float, reps: int,
               growth: float) -> tuple[list[float], float]:
        """When each review happened (oldest first) and the interval after the last one."""
        rng = self.rng
        gaps = [STEP] + [min(MAX_INTERVAL, FIRST_INTERVAL * growth ** k) * rng.uniform(0.8, 1.2)
                         for k in range(reps - 2)]
        gaps = gaps[: reps - 1]
        first = learner.stop_at - age
        total = sum(gaps)
        room = learner.stop_at - 60 - first
        if total > room:  # more reviews than the nominal intervals allow: closer together
            gaps = [max(30.0, g * room / total) for g in gaps]
        times = [first]
        for gap in gaps:
            times.append(times[-1] + gap)
        interval = min(MAX_INTERVAL, FIRST_INTERVAL * growth ** max(0, reps - 2))
        # The card came due after the learner's last study, or it would have been reviewed.
        interval = max(interval * rng.uniform(0.9, 1.1),
                       learner.stop_at - times[-1] + rng.uniform(0, DAY))
        return times, interval

    def _maybe_flush(self) -> None:
        if len(self.reviews) >= 20_000 or len(self.cards) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.cards:
            self.writer.insert("card", CARD_COLUMNS, self.cards)
            self.cards = []
        if self.reviews:
            self.writer.insert("review", REVIEW_COLUMNS, self.reviews)
            self.reviews = []
