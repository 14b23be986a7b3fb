"""Classes: roster, join codes, linked banks, assignments and what the class remembers.

A teacher sees a learner's activity only in the banks linked to a class they share: every
read of cards and attempts below is limited to the class's banks and assignments."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import (
    JSON,
    Integer,
    Text,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    type_coerce,
    union_all,
)

from quizapp import unit_of_work
from quizapp.domain import quiz as rules
from quizapp.extensions import db
from quizapp.models import (
    Bank,
    Card,
    Enrolment,
    Question,
    QuestionTag,
    QuizAttempt,
    User,
    bank_editor,
)
from quizapp.models.classes import (
    LEARNER,
    TEACHER,
    Assignment,
    AssignmentAttempt,
    ClassMember,
    SchoolClass,
    class_bank,
)
from quizapp.models.sql import at_least_zero, whole_days_between
from quizapp.models.types import UTCDateTime, utcnow
from quizapp.qtypes.registry import LABELS
from quizapp.services import authoring, class_stats, quizzes, study, topics
from quizapp.services.errors import Conflict, Forbidden, NotFound, ServiceError

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
BAD_CODE = "That join code is not valid (or no longer). Ask your teacher for the current one."
# FSRS forgetting curve R(t) = (1 + FACTOR * t / S) ** DECAY, t in whole days (py-fsrs 6).
DECAY = -float(DEFAULT_PARAMETERS[20])
FACTOR = 0.9 ** (1 / DECAY) - 1


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:32]


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ServiceError("Choose a time zone such as Europe/Paris.", field="time_zone") from None
    return name


def assignable_banks(user: User) -> list[Bank]:
    """The banks a teacher may link to a class: theirs (owner or editor), published and not
    archived (a class's learners must be able to open them)."""
    query = (select(Bank).where(Bank.archived.is_(False), Bank.published_at.is_not(None))
             .order_by(Bank.title, Bank.id))
    if not user.is_admin:
        edited = select(bank_editor.c.bank_id).where(bank_editor.c.user_id == user.id)
        query = query.where(or_(Bank.owner_id == user.id, Bank.id.in_(edited)))
    return list(db.session.scalars(query))


# -- loading with access -------------------------------------------------------------------

def membership(class_id: int, user_id: int) -> ClassMember | None:
    return db.session.scalar(select(ClassMember).where(
        ClassMember.class_id == class_id, ClassMember.user_id == user_id))


def get_class(class_id: int, user: User, *, teach: bool = False, lock: bool = False
              ) -> SchoolClass:
    """The class for a member (`teach`: for a teacher of it; admins may do both). Anyone
    else is told it does not exist; a learner asking to teach is refused."""
    query = select(SchoolClass).where(SchoolClass.id == class_id)
    if lock:
        query = query.with_for_update()
    klass = db.session.scalar(query)
    if klass is None:
        raise NotFound("No such class.")
    if user.is_admin:
        return klass
    member = membership(class_id, user.id)
    if member is None:
        raise NotFound("No such class.")
    if teach and member.role != TEACHER:
        raise Forbidden("Only the class's teachers can do that.")
    return klass


def classes_of(user: User) -> list[tuple[SchoolClass, str]]:
    rows = db.session.execute(
        select(SchoolClass, ClassMember.role).join(ClassMember)
        .where(ClassMember.user_id == user.id).order_by(SchoolClass.name, SchoolClass.id))
    return [(k, role) for k, role in rows]


def roster(class_id: int) -> list[tuple[User, str]]:
    rows = db.session.execute(
        select(User, ClassMember.role).join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == class_id).order_by(ClassMember.role.desc(), User.username))
    return [(u, role) for u, role in rows]


def linked_banks(class_id: int) -> list[Bank]:
    return list(db.session.scalars(
        select(Bank).join(class_bank, class_bank.c.bank_id == Bank.id)
        .where(class_bank.c.class_id == class_id).order_by(Bank.title, Bank.id)))


# -- the class and its roster --------------------------------------------------------------

