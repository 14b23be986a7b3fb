"""Flashcard study: enrolment, the daily queue, reviews (exactly once), undo, bury, suspend.

Quiz answers come through `record_quiz_review`, so quizzes and flashcards feed one
memory model: within the learner's choice of banks and topics, and the daily new-card limit.

Services change and flush; the unit of work (`quizapp.unit_of_work`) commits. The study
page and a review cost a fixed number of indexed statements whatever the learner's card
count (as Anki: counts capped by the day's limits, the next card by one ordered query).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from quizapp import unit_of_work
from quizapp.domain import scheduling
from quizapp.domain.scheduling import CardState, DailyLimits, SchedulerSettings
from quizapp.extensions import db
from quizapp.models import (
    Bank,
    Card,
    Enrolment,
    Question,
    QuestionRevision,
    QuestionTag,
    Review,
    User,
)
from quizapp.models.classes import LEARNER as CLASS_LEARNER
from quizapp.models.classes import Assignment, ClassMember
from quizapp.models.study import ReviewUndo
from quizapp.models.types import UTCDateTime
from quizapp.services import catalogue
from quizapp.services.errors import Conflict, NotFound, ServiceError

LEARN_AHEAD = timedelta(minutes=20)  # as Anki: show a learning card early rather than wait
LEARNING_SHOWN = 1000  # learning is not limited per day (as Anki); its count stops here
UNDO_LIMIT = 20  # flashcard reviews a learner can take back in a row
UNDO_KEPT = timedelta(days=1)  # how long an undo's submission id is remembered


def scheduler_settings(user: User) -> SchedulerSettings:
    params = user.fsrs_parameters
    return SchedulerSettings(
        desired_retention=float(user.setting("desired_retention")),
        parameters=tuple(params) if params else None,
    )


def assigned_extra_new(user_id: int, now: datetime) -> int:
    """The new cards a day a learner's open study assignments add to their own limit: the
    largest of them (two classes asking for 20 more give 20 more, not 40)."""
    return db.session.scalar(
        select(func.coalesce(func.max(Assignment.extra_new_per_day), 0))
        .join(ClassMember, ClassMember.class_id == Assignment.class_id)
        .where(ClassMember.user_id == user_id, ClassMember.role == CLASS_LEARNER,
               Assignment.kind == "study", Assignment.due_at >= now)) or 0


def limits(user: User, now: datetime) -> DailyLimits:
    return DailyLimits(
        new_per_day=int(user.setting("new_per_day")) + assigned_extra_new(user.id, now),
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
        catalogue.open_bank(bank_id, db.session.get(User, user_id))  # a draft: not found
        try:
            with db.session.begin_nested():  # a racing enrolment in the same bank wins
                enrolment = Enrolment(user_id=user_id, bank_id=bank_id, created_at=now)
                db.session.add(enrolment)
        except IntegrityError:
            enrolment = db.session.scalar(select(Enrolment).where(
                Enrolment.user_id == user_id, Enrolment.bank_id == bank_id).with_for_update())
    enrolment.tags = sorted(set(tags))
    db.session.flush()
    ensure_cards(now, user_id=user_id, bank_id=bank_id)
    return enrolment


def unenrol(user_id: int, bank_id: int) -> None:
    """Stop studying a bank; its cards and history are kept for a later return."""
    unit_of_work.write()
    db.session.execute(delete(Enrolment).where(Enrolment.user_id == user_id,
                                               Enrolment.bank_id == bank_id))


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


def _tags_of(enrolment_tags) -> Select:
    """The ticked topics of an enrolment's JSON list, as rows of one `value` column."""
    if db.session.get_bind().dialect.name == "postgresql":
        elements = func.json_array_elements_text(enrolment_tags)
    else:
        elements = func.json_each(enrolment_tags)
    return elements.table_valued("value")


