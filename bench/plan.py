"""Who studies what: each learner's enrolments and the questions they hold cards for.

Regular learners get a heavy-tailed number of cards (lognormal) that sums exactly to the
card budget. Their cards come from enrolments (a whole bank, or some of its topics, as
`study.enrol` creates them) topped up with cards outside their enrolments (which quizzes
created before they kept to the learner's choice; the queue leaves them out), so every
enrolment is complete.
"""

import random
from dataclasses import dataclass, field

from bench.history import Learner


@dataclass
class Pool:
    """The questions learners can study: per bank, and per bank and topic tag."""

    banks: dict[int, list[int]]  # bank id -> question ids in position order
    tags: dict[int, dict[str, list[int]]]  # bank id -> tag -> question ids

    @property
    def all(self) -> list[int]:
        return [q for questions in self.banks.values() for q in questions]


@dataclass
class Plan:
    user_id: int
    kind: str  # heavy | dashboard | http | regular
    questions: list[int]
    new: set[int]
    enrolments: list[tuple[int, list[str]]] = field(default_factory=list)
    learner: Learner | None = None  # activity profile, set once every plan exists


def split_budget(rng: random.Random, total: int, count: int, cap: int) -> list[int]:
    """`count` heavy-tailed sizes in 1..cap that add up to exactly `total`."""
    if not count <= total <= count * cap:
        raise ValueError(f"cannot split {total} cards over {count} learners of at most {cap}")
    raw = [rng.lognormvariate(0, 1.0) for _ in range(count)]
    scale = total / sum(raw)
    sizes = [min(cap, max(1, round(r * scale))) for r in raw]
    diff = total - sum(sizes)
    while diff:
        i = rng.randrange(count)
        if diff > 0 and sizes[i] < cap:
            sizes[i] += 1
            diff -= 1
        elif diff < 0 and sizes[i] > 1:
            sizes[i] -= 1
            diff += 1
    return sizes


def regular_plan(rng: random.Random, user_id: int, target: int, pool: Pool,
                 everything: list[int]) -> Plan:
    """Whole banks or single topics while they fit, then quiz-made cards up to `target`."""
    candidates: list[tuple[int, list[str], list[int]]] = [
        (bank, [], questions) for bank, questions in pool.banks.items()]
    candidates += [(bank, [tag], questions) for bank, by_tag in pool.tags.items()
                   for tag, questions in by_tag.items()]
    rng.shuffle(candidates)
    held: set[int] = set()
    enrolments: list[tuple[int, list[str]]] = []
    for bank, tags, questions in candidates:
        if any(bank == b for b, _ in enrolments):
            continue
        fresh = [q for q in questions if q not in held]
        if fresh and len(fresh) <= target - len(held):
            enrolments.append((bank, tags))
            held.update(fresh)
    missing = target - len(held)
    if missing:
        held.update(rng.sample([q for q in everything if q not in held], missing))
    questions = sorted(held)
    new = set(rng.sample(questions, round(len(questions) * rng.uniform(0.05, 0.5))))
    return Plan(user_id, "regular", questions, new, enrolments)