def create_class(owner: User, *, name: str, time_zone: str = "UTC", starts_on: date | None = None,
                 ends_on: date | None = None, capacity: int | None = None) -> SchoolClass:
    if not (owner.is_instructor or owner.is_admin):
        raise Forbidden("Only instructors create classes.")
    name = (name or "").strip()
    if not 1 <= len(name) <= 120:
        raise ServiceError("Give the class a name (up to 120 characters).", field="name")
    check_zone(time_zone)
    if starts_on and ends_on and ends_on < starts_on:
        raise ServiceError("The term ends after it starts.", field="ends_on")
    if capacity is not None and not 1 <= capacity <= 10_000:
        raise ServiceError("A class holds 1 to 10,000 learners.", field="capacity")
    unit_of_work.write()
    klass = SchoolClass(name=name, owner_id=owner.id, time_zone=time_zone, starts_on=starts_on,
                        ends_on=ends_on, capacity=capacity, join_code=new_code())
    db.session.add(klass)
    db.session.flush()
    db.session.add(ClassMember(class_id=klass.id, user_id=owner.id, role=TEACHER))
    db.session.flush()
    return klass


def regenerate_code(class_id: int, user: User, *, expires_at: datetime | None = None) -> str:
    unit_of_work.write()
    klass = get_class(class_id, user, teach=True, lock=True)
    klass.join_code = new_code()
    klass.code_expires_at = expires_at
    db.session.flush()
    return klass.join_code


def _enrol(user_id: int, bank_id: int, tags: list[str]) -> None:
    """Make sure the learner studies the bank: assigned topics join their enrolment (the
    whole bank if assigned whole) and its new cards their daily queue, within their limits."""
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.user_id == user_id, Enrolment.bank_id == bank_id).with_for_update())
    if enrolment is None:
        wanted = sorted(tags)
    elif enrolment.tags and tags:
        wanted = sorted(set(enrolment.tags) | set(tags))
    else:
        wanted = []  # the whole bank: already, or now assigned
    study.enrol(user_id, bank_id, wanted, utcnow())


def _enrol_in_assignments(klass: SchoolClass, user_id: int) -> None:
    for a in klass.assignments:
        if a.kind == "study":
            _enrol(user_id, a.bank_id, a.tags)


def _add_member(klass: SchoolClass, user: User, role: str) -> ClassMember:
    existing = membership(klass.id, user.id)
    if existing is not None:
        if role == TEACHER and existing.role != TEACHER:
            existing.role = TEACHER
        return existing
    if role == LEARNER and klass.capacity is not None:
        learners = db.session.scalar(select(func.count()).select_from(ClassMember).where(
            ClassMember.class_id == klass.id, ClassMember.role == LEARNER))
        if learners >= klass.capacity:
            raise Conflict("This class is full; ask your teacher.")
    member = ClassMember(class_id=klass.id, user_id=user.id, role=role)
    db.session.add(member)
    if role == LEARNER:
        _enrol_in_assignments(klass, user.id)
    db.session.flush()
    return member


def join(user: User, code: str, now: datetime) -> SchoolClass:
    """Join with a code. A wrong, expired or unknown code gets one message, whatever exists."""
    code = normal_code(code)
    if len(code) != CODE_LENGTH:
        raise ServiceError(BAD_CODE, field="code")
    unit_of_work.write()
    klass = db.session.scalar(
        select(SchoolClass).where(SchoolClass.join_code == code).with_for_update())
    if klass is None or (klass.code_expires_at is not None and klass.code_expires_at <= now):
        raise ServiceError(BAD_CODE, field="code")
    member = membership(klass.id, user.id)
    if member is not None:
        return klass
    _add_member(klass, user, LEARNER)
    return klass


def add_by_username(class_id: int, teacher: User, username: str, *, role: str = LEARNER
                    ) -> User:
    if role not in (LEARNER, TEACHER):
        raise ServiceError("Choose learner or co-teacher.", field="role")
    unit_of_work.write()
    klass = get_class(class_id, teacher, teach=True, lock=True)
    user = db.session.scalar(select(User).where(
        func.lower(User.username) == (username or "").strip().lower()))
    if user is None:
        raise ServiceError("No user has that username.", field="username")
    if role == TEACHER and not (user.is_instructor or user.is_admin):
        raise ServiceError("A co-teacher must be an instructor.", field="username")
    _add_member(klass, user, role)
    return user


def remove_member(class_id: int, teacher: User, user_id: int) -> None:
    """Take someone off the roster; their cards and reviews stay theirs."""
    unit_of_work.write()
    klass = get_class(class_id, teacher, teach=True, lock=True)
    if user_id == klass.owner_id:
        raise ServiceError("The class's owner stays on its roster.")
    member = membership(class_id, user_id)
    if member is None:
        raise NotFound("That user is not in this class.")
    db.session.delete(member)
    db.session.flush()


