"""Flashcard study: enrolment, the daily queue, reviews (exactly once), undo, bury, suspend.

Quiz answers come through `record_quiz_review`, so quizzes and flashcards feed one
memory model: within the learner's choice of banks and topics, and the daily new-card limit.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, false, func, or_, select
from sqlalchemy.exc import IntegrityError

from quizapp import unit_of_work
from quizapp.domain import scheduling
from quizapp.domain.scheduling import CardState, DailyLimits, SchedulerSettings
from quizapp.extensions import db
from quizapp.models import Bank, Card, Enrolment, Question, QuestionTag, Review, User
from quizapp.services.errors import NotFound, ServiceError

LEARN_AHEAD = timedelta(minutes=20)  # as Anki: show a learning card early rather than wait


def scheduler_settings(user: User) -> SchedulerSettings:
    params = user.fsrs_parameters
    return SchedulerSettings(
        desired_retention=float(user.setting("desired_retention")),
        parameters=tuple(params) if params else None,
    )


def limits(user: User) -> DailyLimits:
    return DailyLimits(new_per_day=int(user.setting("new_per_day")),
                       reviews_per_day=int(user.setting("reviews_per_day")))


def card_state(card: Card) -> CardState:
    return CardState(card.state, card.step, card.stability, card.difficulty, card.due,
                     card.last_review, card.reps or 0, card.lapses or 0)


def _store(card: Card, state: CardState) -> None:
    card.state, card.step = state.state, state.step
    card.stability, card.difficulty = state.stability, state.difficulty
    card.due, card.last_review = state.due, state.last_review
    card.reps, card.lapses = state.reps, state.lapses


# --- enrolment --------------------------------------------------------------

def enrolments(user_id: int) -> dict[int, Enrolment]:
    rows = db.session.scalars(select(Enrolment).where(Enrolment.user_id == user_id))
    return {e.bank_id: e for e in rows}


def enrol(user_id: int, bank_id: int, tags: list[str], now: datetime) -> Enrolment:
    unit_of_work.write()
    bank = db.session.get(Bank, bank_id)
    if bank is None or bank.archived:
        raise NotFound("No such question bank.")
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.user_id == user_id, Enrolment.bank_id == bank_id).with_for_update())
    if enrolment is None:
        enrolment = Enrolment(user_id=user_id, bank_id=bank_id, created_at=now)
        db.session.add(enrolment)
    enrolment.tags = sorted(set(tags))
    db.session.flush()
    ensure_cards(now, user_id=user_id, bank_id=bank_id)
    db.session.commit()
    return enrolment


def unenrol(user_id: int, bank_id: int) -> None:
    """Stop studying a bank; its cards and history are kept for a later return."""
    unit_of_work.write()
    db.session.execute(delete(Enrolment).where(Enrolment.user_id == user_id,
                                               Enrolment.bank_id == bank_id))
    db.session.commit()


def ensure_cards(now: datetime, *, user_id: int | None = None, bank_id: int | None = None,
                 question_ids: list[int] | None = None) -> int:
    """Create the missing new cards of enrolled learners: of one learner, one bank, or only
    of `question_ids` (a saved question: one indexed look-up per learner enrolled in its
    bank, rather than every learner times every question).

    Called when a learner enrols and when questions are added to a bank, so that
    reading the queue never has to write.
    """
    query = (
        select(Enrolment.user_id, Question.id, Question.tags, Enrolment.tags)
        .join(Enrolment, Enrolment.bank_id == Question.bank_id)
        .outerjoin(Card, and_(Card.question_id == Question.id,
                              Card.user_id == Enrolment.user_id))
        .where(Card.id.is_(None), Question.archived.is_(False))
    )
    if user_id is not None:
        query = query.where(Enrolment.user_id == user_id)
    if bank_id is not None:
        query = query.where(Question.bank_id == bank_id)
    if question_ids is not None:
        if not question_ids:
            return 0
        query = query.where(Question.id.in_(question_ids))
    query = query.order_by(Enrolment.user_id, Question.bank_id, Question.position, Question.id)
    missing = [(uid, qid) for uid, qid, qtags, wanted in db.session.execute(query)
               if not wanted or set(wanted) & set(qtags or [])]
    if missing:
        db.session.execute(Card.__table__.insert(), [
            {"user_id": uid, "question_id": qid, "state": 0, "due": now, "reps": 0,
             "lapses": 0, "suspended": False} for uid, qid in missing
        ])
    return len(missing)


# --- the queue --------------------------------------------------------------

@dataclass(frozen=True)
class QueueCounts:
    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class Queue:
    card: Card | None
    counts: QueueCounts
    next_due: datetime | None  # when something is due again, for the "done" screen


def chosen(user_id: int) -> ColumnElement[bool]:
    """A condition on Question: the learner's choice, their enrolled banks and in each the
    ticked topics (none ticked: every topic)."""
    whole, narrowed = [], []
    for enrolment in enrolments(user_id).values():
        if enrolment.tags:
            narrowed.append(and_(Question.bank_id == enrolment.bank_id, Question.id.in_(
                select(QuestionTag.question_id).where(QuestionTag.tag.in_(enrolment.tags)))))
        else:
            whole.append(enrolment.bank_id)
    conditions = [Question.bank_id.in_(whole)] if whole else []
    return or_(false(), *conditions, *narrowed)


def _studyable(user_id: int, now: datetime):
    """Cards of the learner's chosen banks and topics, live, not suspended or buried."""
    return (
        select(Card)
        .join(Question, Question.id == Card.question_id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Card.user_id == user_id, Card.suspended.is_(False), chosen(user_id),
               Question.archived.is_(False), Bank.archived.is_(False),
               or_(Card.buried_until.is_(None), Card.buried_until <= now))
    )