def chosen(user_id: int) -> ColumnElement[bool]:
    """A condition on Question: among the learner's enrolled banks, and in it among the
    ticked topics (none ticked: every topic). One fixed, correlated condition whatever the
    number of enrolments: the enrolment by its unique (user, bank) key, the topics by
    question_tag's key."""
    ticked = _tags_of(Enrolment.tags)
    enrolled = select(literal(1)).where(
        Enrolment.user_id == user_id, Enrolment.bank_id == Question.bank_id,
        or_(func.coalesce(func.json_array_length(Enrolment.tags), 0) == 0,
            select(QuestionTag.tag).where(QuestionTag.question_id == Question.id,
                                          QuestionTag.tag == ticked.c.value)
            .correlate_except(QuestionTag, ticked).exists()),
    ).correlate(Question)
    if db.session.get_bind().dialect.name == "postgresql":
        # OFFSET 0 keeps the EXISTS a check on each card the index range yields: pulled up
        # into a semi-join, the planner hashed every question of the site (a sequential
        # scan of 100,000 questions per count, 580 ms for a 100,000-card learner).
        enrolled = enrolled.offset(0)
    return enrolled.exists()


def _studyable(user_id: int, now: datetime, *columns) -> Select:
    """Cards of the learner's chosen banks and topics, live, not suspended or buried."""
    return (
        select(*(columns or (Card,)))
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


_LEARNING = (scheduling.LEARNING, scheduling.RELEARNING)


def _count(query: Select, cap) -> ColumnElement[int]:
    """Rows of `query`, counting at most `cap` (a scalar subquery): the daily limits bound
    every count, so a learner with 100,000 new cards costs no more than one with 20."""
    ranged = query.order_by(Card.due, Card.id).limit(cap)  # the index's order: a range read
    return select(func.count()).select_from(ranged.subquery()).scalar_subquery()


def _param(name: str, type_=Integer):
    return bindparam(name, type_=type_)


def _queue_statements() -> tuple[Select, Select, Select]:
    """The queue's three statements, built once per dialect (only parameters vary, so
    SQLAlchemy's compiled cache serves them)."""
    dialect = db.session.get_bind().dialect.name
    if dialect in _QUEUE_STATEMENTS:
        return _QUEUE_STATEMENTS[dialect]
    now, tomorrow = _param("now", UTCDateTime), _param("tomorrow", UTCDateTime)
    new_left, reviews_left = _param("new_left"), _param("reviews_left")
    base = _studyable(_param("user_id"), now, Card.id, Card.due)
    review, new = Card.state == scheduling.REVIEW, Card.state == scheduling.NEW
    counts = select(
        _count(base.where(new), new_left),
        sum(_count(base.where(Card.state == state, Card.due < tomorrow),
                   _param("learning_shown")) for state in _LEARNING),
        _count(base.where(review, Card.due < tomorrow), reviews_left),
    )
    # One pick per (queue, state), so that each reads its own range of the index in order
    # and stops at the first card shown (an IN over the states would scan every due card).
    picks = [(1, base.where(Card.state == state, Card.due <= now)) for state in _LEARNING]
    picks.append((2, base.where(review, Card.due <= now, reviews_left > 0)))
    picks.append((3, base.where(new, new_left > 0)))  # created in question order
    picks += [(4, base.where(Card.state == state, Card.due <= _param("ahead", UTCDateTime)))
              for state in _LEARNING]
    ordered = union_all(*(
        select(pick.c.id, pick.c.due, literal(rank).label("rank"))
        for rank, query in picks
        for pick in [query.order_by(Card.due, Card.id).limit(1).subquery()]
    )).subquery()
    first = (select(ordered.c.id).order_by(ordered.c.rank, ordered.c.due, ordered.c.id)
             .limit(1).scalar_subquery())
    card = (select(Card).join(Card.question).options(contains_eager(Card.question))
            .where(Card.id == first))
    done = select(
        base.with_only_columns(func.min(Card.due)).where(Card.state != scheduling.NEW)
        .scalar_subquery(),
        and_(new_left == 0, base.where(new).exists()),
    )
    _QUEUE_STATEMENTS[dialect] = counts, card, done
    return counts, card, done


_QUEUE_STATEMENTS: dict[str, tuple[Select, Select, Select]] = {}


def queue(user: User, now: datetime) -> Queue:
    """The next card and what is left today: learning first, then reviews, then new.

    Four statements (five on the done screen), whatever the card count: the extra new
    cards the learner's open study goals allow (one indexed look-up of their classes),
    then three reading ranges of ix_card_user_id_state_due_id in order and stopping at the
    day's limit: today's done counts, the three counts in one SELECT, and the next card
    (one ordered pick per queue, in one UNION)."""
    tz = user.setting("timezone")
    tomorrow = scheduling.next_day_start(now, tz)
    start = scheduling.day_start(now, tz)
    new_left, reviews_left = scheduling.remaining(limits(user, now), *done_today(user.id, start))
    params = {"user_id": user.id, "now": now, "tomorrow": tomorrow, "ahead": now + LEARN_AHEAD,
              "new_left": new_left, "reviews_left": reviews_left,
              "learning_shown": LEARNING_SHOWN}
    counts_q, card_q, done_q = _queue_statements()
    counts = QueueCounts(*db.session.execute(counts_q, params).one())
    card = db.session.scalar(card_q, params)
    next_due = None
    if card is None:
        next_due, more_new = db.session.execute(done_q, params).one()
        if next_due is not None and next_due.tzinfo is None:  # SQLite keeps no zone
            next_due = next_due.replace(tzinfo=UTC)
        if more_new:
            next_due = min(next_due, tomorrow) if next_due else tomorrow
    return Queue(card, counts, next_due)


def current_snapshot(card: Card) -> dict:
    """The question's current revision, as the card shows it (one indexed statement)."""
    return db.session.scalar(select(QuestionRevision.snapshot).where(
        QuestionRevision.question_id == card.question_id,
        QuestionRevision.number == card.question.revision))


# --- reviews ----------------------------------------------------------------

@dataclass(frozen=True)
class ReviewResult:
    review: Review
    applied: bool  # False: this submission id was seen before and is only acknowledged


def _own_card(user_id: int, card_id: int) -> Card:
    """The learner's card, locked and fresh: concurrent changes to it go one by one."""
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
    if rating not in scheduling.RATINGS:
        raise ServiceError("A grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    if duration_ms is not None and not 0 <= duration_ms <= 24 * 3600 * 1000:
        duration_ms = None
    unit_of_work.write()
    user = db.session.get(User, user_id)
    card = _own_card(user_id, card_id)  # locks the card: concurrent grades go one by one
    earlier = _previous(user_id, submission_id)
    if earlier is not None:
        return ReviewResult(earlier, applied=False)
    try:
        with db.session.begin_nested():  # the same id on another card, by a racing request
            review = _apply(user, card, rating, now, origin="flashcard",
                            submission_id=submission_id, duration_ms=duration_ms)
    except IntegrityError:
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
    None when nothing was recorded. Runs inside the quiz's unit of work: flushes only."""
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
        new_left, _ = scheduling.remaining(limits(user, now), *done_today(user_id, start))
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
    review = _apply(user, card, scheduling.answer_rating(score, correct), now, origin="quiz",
                    submission_id=submission_id, duration_ms=None)
    db.session.flush()
    return review


# --- undo -------------------------------------------------------------------

@dataclass(frozen=True)
class UndoResult:
    card: Card
    applied: bool  # False: this undo's submission id was seen before and is only acknowledged


def undo_last(user_id: int, now: datetime, *, submission_id: str | None = None) -> UndoResult:
    """Take back the learner's newest flashcard review: its card returns exactly to its
    state before it, and the review leaves the log.

    The undo stack is the learner's own flashcard reviews, newest first, taken back one at
    a time up to UNDO_LIMIT in a row (a new review starts the count again). Quiz answers are
    not undone here; a card answered in a quiz after the review is refused (409): undoing
    would silently drop the quiz's effect on the card. A repeated submission id is
    acknowledged, not applied again (it is remembered for UNDO_KEPT)."""
    unit_of_work.write()
    # The learner's row, locked: their undos go one by one (grades lock only their card).
    # NO KEY UPDATE: a grade's review insert takes KEY SHARE on it (its foreign key), and a
    # plain FOR UPDATE would deadlock with a grade holding the card this undo waits for.
    db.session.scalar(select(User.id).where(User.id == user_id)
                      .with_for_update(key_share=True))
    if submission_id:
        earlier = db.session.scalar(select(ReviewUndo).where(
            ReviewUndo.user_id == user_id, ReviewUndo.submission_id == submission_id))
        if earlier is not None:
            return UndoResult(_own_card(user_id, earlier.card_id), applied=False)
    review, card = _newest_flashcard_review(user_id)
    last = db.session.scalar(select(ReviewUndo).where(ReviewUndo.user_id == user_id)
                             .order_by(ReviewUndo.id.desc()).limit(1))
    # In a run when no flashcard review came since the last undo (ids only grow, and
    # SQLite reuses the removed id for the next review: hence "<").
    depth = last.depth + 1 if last is not None and review.id < last.review_id else 1
    if depth > UNDO_LIMIT:
        raise ServiceError(f"You can undo at most your last {UNDO_LIMIT} reviews in a row.")
    _store(card, CardState.from_dict(review.state_before))
    db.session.delete(review)
    db.session.execute(delete(ReviewUndo).where(ReviewUndo.user_id == user_id,
                                                ReviewUndo.undone_at < now - UNDO_KEPT,
                                                ReviewUndo.id != (last.id if last else 0)))
    db.session.add(ReviewUndo(user_id=user_id, submission_id=submission_id, card_id=card.id,
                              review_id=review.id, depth=depth, undone_at=now))
    db.session.flush()
    return UndoResult(card, applied=True)


def _newest_flashcard_review(user_id: int) -> tuple[Review, Card]:
    """The learner's newest flashcard review and its card, locked. A grade of that card
    from another tab can commit while this waits for the card's lock (grades lock only
    their card): the newer review is then the one to undo, so the choice is made again.
    A quiz answer on the card after the review makes it impossible to undo (409)."""
    for _ in range(3):
        review = db.session.scalar(
            select(Review).where(Review.user_id == user_id, Review.origin == "flashcard")
            .order_by(Review.id.desc()).limit(1))
        if review is None:
            raise ServiceError("There is no review to undo.")
        card = _own_card(user_id, review.card_id)
        newer = db.session.scalars(select(Review.origin).where(
            Review.card_id == card.id, Review.id > review.id)).all()
        if not newer:
            return review, card
        if "flashcard" not in newer:
            raise Conflict("That card was answered in a quiz after your last review, so "
                           "the review can no longer be undone.")
    raise Conflict("Your reviews changed while this undo waited; try again.")


# --- bury and suspend -------------------------------------------------------

def bury(user_id: int, card_id: int, now: datetime) -> Card:
    """Hide a card until the learner's next day starts."""
    unit_of_work.write()
    user = db.session.get(User, user_id)
    card = _own_card(user_id, card_id)
    card.buried_until = scheduling.next_day_start(now, user.setting("timezone"))
    db.session.flush()
    return card


def set_suspended(user_id: int, card_id: int, suspended: bool) -> Card:
    unit_of_work.write()
    card = _own_card(user_id, card_id)
    card.suspended = suspended
    db.session.flush()
    return card


def suspended_cards(user_id: int) -> list[tuple[Card, dict]]:
    """The learner's suspended cards with the snapshot each shows: one statement."""
    rows = db.session.execute(
        select(Card, QuestionRevision.snapshot)
        .join(Question, Question.id == Card.question_id)
        .join(QuestionRevision, and_(QuestionRevision.question_id == Question.id,
                                     QuestionRevision.number == Question.revision))
        .options(contains_eager(Card.question))
        .where(Card.user_id == user_id, Card.suspended.is_(True)).order_by(Card.id))
    return [(card, snapshot) for card, snapshot in rows]


def interval_labels(user: User, card: Card, now: datetime) -> dict[int, str]:
    """What each grade button would schedule, e.g. {1: "1m", 2: "6m", 3: "10m", 4: "8d"}."""
    previews = scheduling.preview(card.id, card_state(card), now, scheduler_settings(user))
    return {rating: scheduling.format_interval(delta) for rating, delta in previews.items()}