def leave(class_id: int, user: User) -> None:
    unit_of_work.write()
    klass = get_class(class_id, user, lock=True)
    if user.id == klass.owner_id:
        raise ServiceError("The owner cannot leave their class; delete it instead.")
    member = membership(class_id, user.id)
    if member is not None:
        db.session.delete(member)
        db.session.flush()


def delete_class(class_id: int, user: User) -> None:
    """Delete the class, its roster and assignments; every learner's cards, reviews and
    quiz attempts stay."""
    unit_of_work.write()
    klass = get_class(class_id, user, teach=True, lock=True)
    if not user.is_admin and klass.owner_id != user.id:
        raise Forbidden("Only the class's owner deletes it.")
    db.session.execute(delete(SchoolClass).where(SchoolClass.id == class_id))
    db.session.expunge(klass)


def link_bank(class_id: int, user: User, bank_id: int) -> None:
    unit_of_work.write()
    get_class(class_id, user, teach=True, lock=True)
    if bank_id not in {b.id for b in assignable_banks(user)}:
        raise ServiceError("Choose one of your banks.", field="bank_id")
    linked = db.session.scalar(select(func.count()).select_from(class_bank).where(
        class_bank.c.class_id == class_id, class_bank.c.bank_id == bank_id))
    if not linked:
        db.session.execute(insert(class_bank).values(class_id=class_id, bank_id=bank_id))


def _linked(class_id: int, bank_id: int) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(class_bank).where(
        class_bank.c.class_id == class_id, class_bank.c.bank_id == bank_id)))


# -- assignments -----------------------------------------------------------------------------

def _title(title: str) -> str:
    title = (title or "").strip()
    if not 1 <= len(title) <= 120:
        raise ServiceError("Give the assignment a title (up to 120 characters).", field="title")
    return title


def _bank_tags(bank_id: int, tags: list[str]) -> list[str]:
    if not tags:
        return []
    known: set[str] = set()
    for (qtags,) in db.session.execute(select(Question.tags).where(
            Question.bank_id == bank_id, Question.archived.is_(False))):
        known.update(qtags or [])
    unknown = sorted(set(tags) - known)
    if unknown:
        raise ServiceError("These topics are not in the bank: " + ", ".join(unknown[:5]),
                           field="tags")
    return sorted(set(tags))


def create_study(class_id: int, user: User, *, title: str, bank_id: int, tags: list[str],
                 goal: float, due_at: datetime, extra_new_per_day: int = 0) -> Assignment:
    title = _title(title)
    if not 0.05 <= goal <= 1:
        raise ServiceError("A goal is 5% to 100% mastered.", field="goal")
    if not 0 <= extra_new_per_day <= 200:
        raise ServiceError("Allow 0 to 200 more new cards a day.", field="extra_new_per_day")
    unit_of_work.write()
    klass = get_class(class_id, user, teach=True, lock=True)
    if not _linked(class_id, bank_id):
        raise ServiceError("Link the bank to the class first.", field="bank_id")
    tags = _bank_tags(bank_id, tags)
    assignment = Assignment(class_id=class_id, kind="study", title=title, bank_id=bank_id,
                            tags=tags, goal=goal, due_at=due_at,
                            extra_new_per_day=extra_new_per_day)
    db.session.add(assignment)
    for member in db.session.scalars(select(ClassMember).where(
            ClassMember.class_id == klass.id, ClassMember.role == LEARNER)):
        _enrol(member.user_id, bank_id, tags)
    db.session.flush()
    return assignment


