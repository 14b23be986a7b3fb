"""Seeded data at scale: learners, banks, enrolments, cards, review logs and quiz attempts.

The two real banks and a generated bank go through the real bank loader; the scale banks
(only the Anki-comparison learners study them: one card per learner and question, so
100,000 cards need 100,000 questions), learners, cards and reviews go in by bulk insert.
"""

import json
import random
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select, text

from bench import questions as question_gen
from bench.bulk import BulkWriter, dumps
from bench.history import DAY, History, Learner, calibrate
from bench.plan import Plan, Pool, regular_plan, split_budget
from bench.sizes import Sizes
from quizapp.cli import DEFAULT_BANK_DIR
from quizapp.domain.bank_file import load_bank_text
from quizapp.domain.passwords import hash_password, new_session_token
from quizapp.domain.questions import snapshot
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionRevision
from quizapp.services import banks

PASSWORD = "bench-password-1"
HIGH_LIMITS = {"reviews_per_day": 9_999, "new_per_day": 999}  # as high as Anki allows


@dataclass
class Dataset:
    """What the benchmarks need to know about the generated data."""

    seed: int
    now: float  # epoch seconds the history was generated against
    heavy: dict[str, int] = field(default_factory=dict)  # card count -> user id
    dashboard: int = 0
    http_pool: list[int] = field(default_factory=list)
    typical: int = 0  # a regular, active learner with about the median number of cards
    generated_bank: int = 0
    interval_growth: float = 0.0  # review intervals grow by this factor (calibrated)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def username(self, user_id: int) -> str:
        return f"learner-{user_id:05d}"


def _timed(dataset: Dataset, step: str, started: float) -> float:
    now = time.perf_counter()
    dataset.seconds[step] = round(now - started, 2)
    print(f"  {step}: {now - started:.1f} s", flush=True)
    return now


def generate(app: Flask, sizes: Sizes, seed: int = 20260301) -> Dataset:
    rng = random.Random(seed)
    dataset = Dataset(seed=seed, now=time.time())
    began = step = time.perf_counter()
    with app.app_context():
        pool, scale = _banks(sizes, seed, dataset)
        db.session.remove()
        step = _timed(dataset, "banks (loader and bulk)", step)
        plans = _plans(rng, sizes, pool, scale, dataset)
        step = _timed(dataset, "plans", step)
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.connection.driver_connection.execute("PRAGMA synchronous=OFF")
            writer = BulkWriter(conn)
            _users(writer, sizes, dataset)
            _enrolments(writer, plans, dataset.now)
            step = _timed(dataset, "users and enrolments", step)
            _cards_and_reviews(writer, rng, sizes, plans, dataset)
            step = _timed(dataset, "cards and reviews", step)
            _quiz_attempts(writer, rng, plans, dataset)
            writer.finish(["user", "enrolment", "card", "review", "quiz_attempt",
                           "attempt_answer", "question", "question_revision"])
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("ANALYZE")  # what autovacuum would do soon after
                conn.commit()
            else:  # outside any transaction, on the driver's connection
                conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            step = _timed(dataset, "quiz attempts and finish", step)
        dataset.rows = _row_counts()
    dataset.seconds["total"] = round(time.perf_counter() - began, 2)
    return dataset


def _banks(sizes: Sizes, seed: int,
           dataset: Dataset) -> tuple[Pool, list[tuple[int, list[int]]]]:
    banks.load_paths([DEFAULT_BANK_DIR])
    entries = question_gen.questions(seed, sizes.generated_questions)
    text_ = question_gen.bank_text("bench-generated", "Generated bank", entries)
    banks.load_bank(load_bank_text(text_, "bench-generated.yaml"))
    dataset.generated_bank = db.session.scalar(select(Bank.id).where(
        Bank.slug == "bench-generated"))
    pool = Pool({}, {})
    for bank_id, qid, tags in db.session.execute(
            select(Question.bank_id, Question.id, Question.tags)
            .order_by(Question.bank_id, Question.position)):
        pool.banks.setdefault(bank_id, []).append(qid)
        for tag in tags:
            pool.tags.setdefault(bank_id, {}).setdefault(tag, []).append(qid)
    scale = [_scale_bank(n, sizes.scale_bank_questions, seed) for n in range(sizes.scale_banks)]
    return pool, scale


