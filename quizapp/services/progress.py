"""A learner's progress, computed with GROUP BY in the database (no per-row Python)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, case, func, literal, or_, select

from quizapp.domain import scheduling
from quizapp.domain.questions import blanked
from quizapp.domain.statistics import MATURE_DAYS, ratio, streak
from quizapp.extensions import db
from quizapp.models import (
    AttemptAnswer,
    Bank,
    Card,
    Question,
    QuestionRevision,
    QuestionTag,
    QuizAttempt,
    Review,
    User,
)
from quizapp.models.sql import days_between, whole_days_between
from quizapp.models.types import UTCDateTime
from quizapp.services import topics


def day_starts(user: User, now: datetime, first: int, count: int) -> list[datetime]:
    """UTC start of `count + 1` consecutive learner days from day offset `first` (0 = today)."""
    tz = user.setting("timezone")
    today = scheduling.day_start(now, tz)
    starts = []
    probe = today + timedelta(days=first, hours=12)
    for _ in range(count + 1):
        starts.append(scheduling.day_start(probe, tz))
        probe += timedelta(days=1)
    return starts


def _day_index(column, starts: list[datetime]):
    """SQL for the learner-day index of a timestamp, exact across daylight-saving changes.

    Days come in runs of exactly 24 hours, broken only by a DST change; within a run the
    index is whole days since the run began, so one indexed range scan and one GROUP BY
    count a whole year. A 23- or 25-hour day is a run of its own.
    """
    branches = []
    day = 0
    days = len(starts) - 1
    while day < days:
        end = day
        if starts[day + 1] - starts[day] == timedelta(days=1):
            while end + 1 < days and starts[end + 2] - starts[end + 1] == timedelta(days=1):
                end += 1
            value = literal(day, Integer) + func.cast(
                whole_days_between(literal(starts[day], UTCDateTime), column), Integer)
        else:
            value = literal(day, Integer)
        branches.append((and_(column >= literal(starts[day], UTCDateTime),
                              column < literal(starts[end + 1], UTCDateTime)), value))
        day = end + 1
    return case(*branches, else_=None)


def _count_by_day(column, starts: list[datetime], *where) -> list[int]:
    days = select(_day_index(column, starts).label("day")).where(
        column >= literal(starts[0], UTCDateTime), column < literal(starts[-1], UTCDateTime),
        *where).subquery()
    counts = [0] * (len(starts) - 1)
    for day, n in db.session.execute(select(days.c.day, func.count()).group_by(days.c.day)):
        if day is not None:
            counts[int(day)] = n
    return counts


def _now(now: datetime):
    return literal(now, UTCDateTime)


def due_forecast(user: User, now: datetime, days: int = 30) -> list[int]:
    """Cards due on each of the next `days` learner days; overdue cards count today."""
    starts = day_starts(user, now, 0, days)
    starts[0] = datetime(1970, 1, 1, tzinfo=starts[0].tzinfo)  # today includes overdue
    return _count_by_day(Card.due, starts, Card.user_id == user.id, Card.state != 0,
                         Card.suspended.is_(False))


def reviews_per_day(user: User, now: datetime, days: int = 365) -> list[tuple[datetime, int]]:
    """(day start, reviews) for each learner day of the last `days`, ending today."""
    starts = day_starts(user, now, -(days - 1), days)
    counts = _count_by_day(Review.reviewed_at, starts, Review.user_id == user.id)
    return list(zip(starts[:-1], counts, strict=True))


RETENTION_WINDOWS = (7, 30, 365)


def retention(user: User, now: datetime, windows: tuple[int, ...] = RETENTION_WINDOWS
              ) -> dict[int, tuple[float | None, int]]:
    """For each window of days: the share of reviews of cards in review state answered
    Hard/Good/Easy, and how many there were. One scan of the widest window."""
    columns = []
    for days in windows:
        inside = Review.reviewed_at >= now - timedelta(days=days)
        columns += [func.sum(case((and_(inside, Review.rating >= 2), 1), else_=0)),
                    func.sum(case((inside, 1), else_=0))]
    row = db.session.execute(
        select(*columns).where(Review.user_id == user.id,
                               Review.previous_state == scheduling.REVIEW,
                               Review.reviewed_at >= now - timedelta(days=max(windows)))
    ).one()
    out = {}
    for i, days in enumerate(windows):
        passed, total = row[2 * i] or 0, row[2 * i + 1] or 0
        out[days] = (ratio(passed, total), total)
    return out


def true_retention(user: User, now: datetime, days: int) -> tuple[float | None, int]:
    """Share of reviews of cards in review state answered Hard/Good/Easy, and how many."""
    return retention(user, now, (days,))[days]


def _recalled(now: datetime):
    """Predicted recall >= 0.9 now. FSRS defines stability as the time for recall to fall
    to 90%, so this holds exactly while whole days since the last review <= stability."""
    elapsed = whole_days_between(Card.last_review, _now(now))
    return and_(Card.state == scheduling.REVIEW, elapsed <= Card.stability)


@dataclass(frozen=True)
class Mastery:
    key: str
    label: str
    cards: int
    mastered: int
    topics: tuple["Mastery", ...] = ()  # a bank's topics, each counted within that bank

    @property
    def share(self) -> float | None:
        return ratio(self.mastered, self.cards)


def mastery_by_bank(user: User, now: datetime) -> list[Mastery]:
    """Mastery per bank, each with its own topics (two grouped queries)."""
    mine = (Card.user_id == user.id, Card.suspended.is_(False), Question.archived.is_(False))
    recalled = func.sum(case((_recalled(now), 1), else_=0))
    counted: dict[int, dict[str, tuple[int, int]]] = {}
    for bank_id, tag, n, m in db.session.execute(
        select(Question.bank_id, QuestionTag.tag, func.count(Card.id), recalled)
        .join(Card, Card.question_id == QuestionTag.question_id)
        .join(Question, Question.id == Card.question_id)
        .where(*mine)
        .group_by(Question.bank_id, QuestionTag.tag).order_by(QuestionTag.tag)
    ):
        counted.setdefault(bank_id, {})[tag] = (n, m or 0)
    # each bank's topics with that bank's labels, in its topic order (a tag without a topic,
    # merged away meanwhile, last)
    labels = topics.labels_by_bank(counted)
    by_bank: dict[int, list[Mastery]] = {}
    for bank_id, tags in counted.items():
        own = labels.get(bank_id, {})
        order = [*(t for t in own if t in tags), *sorted(tags.keys() - own.keys())]
        by_bank[bank_id] = [Mastery(t, topics.label_of(own, t), *tags[t]) for t in order]
    rows = db.session.execute(
        select(Bank.id, Bank.slug, Bank.title, func.count(Card.id), recalled)
        .join(Question, Question.id == Card.question_id).join(Bank)
        .where(*mine)
        .group_by(Bank.id, Bank.slug, Bank.title).order_by(Bank.title, Bank.id)
    ).all()
    return [Mastery(slug, title, n, m or 0, tuple(by_bank.get(bank_id, ())))
            for bank_id, slug, title, n, m in rows]


def card_counts(user: User) -> dict[str, int]:
    """new, learning, young, mature, suspended."""
    interval = days_between(Card.last_review, Card.due)
    kind = case(
        (Card.suspended.is_(True), "suspended"),
        (Card.state == 0, "new"),
        (or_(Card.state == 1, Card.state == 3), "learning"),
        (interval >= MATURE_DAYS, "mature"),
        else_="young",
    )
    rows = dict(db.session.execute(
        select(kind, func.count(Card.id)).join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user.id, Question.archived.is_(False)).group_by(kind)
    ).all())
    return {k: rows.get(k, 0) for k in ("new", "learning", "young", "mature", "suspended")}


def quiz_scores(user: User, limit: int = 50) -> list[tuple[datetime, float]]:
    rows = db.session.execute(
        select(QuizAttempt.finished_at, QuizAttempt.score)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.finished_at.is_not(None))
        .order_by(QuizAttempt.finished_at.desc()).limit(limit)
    ).all()
    return [(at, score) for at, score in reversed(rows)]


@dataclass(frozen=True)
class WeakQuestion:
    question_id: int
    prompt: str
    lapses: int
    quiz_score: float | None
    answers: int


def weakest_questions(user: User, limit: int = 10) -> list[WeakQuestion]:
    """Most lapses first, then lowest mean quiz score: two small top-N queries, merged."""
    quiz = (
        select(QuestionRevision.question_id.label("qid"),
               func.avg(AttemptAnswer.score).label("mean"),
               func.count(AttemptAnswer.id).label("n"))
        .join(AttemptAnswer, AttemptAnswer.question_revision_id == QuestionRevision.id)
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(QuizAttempt.user_id == user.id)
        .group_by(QuestionRevision.question_id).subquery()
    )
    lapsed = dict(db.session.execute(
        select(Card.question_id, Card.lapses).join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user.id, Card.lapses > 0, Question.archived.is_(False))
        .order_by(Card.lapses.desc(), Card.question_id).limit(limit)).all())
    missed = {qid: (mean, n) for qid, mean, n in db.session.execute(
        select(quiz.c.qid, quiz.c.mean, quiz.c.n).join(Question, Question.id == quiz.c.qid)
        .where(quiz.c.mean < 1, Question.archived.is_(False))
        .order_by(quiz.c.mean, quiz.c.qid).limit(limit))}
    ids = set(lapsed) | set(missed)
    if not ids:
        return []
    details = {qid: (prompt, lapses or 0) for qid, prompt, lapses in db.session.execute(
        select(Question.id, Question.prompt, Card.lapses)
        .outerjoin(Card, and_(Card.question_id == Question.id, Card.user_id == user.id))
        .where(Question.id.in_(ids)))}
    means = {qid: mq for qid, *mq in db.session.execute(
        select(quiz.c.qid, quiz.c.mean, quiz.c.n).where(quiz.c.qid.in_(ids)))}
    rows = [WeakQuestion(qid, blanked(details[qid][0]), details[qid][1],
                         means.get(qid, (None, 0))[0], means.get(qid, (None, 0))[1])
            for qid in ids]
    rows.sort(key=lambda w: (-w.lapses, 1.0 if w.quiz_score is None else w.quiz_score,
                             w.question_id))
    return rows[:limit]


@dataclass(frozen=True)
class Dashboard:
    due_today: int
    due_tomorrow: int
    forecast: list[int]
    history: list[tuple[datetime, int]]
    streak: int
    retention: dict[int, tuple[float | None, int]]
    banks: list[Mastery]
    counts: dict[str, int]
    quiz_scores: list[tuple[datetime, float]]
    weakest: list[WeakQuestion]


def dashboard(user: User, now: datetime) -> Dashboard:
    forecast = due_forecast(user, now)
    history = reviews_per_day(user, now)
    return Dashboard(
        due_today=forecast[0],
        due_tomorrow=forecast[1],
        forecast=forecast,
        history=history,
        streak=streak([n > 0 for _, n in history]),
        retention=retention(user, now),
        banks=mastery_by_bank(user, now),
        counts=card_counts(user),
        quiz_scores=quiz_scores(user),
        weakest=weakest_questions(user),
    )