def _chosen_questions(bank_id: int, tags: list[str], types: list[str], keys: list[str]
                      ) -> list[int] | None:
    """The ids of the questions a quiz assignment names by key (None: drawn from the bank);
    refused when a key is not in the bank or nothing matches the topics and types."""
    unknown = sorted(set(types) - set(LABELS))
    if unknown:
        raise ServiceError("Unknown question types: " + ", ".join(unknown[:5]), field="types")
    live = [Question.bank_id == bank_id, Question.archived.is_(False)]
    ids = None
    if len(keys) > rules.MAX_QUESTIONS:
        raise ServiceError(f"Name up to {rules.MAX_QUESTIONS} questions.", field="questions")
    if keys:
        found = dict(db.session.execute(select(Question.key, Question.id).where(
            *live, Question.key.in_(keys))).all())
        missing = sorted(set(keys) - set(found))
        if missing:
            raise ServiceError("These questions are not in the bank: " + ", ".join(missing[:5]),
                               field="questions")
        ids = sorted(found.values())
        live.append(Question.id.in_(ids))
    if types:
        live.append(Question.type.in_(types))
    if tags:
        live.append(Question.id.in_(select(QuestionTag.question_id).where(
            QuestionTag.tag.in_(tags))))
    if not db.session.scalar(select(func.count()).select_from(Question).where(*live)):
        raise ServiceError("No question of the bank matches these topics, types and "
                           "questions.", field="tags")
    return ids


def create_quiz(class_id: int, user: User, *, title: str, bank_id: int, tags: list[str],
                types: list[str], count: int, mode: str, time_limit_min: int | None,
                attempts: int, counts: str, opens_at: datetime | None, due_at: datetime,
                refuse_late: bool, question_keys: list[str] = ()) -> Assignment:
    """A quiz with fixed settings: `count` questions drawn from the bank's `tags` and
    `types`, or from the questions named by `question_keys` (all of them when `count`
    is at least their number)."""
    title = _title(title)
    if mode not in rules.MODES:
        raise ServiceError("Choose practice or test mode.", field="mode")
    if not 1 <= count <= rules.MAX_QUESTIONS:
        raise ServiceError(f"Ask for 1 to {rules.MAX_QUESTIONS} questions.", field="count")
    if time_limit_min is not None and (mode != "test" or not 1 <= time_limit_min <= 240):
        raise ServiceError("A time limit is 1 to 240 minutes, in test mode.",
                           field="time_limit_min")
    if not 1 <= attempts <= 20:
        raise ServiceError("Allow 1 to 20 attempts.", field="attempts")
    if counts not in ("best", "last", "first"):
        raise ServiceError("Choose which attempt counts.", field="counts")
    if opens_at is not None and opens_at >= due_at:
        raise ServiceError("The quiz closes after it opens.", field="due_at")
    unit_of_work.write()
    get_class(class_id, user, teach=True, lock=True)
    if not _linked(class_id, bank_id):
        raise ServiceError("Link the bank to the class first.", field="bank_id")
    tags = _bank_tags(bank_id, tags)
    question_ids = _chosen_questions(bank_id, tags, types, list(question_keys))
    assignment = Assignment(
        class_id=class_id, kind="quiz", title=title, bank_id=bank_id, tags=tags,
        opens_at=opens_at, due_at=due_at, refuse_late=refuse_late,
        settings={"types": sorted(set(types)), "question_ids": question_ids,
                  "count": count, "mode": mode,
                  "time_limit_s": time_limit_min * 60 if time_limit_min else None,
                  "attempts": attempts, "counts": counts})
    db.session.add(assignment)
    db.session.flush()
    return assignment


def get_assignment(assignment_id: int, user: User, *, teach: bool = False) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("No such assignment.")
    get_class(assignment.class_id, user, teach=teach)
    return assignment


def start_quiz(assignment_id: int, user: User, now: datetime) -> QuizAttempt:
    """Start the learner's next attempt at a quiz assignment, with its fixed settings. The
    learner's membership row is locked, so two starts at once count as two attempts in turn
    and the last allowed attempt is started only once."""
    unit_of_work.write()
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.kind != "quiz":
        raise NotFound("No such assignment.")
    member = db.session.scalar(select(ClassMember).where(
        ClassMember.class_id == assignment.class_id, ClassMember.user_id == user.id,
        ClassMember.role == LEARNER).with_for_update())
    if member is None:
        raise NotFound("No such assignment.")
    if assignment.opens_at is not None and now < assignment.opens_at:
        raise Conflict("This quiz is not open yet.")
    late = now > assignment.due_at
    if late and assignment.refuse_late:
        raise Conflict("This quiz has closed.")
    made = db.session.scalar(select(func.count()).select_from(AssignmentAttempt).where(
        AssignmentAttempt.assignment_id == assignment.id, AssignmentAttempt.user_id == user.id))
    s = assignment.settings
    if made >= s["attempts"]:
        raise Conflict("You have used every attempt at this quiz.")
    attempt = quizzes.start_attempt(
        user.id, bank_ids=[assignment.bank_id], tags=list(assignment.tags),
        types=list(s.get("types") or []), count=s["count"], mode=s["mode"], now=now,
        time_limit_s=s.get("time_limit_s"), question_ids=s.get("question_ids"))
    db.session.add(AssignmentAttempt(assignment_id=assignment.id, user_id=user.id,
                                     attempt_id=attempt.id, number=made + 1, late=late))
    db.session.flush()  # (assignment, learner, number) is unique: the lock above keeps it so
    return attempt