def _scale_bank(number: int, count: int, seed: int) -> tuple[int, list[int]]:
    """A bank of generated questions, bulk-inserted with the rows the loader would write."""
    bank = Bank(slug=f"bench-scale-{number + 1:02d}", title=f"Scale bank {number + 1}",
                description="Generated by the benchmark.", article="trafficking",
                created_at=datetime.now(UTC), published_at=datetime.now(UTC))
    db.session.add(bank)
    db.session.commit()
    specs = question_gen.specs(question_gen.questions(seed + 1 + number, count))
    first_q = (db.session.scalar(select(func.max(Question.id))) or 0) + 1
    first_r = (db.session.scalar(select(func.max(QuestionRevision.id))) or 0) + 1
    bank_id = bank.id
    db.session.remove()
    with db.engine.connect() as conn:
        writer = BulkWriter(conn)
        now = writer.ts(time.time())
        writer.insert("question", (
            "id", "bank_id", "key", "position", "type", "prompt", "data", "explanation",
            "sources", "tags", "difficulty", "revision", "archived", "loaded_revision"), (
            (first_q + i, bank_id, s.key, i, s.type, s.prompt, dumps(s.answer_data()),
             s.explanation, dumps(list(s.source)), dumps(list(s.tags)), s.difficulty, 1,
             False, 1) for i, s in enumerate(specs)))
        writer.insert("question_revision", (
            "id", "question_id", "number", "snapshot", "created_at", "message"), (
            (first_r + i, first_q + i, 1, dumps(snapshot(s)), now, "bank load")
            for i, s in enumerate(specs)))
        writer.insert("question_tag", ("question_id", "tag"), (
            (first_q + i, tag) for i, s in enumerate(specs) for tag in s.tags))
        writer.finish(["question", "question_revision"])
    return bank_id, list(range(first_q, first_q + count))