def done_today(user_id: int, since: datetime) -> tuple[int, int]:
    """(new cards introduced by flashcard or quiz, flashcard reviews done) since the day
    began: a quiz that starts a card uses up the day's new-card limit as a flashcard does."""
    rows = db.session.execute(
        select(Review.origin, Review.previous_state, func.count())
        .where(Review.user_id == user_id, Review.reviewed_at >= since)
        .group_by(Review.origin, Review.previous_state)
    ).all()
    new = sum(n for _, state, n in rows if state == scheduling.NEW)
    reviews = sum(n for origin, state, n in rows
                  if origin == "flashcard" and state != scheduling.NEW)
    return new, reviews


def queue(user: User, now: datetime) -> Queue:
    """The next card and what is left today: learning first, then reviews, then new."""
    tz = user.setting("timezone")
    start = scheduling.day_start(now, tz)
    tomorrow = scheduling.next_day_start(now, tz)
    new_left, reviews_left = scheduling.remaining(limits(user), *done_today(user.id, start))
    base = _studyable(user.id, now)

    def first(query):
        return db.session.scalar(query.order_by(Card.due, Card.id).limit(1))

    def count(query, cap: int | None = None) -> int:
        """Rows of `query`, counting at most `cap`: the daily limits bound every count,
        so a learner with 100,000 new cards costs no more than one with 20."""
        if cap is not None:
            if cap <= 0:
                return 0
            query = query.limit(cap)
        return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0

    learning_q = base.where(or_(Card.state == 1, Card.state == 3), Card.due < tomorrow)
    review_q = base.where(Card.state == 2, Card.due < tomorrow)
    new_q = base.where(Card.state == 0)
    counts = QueueCounts(
        new=count(new_q, new_left),
        learning=count(learning_q),
        review=count(review_q, reviews_left),
    )
    card = first(learning_q.where(Card.due <= now))
    if card is None and counts.review:
        card = first(review_q.where(Card.due <= now)) or None
    if card is None and counts.new:
        card = first(new_q)  # new cards were created in question order: due, then id
    if card is None:
        card = first(learning_q.where(Card.due <= now + LEARN_AHEAD))
    next_due = None
    if card is None:
        scheduled = base.where(Card.state != 0).subquery()
        next_due = db.session.scalar(select(func.min(scheduled.c.due)))
        if next_due is not None and next_due.tzinfo is None:  # SQLite keeps no zone
            next_due = next_due.replace(tzinfo=UTC)
        if counts.new == 0 and new_left == 0 and count(new_q, 1):
            next_due = min(next_due, tomorrow) if next_due else tomorrow
    return Queue(card, counts, next_due)


# --- reviews ----------------------------------------------------------------

@dataclass(frozen=True)
class ReviewResult:
    review: Review
    applied: bool  # False: this submission id was seen before and is only acknowledged


def _own_card(user_id: int, card_id: int) -> Card:
    card = db.session.scalar(select(Card).where(Card.id == card_id, Card.user_id == user_id)
                             .with_for_update())
    if card is None:
        raise NotFound("No such card.")
    return card


def _previous(user_id: int, submission_id: str | None) -> Review | None:
    if not submission_id:
        return None
    return db.session.scalar(select(Review).where(Review.user_id == user_id,
                                                  Review.submission_id == submission_id))