# -- reading what the class did, in the database --------------------------------------------

def recall_at(at: datetime):
    """SQL for a card's FSRS retrievability at `at` (0 for a card never reviewed).
    The elapsed days are computed once per row (clamped at 0: a review after `at`)."""
    days = at_least_zero(whole_days_between(Card.last_review, literal(at, UTCDateTime())))
    return case(
        (or_(Card.last_review.is_(None), Card.stability.is_(None), Card.stability <= 0), 0.0),
        else_=func.power(1 + FACTOR * days / Card.stability, DECAY))


def _mastered_by(at: datetime):
    """A card recalled at >= 0.9 at `at`: FSRS's R(t) is 0.9 at t = stability, so no
    power() is needed (the bank's statistics count "recalled" the same way)."""
    days = whole_days_between(Card.last_review, literal(at, UTCDateTime()))
    return and_(Card.last_review.is_not(None), Card.stability > 0, days <= Card.stability)


def _tag_values(tagset):
    """The topics of a JSON list given as text, as rows of one `value` column."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(cast(tagset, JSON)).table_valued("value")
    return func.json_each(tagset).table_valued("value")


def _class_pass(learner_ids, bank_ids, at: datetime, goals_of: list[Assignment]):
    """One pass over the studied cards of the class's learners in its banks, grouped by
    learner and by the question's set of topics (a few groups a learner); from those
    groups, in the same statement, the rows per learner (cards, mean recall at `at`, for
    each study goal the cards of its bank and topics mastered by its due date) and per
    topic (cards, mean recall), likeliest forgotten first. Goal banks are linked banks
    (create_study requires it), so the pass covers them."""
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    # PostgreSQL's json has no equality: group its text. SQLite stores the list as text
    # already, and its CAST costs 5 ms over 120,000 cards.
    tagset = cast(Question.tags, Text) if postgresql else type_coerce(Question.tags, Text)
    groups = (
        select(Card.user_id.label("uid"), tagset.label("tagset"), func.count().label("n"),
               func.sum(recall_at(at)).label("recall"),
               *(func.sum(case((and_(_in_assignment(a), _mastered_by(a.due_at)), 1),
                               else_=0)).label(f"goal{i}") for i, a in enumerate(goals_of)))
        .join(Question, Question.id == Card.question_id)
        .where(Card.user_id.in_(learner_ids), Question.bank_id.in_(bank_ids), Card.state != 0)
        .group_by(Card.user_id, tagset).cte("class_cards"))
    n = cast(func.sum(groups.c.n), Integer)  # PostgreSQL's sum of a bigint is a numeric
    mean = func.sum(groups.c.recall) / n
    tag = _tag_values(groups.c.tagset)
    learners = select(literal("learner").label("kind"), groups.c.uid, null().label("tag"),
                      n.label("n"), mean.label("mean"),
                      *(cast(func.sum(groups.c[f"goal{i}"]), Integer)
                        for i in range(len(goals_of)))
                      ).group_by(groups.c.uid)
    per_topic = select(literal("topic"), null(), tag.c.value, n, mean, *(null() for _ in goals_of)
                       ).select_from(groups).join(tag, true()).group_by(tag.c.value)
    if postgresql:
        # The planner takes each JSON list for 100 topics (a set function's default), costs
        # the topic rows in millions and JIT-compiles the plan: 120 ms of compiling for a
        # few thousand rows. Off for this transaction only.
        db.session.execute(text("SET LOCAL jit = off"))
    rows = db.session.execute(union_all(learners, per_topic).order_by(
        literal_column("kind"), literal_column("mean"), literal_column("tag"))).all()
    per_learner = {r[1]: r[3:] for r in rows if r[0] == "learner"}
    topic_rows = [r[2:5] for r in rows if r[0] == "topic"]
    return per_learner, topic_rows


def _in_assignment(assignment: Assignment):
    """Cards of the assignment's bank and topics (topic match on question_tag rows)."""
    cond = [Question.bank_id == assignment.bank_id, Question.archived.is_(False)]
    if assignment.tags:
        cond.append(Question.id.in_(select(QuestionTag.question_id).where(
            QuestionTag.tag.in_(assignment.tags))))
    return and_(*cond)


