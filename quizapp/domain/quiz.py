"""Quiz mechanics that need no database: drawing questions, shuffling, and scoring.

Everything random is derived from the attempt's stored seed, so a reload shows the
same order.
"""

import random
from collections.abc import Mapping, Sequence
from typing import Any

from quizapp.qtypes import registry
from quizapp.qtypes.common.order import option_order, ordering_start  # noqa: F401 (re-exported)

MODES = ("practice", "test")
MAX_QUESTIONS = 100
DEADLINE_GRACE_S = 5  # the browser auto-submits at the deadline; allow for the trip


def draw(candidate_ids: Sequence[int], count: int, seed: int) -> list[int]:
    """`count` of the candidates in a random order fixed by `seed`."""
    pool = sorted(candidate_ids)
    random.Random(seed).shuffle(pool)
    return pool[:count]


def shown_options(snapshot: Mapping[str, Any], seed: int, position: int) -> list[int]:
    """Option indexes in display order; [] for a type that shows none (true/false is never
    shuffled)."""
    return registry.get(snapshot["type"]).shown_order(snapshot, seed, position)


def attempt_score(scores: Sequence[float | None], total: int) -> float:
    """Mean score over every question of the attempt; unanswered ones count 0."""
    if total <= 0:
        return 0.0
    return sum(s or 0.0 for s in scores) / total


def correct_answer_text(snapshot: Mapping[str, Any]) -> list[str]:
    """The right answer, as lines a learner can read beside their own."""
    return registry.get(snapshot["type"]).right_answer(snapshot)


def response_text(snapshot: Mapping[str, Any], response: Any) -> list[str]:
    """The learner's response, in the same readable form as `correct_answer_text`."""
    if response is None:
        return ["(no answer)"]
    return registry.get(snapshot["type"]).response_text(snapshot, response)
