"""An instructor's view of a bank: each learner's progress and each question's statistics."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, union

from quizapp.domain import scheduling
from quizapp.domain.questions import blanked
from quizapp.domain.statistics import ItemFlag, item_flags, pearson_from_sums, ratio
from quizapp.extensions import db
from quizapp.models import (
    AttemptAnswer,
    Bank,
    Card,
    Enrolment,
    Question,
    QuestionRevision,
    QuizAttempt,
    Review,
    Role,
    User,
    bank_editor,
)
from quizapp.models.sql import whole_days_between
from quizapp.models.types import UTCDateTime
from quizapp.services import authoring


def managed_banks(user: User) -> list[Bank]:
    query = select(Bank).where(Bank.archived.is_(False)).order_by(Bank.title)
    if user.role != Role.ADMIN:
        editing = select(bank_editor.c.bank_id).where(bank_editor.c.user_id == user.id)
        query = query.where(or_(Bank.owner_id == user.id, Bank.id.in_(editing)))
    return list(db.session.scalars(query))


def get_bank_for_stats(bank_id: int, user: User) -> Bank:
    """Whoever may edit a bank sees its class: the owner, its editors, administrators."""
    return authoring.get_bank_for_edit(bank_id, user)


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    username: str
    cards_studied: int
    mastered: int
    cards: int
    retention: float | None
    last_active: datetime | None
    quiz_mean: float | None
    quiz_answers: int

    @property
    def mastery(self) -> float | None:
        return ratio(self.mastered, self.cards)


def learners(bank: Bank, now: datetime) -> list[LearnerRow]:
    """One row per learner who studies the bank or answered its questions in a quiz;
    five queries whatever the class size."""
    in_bank = Question.bank_id == bank.id
    elapsed = whole_days_between(Card.last_review, literal(now, UTCDateTime))
    recalled = and_(Card.state == scheduling.REVIEW, elapsed <= Card.stability)
    cards = {uid: (studied, mastered or 0, total) for uid, studied, mastered, total in
             db.session.execute(
                 select(Card.user_id, func.sum(case((Card.reps > 0, 1), else_=0)),
                        func.sum(case((recalled, 1), else_=0)), func.count(Card.id))
                 .join(Question, Question.id == Card.question_id).where(in_bank)
                 .group_by(Card.user_id))}
    month = now - timedelta(days=30)
    reviews = {uid: (passed or 0, n, last) for uid, passed, n, last in db.session.execute(
        select(Review.user_id,
               func.sum(case((and_(Review.previous_state == scheduling.REVIEW,
                                   Review.rating >= 2, Review.reviewed_at >= month), 1),
                             else_=0)),
               func.sum(case((and_(Review.previous_state == scheduling.REVIEW,
                                   Review.reviewed_at >= month), 1), else_=0)),
               func.max(Review.reviewed_at))
        .join(Card, Card.id == Review.card_id).join(Question, Question.id == Card.question_id)
        .where(in_bank).group_by(Review.user_id))}
    quizzes = {uid: (mean, n) for uid, mean, n in db.session.execute(
        select(QuizAttempt.user_id, func.avg(AttemptAnswer.score), func.count(AttemptAnswer.id))
        .join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .join(QuestionRevision, QuestionRevision.id == AttemptAnswer.question_revision_id)
        .join(Question, Question.id == QuestionRevision.question_id)
        .where(in_bank).group_by(QuizAttempt.user_id))}
    involved = union(
        select(Enrolment.user_id).where(Enrolment.bank_id == bank.id),
        select(Card.user_id).join(Question, Question.id == Card.question_id).where(in_bank),
        select(QuizAttempt.user_id)
        .join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .join(QuestionRevision, QuestionRevision.id == AttemptAnswer.question_revision_id)
        .join(Question, Question.id == QuestionRevision.question_id).where(in_bank),
    )
    people = db.session.execute(
        select(User.id, User.username).where(User.id.in_(select(involved.subquery())))
        .order_by(User.username)).all()
    rows = []
    for uid, name in people:
        studied, mastered, total = cards.get(uid, (0, 0, 0))
        passed, n, last = reviews.get(uid, (0, 0, None))
        mean, answers = quizzes.get(uid, (None, 0))
        rows.append(LearnerRow(uid, name, studied or 0, mastered, total, ratio(passed, n or 0),
                               last, mean, answers))
    return rows


@dataclass(frozen=True)
class QuestionRow:
    question_id: int
    key: str
    prompt: str
    attempts: int
    facility: float | None
    discrimination: float | None
    lapse_rate: float | None
    flags: list[ItemFlag]


def question_stats(bank: Bank, *, attempts=None, learners=None) -> list[QuestionRow]:
    """Facility (mean score), discrimination (item vs rest-of-test correlation, as Moodle)
    and flashcard lapse rate per question, from sums the database computes. `attempts` and
    `learners` (selects of ids) narrow it to some quiz attempts and some learners' cards:
    a quiz assignment's item analysis lists the questions its attempts asked."""
    answers = select(AttemptAnswer.attempt_id.label("attempt_id"),
                     func.sum(AttemptAnswer.score).label("total"))
    if attempts is not None:
        answers = answers.where(AttemptAnswer.attempt_id.in_(attempts))
    totals = answers.group_by(AttemptAnswer.attempt_id).subquery()
    x = AttemptAnswer.score
    y = totals.c.total - AttemptAnswer.score
    sums = {row[0]: row[1:] for row in db.session.execute(
        select(QuestionRevision.question_id, func.count(AttemptAnswer.id), func.sum(x),
               func.sum(y), func.sum(x * y), func.sum(x * x), func.sum(y * y))
        .join(AttemptAnswer, AttemptAnswer.question_revision_id == QuestionRevision.id)
        .join(totals, totals.c.attempt_id == AttemptAnswer.attempt_id)
        .join(Question, Question.id == QuestionRevision.question_id)
        .where(Question.bank_id == bank.id)
        .group_by(QuestionRevision.question_id))}
    reviewed = [Question.bank_id == bank.id, Review.previous_state == scheduling.REVIEW]
    if learners is not None:
        reviewed.append(Review.user_id.in_(learners))
    lapses = {qid: (lapsed or 0, n) for qid, lapsed, n in db.session.execute(
        select(Card.question_id,
               func.sum(case((Review.rating == 1, 1), else_=0)), func.count(Review.id))
        .join(Card, Card.id == Review.card_id).join(Question, Question.id == Card.question_id)
        .where(*reviewed)
        .group_by(Card.question_id))}
    listed = select(Question.id, Question.key, Question.prompt).where(
        Question.bank_id == bank.id)
    listed = listed.where(Question.id.in_(list(sums))) if attempts is not None \
        else listed.where(Question.archived.is_(False))
    rows = []
    for qid, key, prompt in db.session.execute(
            listed.order_by(Question.position, Question.id)):
        n, sx, sy, sxy, sxx, syy = sums.get(qid, (0, 0, 0, 0, 0, 0))
        facility = ratio(sx or 0, n)
        discrimination = pearson_from_sums(n, sx or 0, sy or 0, sxy or 0, sxx or 0, syy or 0)
        lapsed, reviewed_n = lapses.get(qid, (0, 0))
        rows.append(QuestionRow(qid, key, blanked(prompt), n, facility, discrimination,
                                ratio(lapsed, reviewed_n), item_flags(n, facility, discrimination)))
    return rows
