"""Service calls in process, made as the views make them, each in a fresh session.

Every figure is one call per repetition: the session is cleared and the learner loaded
before each call (untimed), as a request starts with a new session and `current_user`.
"""

import random
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import delete, func, select

from bench import questions as question_gen
from bench.generate import Dataset
from bench.sizes import Sizes
from bench.timing import measure
from quizapp import unit_of_work
from quizapp.domain.bank_file import load_bank_text
from quizapp.domain.formats import FORMATS
from quizapp.domain.grading import grade
from quizapp.extensions import db
from quizapp.models import Bank, Card, Question, User
from quizapp.models.types import utcnow
from quizapp.qtypes.registry import SCHEMAS
from quizapp.services import banks, progress, quizzes, study, transfer

RATINGS = (1, 2, 3, 4)
RATING_WEIGHTS = (0.10, 0.10, 0.75, 0.05)
LOAD_SLUG = "bench-load"


def run(app: Flask, dataset: Dataset, sizes: Sizes, seed: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    rng = random.Random(seed)
    medium = max(sizes.slow_repeats, sizes.fast_repeats // 4)

    def record(name: str, figure: dict[str, Any]) -> None:
        figures[name] = figure
        print(f"  {name}: median {figure['median_ms']:.3f} ms, p99 {figure['p99_ms']:.3f} ms",
              flush=True)

    with app.app_context():
        learners = {"typical": dataset.typical, "http-learner": dataset.http_pool[-1],
                    **{f"heavy-{n}": uid for n, uid in dataset.heavy.items()}}
        for name, uid in learners.items():
            record(f"next_card[{name}]", next_card(uid, sizes.fast_repeats))
        record("dashboard[10000 reviews]", dashboard(dataset.dashboard, medium))
        for name, figure in dashboard_parts(dataset.dashboard, medium).items():
            record(name, figure)
        for name in ("http-learner", *(f"heavy-{n}" for n in dataset.heavy)):
            record(f"submit_and_next[{name}]",
                   submit_and_next(learners[name], sizes.fast_repeats, rng))
        record("interval_previews", interval_previews(dataset.http_pool[-1], sizes.fast_repeats))
        record("grade", grading(seed, sizes.fast_repeats * 10))
        record("quiz_answer", quiz_answer(dataset, sizes.fast_repeats, rng))
        for name, figure in bank_load_and_export(seed, sizes).items():
            record(name, figure)
        db.session.remove()
    return figures


def _fresh_user(user_id: int) -> User:
    db.session.remove()
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def per_request(user_id: int, call: Callable[[User], Any], repeat: int) -> dict[str, Any]:
    """Time `call(user)`, the learner loaded in a fresh session before each call."""
    state: dict[str, Any] = {}

    def before(_i: int) -> None:
        state["user"] = _fresh_user(user_id)

    return measure(lambda _i: call(state["user"]), repeat, before=before,
                   after=lambda _i: db.session.rollback())


def next_card(user_id: int, repeat: int) -> dict[str, Any]:
    """`study.queue`: the next card and today's counts (what GET /study/ computes)."""
    result = per_request(user_id, lambda user: study.queue(user, utcnow()), repeat)
    result["cards"] = db.session.scalar(select(func.count()).where(Card.user_id == user_id))
    return result


def submit_and_next(user_id: int, repeat: int, rng: random.Random) -> dict[str, Any]:
    """POST /study/review's service calls: grade the card (FSRS), then the next card and
    its four interval previews."""
    state: dict[str, Any] = {}
    user = _fresh_user(user_id)
    card = study.queue(user, utcnow()).card
    assert card is not None, "the learner has nothing to study"
    state["card"] = card.id
    ratings = rng.choices(RATINGS, RATING_WEIGHTS, k=repeat + 1)

    def before(_i: int) -> None:
        state["user"] = _fresh_user(user_id)

    def call(i: int) -> None:
        now = utcnow()
        with unit_of_work.unit():  # as POST /study/review: one unit, committed at its end
            study.answer_card(user_id, state["card"], ratings[i], now,
                              submission_id=secrets.token_urlsafe(16))
            queue = study.queue(state["user"], now)
            if queue.card is None:
                raise RuntimeError("the learner ran out of cards during the benchmark")
            study.interval_labels(state["user"], queue.card, now)
            state["card"] = queue.card.id

    result = measure(call, repeat, before=before, after=lambda _i: db.session.rollback())
    result["cards"] = db.session.scalar(select(func.count()).where(Card.user_id == user_id))
    return result


def interval_previews(user_id: int, repeat: int) -> dict[str, Any]:
    """`study.interval_labels` on a spread of the learner's cards (new, learning, review)."""
    user = _fresh_user(user_id)
    cards = list(db.session.scalars(select(Card).where(Card.user_id == user_id)
                                    .order_by(Card.id).limit(repeat + 1)))
    now = utcnow()
    return measure(lambda i: study.interval_labels(user, cards[i], now), repeat)


def dashboard(user_id: int, repeat: int) -> dict[str, Any]:
    return per_request(user_id, lambda user: progress.dashboard(user, utcnow()), repeat)


def dashboard_parts(user_id: int, repeat: int) -> dict[str, Any]:
    """Each query of the dashboard alone, to show where its time goes (no targets)."""
    parts: dict[str, Callable[[User], Any]] = {
        "due_forecast": lambda u: progress.due_forecast(u, utcnow()),
        "reviews_per_day": lambda u: progress.reviews_per_day(u, utcnow()),
        "retention (7, 30, 365 days)": lambda u: progress.retention(u, utcnow()),
        "mastery_by_bank (with topics)": lambda u: progress.mastery_by_bank(u, utcnow()),
        "card_counts": progress.card_counts,
        "quiz_scores": progress.quiz_scores,
        "weakest_questions": progress.weakest_questions,
    }
    return {f"dashboard part: {name}": per_request(user_id, part, repeat)
            for name, part in parts.items()}


def grading(seed: int, repeat: int) -> dict[str, Any]:
    """`grading.grade` on correct answers to a mix of generated questions of every type."""
    specs = question_gen.specs(question_gen.questions(seed + 99, 500))
    cases = []
    for spec in specs:
        data = spec.answer_data()
        cases.append((spec.type, data, question_gen.correct_response(spec.type, data)))
    for kind, data, response in cases:
        assert grade(kind, data, response).correct, (kind, data, response)
    return measure(lambda i: grade(*cases[i % len(cases)]), repeat)


def quiz_answer(dataset: Dataset, repeat: int, rng: random.Random) -> dict[str, Any]:
    """`quizzes.submit_answer`: grade, store the answer and review the learner's card."""
    user_id = dataset.typical
    state: dict[str, Any] = {"attempt": None, "position": 0}

    def before(_i: int) -> None:
        db.session.remove()
        if state["attempt"] is None or state["position"] >= 100:
            with unit_of_work.unit():
                attempt = quizzes.start_attempt(
                    user_id, bank_ids=[dataset.generated_bank], tags=[], types=[], count=100,
                    mode="practice", now=utcnow(), seed=rng.randrange(2**32))
            state["attempt"], state["position"] = attempt.id, 0
            db.session.remove()
        attempt = quizzes.get_attempt(user_id, state["attempt"])
        snapshot = quizzes.revision_at(attempt, state["position"]).snapshot
        fields = SCHEMAS[snapshot["type"]].answer_fields
        state["response"] = question_gen.correct_response(
            snapshot["type"], {f: snapshot.get(f) for f in fields})
        db.session.remove()

    def call(_i: int) -> None:
        with unit_of_work.unit():
            quizzes.submit_answer(user_id, state["attempt"], state["position"],
                                  state["response"], utcnow())
        state["position"] += 1

    return measure(call, repeat, before=before)


def export(bank_id: int, format_name: str, repeat: int) -> dict[str, Any]:
    """`transfer.export_bank`, the bank loaded in a fresh session before each call."""
    state: dict[str, Any] = {}

    def before(_i: int) -> None:
        db.session.remove()
        state["bank"] = db.session.get(Bank, bank_id)

    return measure(lambda _i: transfer.export_bank(state["bank"], format_name), repeat,
                   before=before, warmup=0)


def _drop_bank(slug: str) -> None:
    db.session.remove()
    db.session.execute(delete(Bank).where(Bank.slug == slug))
    db.session.commit()


def bank_load_and_export(seed: int, sizes: Sizes) -> dict[str, Any]:
    """`flask bank load` of one generated file (parse + load), then export to each format."""
    count = sizes.load_questions
    entries = question_gen.questions(seed + 7, count)
    text = question_gen.bank_text(LOAD_SLUG, "Load benchmark", entries)
    label = f"{count} questions"
    out: dict[str, Any] = {}
    out[f"bank_parse[{label}]"] = measure(lambda _i: load_bank_text(text, "load.yaml"),
                                          sizes.slow_repeats, warmup=0)
    def load(_i: int) -> None:  # as `flask bank load`: one unit of work, committed
        with unit_of_work.unit():
            banks.load_bank(load_bank_text(text, "load.yaml"))

    out[f"bank_load[{label}]"] = measure(load, sizes.slow_repeats,
                                         before=lambda _i: _drop_bank(LOAD_SLUG), warmup=0)
    out[f"bank_load_unchanged[{label}]"] = measure(
        load, sizes.slow_repeats, before=lambda _i: db.session.remove(), warmup=0)
    bank_id = db.session.scalar(select(Bank.id).where(Bank.slug == LOAD_SLUG))
    assert db.session.scalar(select(func.count()).where(Question.bank_id == bank_id)) == count
    for name in FORMATS:
        out[f"export[{name}, {label}]"] = export(bank_id, name, sizes.slow_repeats)
    _drop_bank(LOAD_SLUG)
    return out
