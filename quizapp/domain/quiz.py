"""Quiz mechanics that need no database: drawing questions, shuffling, and scoring.

Everything random is derived from the attempt's stored seed, so a reload shows the
same order.
"""

import random
from collections.abc import Mapping, Sequence
from typing import Any

MODES = ("practice", "test")
MAX_QUESTIONS = 100
DEADLINE_GRACE_S = 5  # the browser auto-submits at the deadline; allow for the trip


def draw(candidate_ids: Sequence[int], count: int, seed: int) -> list[int]:
    """`count` of the candidates in a random order fixed by `seed`."""
    pool = sorted(candidate_ids)
    random.Random(seed).shuffle(pool)
    return pool[:count]


def option_order(seed: int, position: int, size: int) -> list[int]:
    """The order options (or items, or right-hand sides) are shown in at `position`."""
    order = list(range(size))
    random.Random(f"{seed}:{position}").shuffle(order)
    return order


def ordering_start(seed: int, position: int, size: int) -> list[int]:
    """A starting order for an ordering question that is never already the answer."""
    order = option_order(seed, position, size)
    if size > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order


def shown_options(snapshot: Mapping[str, Any], seed: int, position: int) -> list[int]:
    """Option indexes in display order; true/false is never shuffled."""
    kind = snapshot["type"]
    if kind in ("single_choice", "multiple_choice"):
        return option_order(seed, position, len(snapshot["options"]))
    if kind == "matching":
        return option_order(seed, position, len(snapshot["pairs"]))
    if kind == "ordering":
        return ordering_start(seed, position, len(snapshot["items"]))
    return []


def attempt_score(scores: Sequence[float | None], total: int) -> float:
    """Mean score over every question of the attempt; unanswered ones count 0."""
    if total <= 0:
        return 0.0
    return sum(s or 0.0 for s in scores) / total


def correct_answer_text(snapshot: Mapping[str, Any]) -> list[str]:
    """The right answer, as lines a learner can read beside their own."""
    kind = snapshot["type"]
    if kind in ("single_choice", "multiple_choice"):
        return [o["text"] for o in snapshot["options"] if o.get("correct")]
    if kind == "true_false":
        return ["True" if snapshot["answer"] else "False"]
    if kind == "short_answer":
        return [snapshot["answers"][0]]
    if kind == "numeric":
        value = f"{snapshot['value']:,g}" if abs(snapshot["value"]) < 1e15 else str(
            snapshot["value"])
        tolerance = snapshot.get("tolerance") or 0
        unit = f" {snapshot['unit']}" if snapshot.get("unit") else ""
        return [f"{value}{unit}" + (f" (± {tolerance:g})" if tolerance else "")]
    if kind == "ordering":
        return [f"{i}. {item}" for i, item in enumerate(snapshot["items"], 1)]
    if kind == "matching":
        return [f"{p['left']} → {p['right']}" for p in snapshot["pairs"]]
    if kind == "cloze":
        return [f"Gap {i}: {alts[0]}" for i, alts in enumerate(snapshot["gaps"], 1)]
    return []


def response_text(snapshot: Mapping[str, Any], response: Any) -> list[str]:
    """The learner's response, in the same readable form as `correct_answer_text`."""
    kind = snapshot["type"]
    if response is None:
        return ["(no answer)"]
    if kind == "single_choice":
        return [snapshot["options"][response]["text"]]
    if kind == "multiple_choice":
        return [snapshot["options"][i]["text"] for i in sorted(response)] or ["(none)"]
    if kind == "true_false":
        return ["True" if response else "False"]
    if kind in ("short_answer", "numeric"):
        return [str(response)]
    if kind == "ordering":
        return [f"{n}. {snapshot['items'][i]}" for n, i in enumerate(response, 1)]
    if kind == "matching":
        pairs = snapshot["pairs"]
        return [
            f"{p['left']} → {pairs[r]['right'] if r is not None and r >= 0 else '(blank)'}"
            for p, r in zip(pairs, response, strict=False)
        ]
    if kind == "cloze":
        return [f"Gap {i}: {r or '(blank)'}" for i, r in enumerate(response, 1)]
    return [str(response)]