def _apply(user: User, card: Card, rating: int, now: datetime, *, origin: str,
           submission_id: str | None, duration_ms: int | None) -> Review:
    before = card_state(card)
    outcome = scheduling.review(card.id, before, rating, now, scheduler_settings(user))
    review = Review(
        card_id=card.id, user_id=user.id, rating=rating, reviewed_at=now,
        duration_ms=duration_ms, origin=origin, state_before=before.to_dict(),
        previous_state=before.state, recall_probability=outcome.recall_probability,
        submission_id=submission_id,
    )
    _store(card, outcome.new_state)
    card.buried_until = None
    db.session.add(review)
    return review


def answer_card(user_id: int, card_id: int, rating: int, now: datetime, *,
                submission_id: str | None = None, duration_ms: int | None = None) -> ReviewResult:
    """Grade a flashcard once: a repeated submission id is acknowledged, not applied."""
    unit_of_work.write()
    if rating not in scheduling.RATINGS:
        raise ServiceError("A grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    if duration_ms is not None and not 0 <= duration_ms <= 24 * 3600 * 1000:
        duration_ms = None
    user = db.session.get(User, user_id)
    card = _own_card(user_id, card_id)  # locks the card: concurrent grades go one by one
    earlier = _previous(user_id, submission_id)
    if earlier is not None:
        db.session.commit()
        return ReviewResult(earlier, applied=False)
    review = _apply(user, card, rating, now, origin="flashcard", submission_id=submission_id,
                    duration_ms=duration_ms)
    try:
        db.session.commit()
    except IntegrityError:  # the same submission id committed by a racing request
        db.session.rollback()
        earlier = _previous(user_id, submission_id)
        if earlier is None:
            raise
        return ReviewResult(earlier, applied=False)
    return ReviewResult(review, applied=True)


def record_quiz_review(user_id: int, question_id: int, *, score: float, correct: bool,
                       now: datetime, submission_id: str) -> Review | None:
    """A quiz answer as a review of the learner's card (`scheduling.answer_rating`: right
    Good, partly right Hard, wrong Again), for a question among the flashcards they chose.
    A card not started yet is started only while today's new-card limit has room.
    None when nothing was recorded. The caller commits."""
    unit_of_work.write()
    if _previous(user_id, submission_id) is not None:
        return None
    if db.session.scalar(select(Question.id).where(Question.id == question_id,
                                                   chosen(user_id))) is None:
        return None
    user = db.session.get(User, user_id)
    card = db.session.scalar(select(Card).where(Card.user_id == user_id,
                                                Card.question_id == question_id)
                             .with_for_update())
    if card is None or card.state == scheduling.NEW:
        start = scheduling.day_start(now, user.setting("timezone"))
        new_left, _ = scheduling.remaining(limits(user), *done_today(user_id, start))
        if new_left <= 0:
            return None
    if card is None:
        try:
            with db.session.begin_nested():
                card = Card(user_id=user_id, question_id=question_id, state=0, due=now,
                            reps=0, lapses=0, suspended=False)
                db.session.add(card)
        except IntegrityError:
            card = db.session.scalar(select(Card).where(
                Card.user_id == user_id, Card.question_id == question_id).with_for_update())
    return _apply(user, card, scheduling.answer_rating(score, correct), now, origin="quiz",
                  submission_id=submission_id, duration_ms=None)


def undo_last(user_id: int) -> Card:
    """Take back the learner's last flashcard review: the card returns to its state before."""
    unit_of_work.write()
    review = db.session.scalar(
        select(Review).where(Review.user_id == user_id, Review.origin == "flashcard")
        .order_by(Review.id.desc()).limit(1).with_for_update())
    if review is None:
        raise ServiceError("There is no review to undo.")
    card = _own_card(user_id, review.card_id)
    _store(card, CardState.from_dict(review.state_before))
    db.session.delete(review)
    db.session.commit()
    return card


def bury(user_id: int, card_id: int, now: datetime) -> Card:
    """Hide a card until the learner's next day starts."""
    unit_of_work.write()
    user = db.session.get(User, user_id)
    card = _own_card(user_id, card_id)
    card.buried_until = scheduling.next_day_start(now, user.setting("timezone"))
    db.session.commit()
    return card


def set_suspended(user_id: int, card_id: int, suspended: bool) -> Card:
    unit_of_work.write()
    card = _own_card(user_id, card_id)
    card.suspended = suspended
    db.session.commit()
    return card


def suspended_cards(user_id: int) -> list[Card]:
    return list(db.session.scalars(
        select(Card).where(Card.user_id == user_id, Card.suspended.is_(True)).order_by(Card.id)))


def interval_labels(user: User, card: Card, now: datetime) -> dict[int, str]:
    """What each grade button would schedule, e.g. {1: "1m", 2: "6m", 3: "10m", 4: "8d"}."""
    previews = scheduling.preview(card.id, card_state(card), now, scheduler_settings(user))
    return {rating: scheduling.format_interval(delta) for rating, delta in previews.items()}