@dataclass
class LearnerRow:
    user_id: int
    username: str
    cards_studied: int
    mean_recall: float | None
    scores: dict[int, float | None]  # quiz assignment id -> counted score
    goals: dict[int, float]  # study assignment id -> share mastered (recall >= 0.9 at due)


def _counted_scores(klass: SchoolClass) -> dict[tuple[int, int], float | None]:
    """(assignment id, learner id) -> the score that counts (best, first or last finished)."""
    rows = db.session.execute(
        select(AssignmentAttempt.assignment_id, AssignmentAttempt.user_id,
               func.max(QuizAttempt.score), func.min(AssignmentAttempt.number),
               func.max(AssignmentAttempt.number))
        .join(QuizAttempt, QuizAttempt.id == AssignmentAttempt.attempt_id)
        .join(Assignment, Assignment.id == AssignmentAttempt.assignment_id)
        .where(Assignment.class_id == klass.id, QuizAttempt.score.is_not(None))
        .group_by(AssignmentAttempt.assignment_id, AssignmentAttempt.user_id))
    by_number = dict(((a, u, n), s) for a, u, n, s in db.session.execute(
        select(AssignmentAttempt.assignment_id, AssignmentAttempt.user_id,
               AssignmentAttempt.number, QuizAttempt.score)
        .join(QuizAttempt, QuizAttempt.id == AssignmentAttempt.attempt_id)
        .join(Assignment, Assignment.id == AssignmentAttempt.assignment_id)
        .where(Assignment.class_id == klass.id, QuizAttempt.score.is_not(None))))
    counts = {a.id: a.settings.get("counts", "best") for a in klass.assignments}
    out: dict[tuple[int, int], float | None] = {}
    for a, u, best, first, last in rows:
        rule = counts.get(a, "best")
        out[(a, u)] = best if rule == "best" else by_number.get((a, u, first if rule == "first"
                                                                    else last))
    return out


def report(klass: SchoolClass, at: datetime) -> dict:
    """Per learner and per topic, from aggregates in the database: cards studied, mean
    predicted recall at `at`, counted quiz scores, share mastered per study goal."""
    learners = db.session.execute(
        select(User.id, User.username).join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == klass.id, ClassMember.role == LEARNER)
        .order_by(User.username)).all()
    learner_ids = select(ClassMember.user_id).where(
        ClassMember.class_id == klass.id, ClassMember.role == LEARNER).scalar_subquery()
    bank_ids = select(class_bank.c.bank_id).where(
        class_bank.c.class_id == klass.id).scalar_subquery()
    goals_of = [a for a in klass.assignments if a.kind == "study"]
    per_learner, topic_rows = _class_pass(learner_ids, bank_ids, at, goals_of)
    totals = dict(zip((a.id for a in goals_of), db.session.execute(
        select(*(func.sum(case((_in_assignment(a), 1), else_=0)) for a in goals_of))
        .where(Question.bank_id.in_(bank_ids))).one(), strict=True)) if goals_of else {}
    goals: dict[tuple[int, int], float] = {}
    for uid, (_n, _r, *counts) in per_learner.items():  # the few goals of the class
        for a, count in zip(goals_of, counts, strict=True):
            if totals.get(a.id):
                goals[(a.id, uid)] = (count or 0) / totals[a.id]
    scores = _counted_scores(klass)
    rows = []
    for uid, username in learners:
        n, r = per_learner.get(uid, (0, None))[:2]
        rows.append(LearnerRow(
            uid, username, n, float(r) if r is not None else None,
            {a.id: scores.get((a.id, uid)) for a in klass.assignments if a.kind == "quiz"},
            {a.id: goals.get((a.id, uid), 0.0) for a in klass.assignments if a.kind == "study"}))
    behind = [(row, a) for a in klass.assignments if a.kind == "study"
              for row in rows if row.goals[a.id] < (a.goal or 0)]
    return {"learners": rows, "topics": [(t, n, float(r)) for t, n, r in topic_rows],
            "topic_labels": _class_topic_labels(klass.id), "behind": behind, "at": at}