def _plans(rng: random.Random, sizes: Sizes, pool: Pool, scale: list[tuple[int, list[int]]],
           dataset: Dataset) -> list[Plan]:
    everything = pool.all
    plans: list[Plan] = []
    user_id = 0
    for size in sorted(sizes.anki_cards):
        user_id += 1
        studied = scale[: size // sizes.scale_bank_questions]
        held = [q for _, questions in studied for q in questions]
        plans.append(Plan(user_id, "heavy", held, set(held[int(len(held) * 0.7):]),
                          [(bank, []) for bank, _ in studied]))
        dataset.heavy[str(size)] = user_id
    user_id += 1
    dataset.dashboard = user_id
    plans.append(Plan(user_id, "dashboard", sorted(everything),
                      set(rng.sample(everything, len(everything) // 20)),
                      [(bank, []) for bank in pool.banks]))
    for _ in range(sizes.http_pool):
        user_id += 1
        dataset.http_pool.append(user_id)
        plans.append(Plan(user_id, "http", sorted(everything),
                          set(rng.sample(everything, len(everything) // 5)),
                          [(bank, []) for bank in pool.banks]))
    budget = sizes.cards - sum(len(p.questions) for p in plans)
    targets = split_budget(rng, budget, sizes.learners - user_id, len(everything))
    for target in targets:
        user_id += 1
        plans.append(regular_plan(rng, user_id, target, pool, everything))
    for plan in plans:
        plan.learner = _learner(rng, plan, dataset.now)
    median = sorted(targets)[len(targets) // 2]
    dataset.typical = next(p.user_id for p in plans if p.kind == "regular"
                           and p.learner.profile == "active" and len(p.questions) >= median)
    return plans


def _users(writer: BulkWriter, sizes: Sizes, dataset: Dataset) -> None:
    """Every learner shares one password hash: argon2id per user would take hours."""
    password_hash = hash_password(PASSWORD)
    special = {*dataset.heavy.values(), *dataset.http_pool}
    created = writer.ts(dataset.now - 400 * DAY)
    writer.insert("user", ("id", "username", "password_hash", "role", "created_at",
                           "settings", "session_version", "session_token"), (
        (uid, dataset.username(uid), password_hash, "learner", created,
         dumps(HIGH_LIMITS if uid in special else {}), 1, new_session_token())
        for uid in range(1, sizes.learners + 1)))


def _enrolments(writer: BulkWriter, plans: list[Plan], now: float) -> None:
    created = writer.ts(now - 365 * DAY)
    writer.insert("enrolment", ("user_id", "bank_id", "tags", "created_at"), (
        (plan.user_id, bank_id, dumps(sorted(tags)), created)
        for plan in plans for bank_id, tags in plan.enrolments))


def _learner(rng: random.Random, plan: Plan, now: float) -> Learner:
    if plan.kind == "http":  # back after a month or two: a backlog of due cards
        return Learner(plan.user_id, "backlog", now - 365 * DAY,
                       now - rng.uniform(30, 60) * DAY)
    if plan.kind != "regular":
        return Learner(plan.user_id, "active", now - 365 * DAY, now - rng.uniform(0.1, 1) * DAY)
    start = now - rng.uniform(30, 365) * DAY
    if rng.random() < 0.5:
        return Learner(plan.user_id, "active", start, now - rng.uniform(0.1, 1) * DAY,
                       suspend_share=0.01)
    stop = rng.uniform(start + 7 * DAY, now - DAY)
    return Learner(plan.user_id, "lapsed", start, stop, suspend_share=0.01)


def _cards_and_reviews(writer: BulkWriter, rng: random.Random, sizes: Sizes,
                       plans: list[Plan], dataset: Dataset) -> None:
    """Every card's age (and whether it is left in learning) first, so that the review
    counts can be calibrated to the exact totals; then the cards, learner by learner."""
    ages: dict[int, list[float | None]] = {}  # per plan, aligned with plan.questions
    groups: dict[str, tuple[list[float], int]] = {"general": ([], 0), "dashboard": ([], 0)}
    for plan in plans:
        learner = plan.learner
        assert learner is not None
        learning_share = 0.0 if plan.kind == "heavy" else 0.03
        group = "dashboard" if plan.kind == "dashboard" else "general"
        studied, learning = groups[group]
        row: list[float | None] = []
        for qid in plan.questions:
            if qid in plan.new:
                row.append(None)
            elif rng.random() < learning_share:
                row.append(-rng.uniform(0, min(DAY, learner.span)))  # negative: learning
                learning += 1
            else:
                age = rng.uniform(0, learner.span)
                row.append(age)
                studied.append(age)
        groups[group] = (studied, learning)
        ages[plan.user_id] = row
    targets = {"general": sizes.reviews - sizes.dashboard_reviews,
               "dashboard": sizes.dashboard_reviews}
    reps: dict[str, list[int]] = {}
    growth: dict[str, float] = {}
    for group, (studied, learning) in groups.items():
        reps[group], growth[group] = calibrate(rng, studied, learning, targets[group])
        reps[group].reverse()  # handed out with pop(), in the order the ages were drawn
    dataset.interval_growth = round(growth["general"], 3)
    history = History(writer, rng)
    for plan in plans:
        learner = plan.learner
        assert learner is not None
        group = "dashboard" if plan.kind == "dashboard" else "general"
        for qid, age in zip(plan.questions, ages.pop(plan.user_id), strict=True):
            if age is None:
                history.new_card(learner, qid, learner.start_at)
            elif age < 0:
                history.studied_card(learner, qid, -age, 1, growth[group], learning=True)
            else:
                history.studied_card(learner, qid, age, reps[group].pop(), growth[group])
    history.flush()


def _quiz_attempts(writer: BulkWriter, rng: random.Random, plans: list[Plan],
                   dataset: Dataset) -> None:
    """A few finished quizzes: many for the dashboard learner, some for one learner in ten."""
    revision = dict(writer.conn.execute(select(QuestionRevision.question_id,
                                               QuestionRevision.id)).all())
    attempts: list[tuple] = []
    answers: list[tuple] = []
    for plan in plans:
        if plan.kind == "dashboard":
            count = 60
        elif plan.kind == "regular" and rng.random() < 0.1:
            count = rng.randint(1, 4)
        else:
            continue
        for _ in range(count):
            attempt_id = len(attempts) + 1
            drawn = rng.sample(plan.questions, min(10, len(plan.questions)))
            started = dataset.now - rng.uniform(1, 300) * DAY
            right = [rng.random() < 0.7 for _ in drawn]
            selection = {"bank_ids": [], "tags": [], "types": [], "count": len(drawn),
                         "question_ids": drawn, "revision_ids": [revision[q] for q in drawn]}
            attempts.append((attempt_id, plan.user_id, json.dumps(selection),
                             rng.randrange(2**48), "practice", writer.ts(started),
                             writer.ts(started + 300), sum(right) / len(right)))
            for position, (qid, ok) in enumerate(zip(drawn, right, strict=True)):
                answers.append((len(answers) + 1, attempt_id, position, revision[qid], "0",
                                1.0 if ok else 0.0, ok, writer.ts(started + 30 * position)))
    writer.insert("quiz_attempt", ("id", "user_id", "selection", "seed", "mode", "started_at",
                                   "finished_at", "score"), attempts)
    writer.insert("attempt_answer", ("id", "attempt_id", "position", "question_revision_id",
                                     "response", "score", "correct", "answered_at"), answers)


def _row_counts() -> dict[str, int]:
    tables = ("user", "bank", "question", "question_revision", "enrolment", "card", "review",
              "quiz_attempt", "attempt_answer")
    return {t: db.session.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) for t in tables}


def dataset_json(dataset: Dataset) -> dict:
    return asdict(dataset)