def _class_topic_labels(class_id: int) -> dict[str, str]:
    """slug -> label over the class's banks. The report counts a topic over all of them,
    so a slug two banks share shows the label of the first bank by title."""
    bank_ids = db.session.scalars(
        select(Bank.id).join(class_bank, class_bank.c.bank_id == Bank.id)
        .where(class_bank.c.class_id == class_id).order_by(Bank.title, Bank.id)).all()
    by_bank = topics.labels_by_bank(bank_ids)
    labels: dict[str, str] = {}
    for bank_id in bank_ids:
        for slug, label in by_bank.get(bank_id, {}).items():
            labels.setdefault(slug, label)
    return labels


def learner_assignments(user: User, now: datetime) -> list[dict]:
    """The learner's assignments across their classes, soonest due first, with status."""
    rows = db.session.execute(
        select(Assignment, SchoolClass.name, SchoolClass.time_zone)
        .join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .join(ClassMember, ClassMember.class_id == SchoolClass.id)
        .where(ClassMember.user_id == user.id, ClassMember.role == LEARNER)
        .order_by(Assignment.due_at, Assignment.id)).all()
    made = dict(db.session.execute(
        select(AssignmentAttempt.assignment_id, func.count())
        .where(AssignmentAttempt.user_id == user.id)
        .group_by(AssignmentAttempt.assignment_id)).all())
    out = []
    for a, class_name, zone in rows:
        if a.kind == "quiz":
            n = made.get(a.id, 0)
            closed = now > a.due_at and a.refuse_late
            status = (f"{n} of {a.settings['attempts']} attempts" if n else
                      ("closed" if closed else "not started"))
        else:
            status = f"goal {round((a.goal or 0) * 100)}% mastered"
        out.append({"assignment": a, "class_name": class_name, "time_zone": zone,
                    "status": status, "overdue": now > a.due_at})
    return out


@dataclass(frozen=True)
class ItemAnalysis:
    assignment: Assignment
    bank: Bank
    questions: list[class_stats.QuestionRow]
    can_edit: bool  # the teacher may open the flagged questions in the editor


def item_analysis(class_id: int, assignment_id: int, user: User) -> ItemAnalysis:
    """A quiz assignment's item analysis, for its class's teachers: the statistics of the
    bank's page over this assignment's attempts and its class's learners' reviews."""
    klass = get_class(class_id, user, teach=True)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.class_id != klass.id or assignment.kind != "quiz":
        raise NotFound("No such quiz assignment in this class.")
    attempts = select(AssignmentAttempt.attempt_id).where(
        AssignmentAttempt.assignment_id == assignment.id)
    learners = select(ClassMember.user_id).where(ClassMember.class_id == klass.id,
                                                 ClassMember.role == LEARNER)
    bank = db.session.get(Bank, assignment.bank_id)
    return ItemAnalysis(assignment, bank, class_stats.question_stats(
        bank, attempts=attempts, learners=learners), authoring.can_edit(user, bank))


GRADE_COLUMNS_DOC = (
    "One row per learner. Columns: 'Username' (Moodle's identifier field for mapping), then "
    "one column per assignment in creation order: a quiz's counted score in percent (0-100, "
    "empty if not taken), a study goal's '1' if reached by now, else '0'.")


def _column(a: Assignment) -> str:
    return f"{a.title} [{a.id}]"  # unique even when two assignments share a title


def grades(klass: SchoolClass, now: datetime) -> tuple[list[str], list[dict]]:
    data = report(klass, now)
    header = ["Username"] + [_column(a) for a in klass.assignments]
    out = []
    for row in data["learners"]:
        record: dict = {"Username": row.username}
        for a in klass.assignments:
            if a.kind == "quiz":
                score = row.scores.get(a.id)
                record[_column(a)] = None if score is None else round(score * 100, 1)
            else:
                record[_column(a)] = 1 if row.goals.get(a.id, 0) >= (a.goal or 0) else 0
        out.append(record)
    return header, out


def grades_csv(header: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        cells = ["" if row[h] is None else str(row[h]) for h in header]
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in cells])
    return buffer.getvalue()
