"""Instructors edit banks and questions: every save a revision, no edit ever lost.

Each writing service declares its write first (`unit_of_work.write()`), then loads and locks
what it changes itself, fresh, by id: an object a view loaded earlier may be stale. Saving
over a revision the editor did not see is a `Conflict` (optimistic check: the form carries
the revision it edited). Nothing here commits; the request's unit of work does.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quizapp import unit_of_work
from quizapp.domain import bank_rules
from quizapp.domain.bank_rules import POLICIES, TRACED
from quizapp.domain.questions import QuestionBase, snapshot
from quizapp.domain.source_check import Problem, article_runs, check_question
from quizapp.extensions import db
from quizapp.models import (
    Bank,
    BankSource,
    Question,
    QuestionRevision,
    Role,
    SourceArticle,
    Topic,
    User,
)
from quizapp.qtypes.registry import SCHEMAS
from quizapp.services import study, topics
from quizapp.services.banks import add_revision, apply_spec, question_snapshot
from quizapp.services.errors import Conflict, Forbidden, NotFound, ServiceError

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
SLUG_TAKEN = "Another bank already uses that slug."
KEY_TAKEN = "Another question in this bank already uses that key."


# --- load and authorise (reads) ----------------------------------------------------------

def can_edit(user: User, bank: Bank) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.INSTRUCTOR and (
        bank.owner_id == user.id or any(e.id == user.id for e in bank.editors))


def get_bank_for_edit(bank_id: int, user: User) -> Bank:
    """Load, then authorise: 404 if missing, 403 if the user may not edit it."""
    bank = db.session.get(Bank, bank_id)
    if bank is None:
        raise NotFound("No such question bank.")
    if not can_edit(user, bank):
        raise Forbidden("You can edit banks you own or were made an editor of.")
    return bank


def get_bank_for_owner(bank_id: int, user: User) -> Bank:
    """Bank settings, editors and archiving: the owner and administrators only."""
    bank = get_bank_for_edit(bank_id, user)
    if user.role != Role.ADMIN and bank.owner_id != user.id:
        raise Forbidden("Only the bank's owner (or an administrator) can change its settings, "
                        "editors or archive it.")
    return bank


def get_question_for_edit(bank: Bank, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.bank_id != bank.id:
        raise NotFound("No such question in this bank.")
    return question


def editable_banks(user: User) -> list[Bank]:
    query = (select(Bank).options(selectinload(Bank.editors), selectinload(Bank.owner))
             .order_by(Bank.archived, Bank.title))
    if user.role != Role.ADMIN:
        query = query.where(or_(Bank.owner_id == user.id, Bank.editors.any(User.id == user.id)))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class BankCounts:
    """A row of the bank list: its live questions, topics, sources and the work left."""

    questions: int = 0
    no_explanation: int = 0
    no_citation: int = 0
    topics: int = 0
    sources: int = 0


def bank_counts(bank_ids: list[int]) -> dict[int, BankCounts]:
    """Three grouped queries, whatever the number of banks."""
    live = db.session.execute(
        select(Question.bank_id, func.count(),
               func.count().filter(func.length(Question.explanation) == 0),
               func.count().filter(func.coalesce(func.json_array_length(Question.sources),
                                                 0) == 0))
        .where(Question.bank_id.in_(bank_ids), Question.archived.is_(False))
        .group_by(Question.bank_id)).all()
    per_topic = dict(db.session.execute(
        select(Topic.bank_id, func.count()).where(Topic.bank_id.in_(bank_ids))
        .group_by(Topic.bank_id)).all())
    per_source = dict(db.session.execute(
        select(BankSource.bank_id, func.count()).where(BankSource.bank_id.in_(bank_ids))
        .group_by(BankSource.bank_id)).all())
    questions = {bank_id: counts for bank_id, *counts in live}
    return {bank_id: BankCounts(*questions.get(bank_id, (0, 0, 0)),
                                topics=per_topic.get(bank_id, 0),
                                sources=per_source.get(bank_id, 0))
            for bank_id in bank_ids}


@dataclass(frozen=True)
class Overview:
    """A bank at a glance: its live questions by type and by topic, and the work left."""

    total: int
    by_type: dict[str, int]
    by_topic: dict[str, int]
    no_explanation: list[tuple[int, str]]  # (question id, key)
    no_citation: list[tuple[int, str]]


def bank_overview(bank_id: int) -> Overview:
    """One query over the bank's live questions (their text is not read)."""
    by_type: dict[str, int] = {}
    by_topic: dict[str, int] = {}
    no_explanation, no_citation = [], []
    rows = db.session.execute(
        select(Question.id, Question.key, Question.type, Question.tags, Question.sources,
               func.length(Question.explanation) == 0)
        .where(Question.bank_id == bank_id, Question.archived.is_(False))
        .order_by(Question.position, Question.id))
    total = 0
    for qid, key, kind, tags, cited, unexplained in rows:
        total += 1
        by_type[kind] = by_type.get(kind, 0) + 1
        for tag in tags or []:
            by_topic[tag] = by_topic.get(tag, 0) + 1
        if unexplained:
            no_explanation.append((qid, key))
        if not cited:
            no_citation.append((qid, key))
    return Overview(total, by_type, by_topic, no_explanation, no_citation)


def list_questions(bank: Bank, *, text: str = "", qtype: str = "", tag: str = "",
                   status: str = "active") -> list[Question]:
    query = select(Question).where(Question.bank_id == bank.id)
    if status == "active":
        query = query.where(Question.archived.is_(False))
    elif status == "archived":
        query = query.where(Question.archived.is_(True))
    if qtype:
        query = query.where(Question.type == qtype)
    if text:  # "%" and "_" are what they say, not wildcards
        text = text.lower()
        query = query.where(or_(*(func.lower(column).contains(text, autoescape=True)
                                  for column in (Question.prompt, Question.key,
                                                 Question.explanation))))
    rows = list(db.session.scalars(query.order_by(Question.position, Question.id)))
    return [q for q in rows if not tag or tag in (q.tags or [])]


def revisions(question: Question) -> list[QuestionRevision]:
    return list(db.session.scalars(
        select(QuestionRevision).where(QuestionRevision.question_id == question.id)
        .options(selectinload(QuestionRevision.author))
        .order_by(QuestionRevision.number.desc())))


def source_warnings(spec_snapshot: dict, bank_id: int | None = None) -> list[Problem]:
    """The source check against the loaded articles (a warning, never a block); with
    `bank_id`, against that bank's own sources (bank_source)."""
    slugs = {c.split("#")[0] for c in spec_snapshot["source"]}
    query = (select(SourceArticle).where(SourceArticle.slug.in_(slugs))
             .options(selectinload(SourceArticle.paragraphs)))
    if bank_id is not None:
        query = query.where(SourceArticle.id.in_(select(BankSource.source_article_id)
                                                 .where(BankSource.bank_id == bank_id)))
    articles = db.session.scalars(query).all()
    if not articles:
        return []
    paragraphs = {(a.slug, p.number): p.text for a in articles for p in a.paragraphs}
    runs = {a.slug: article_runs("\n".join(p.text for p in a.paragraphs)) for a in articles}
    return check_question(spec_snapshot, paragraphs, runs)


# --- locked, fresh rows (inside a write) -------------------------------------------------

def _locked_bank(bank_id: int) -> Bank:
    bank = db.session.scalar(select(Bank).where(Bank.id == bank_id).with_for_update())
    if bank is None:
        raise NotFound("No such question bank.")
    return bank


def _locked_question(bank_id: int, question_id: int) -> Question:
    question = db.session.scalar(select(Question).where(
        Question.id == question_id, Question.bank_id == bank_id).with_for_update())
    if question is None:
        raise NotFound("No such question in this bank.")
    return question


def _check_revision(question: Question, expected_revision: int | None) -> None:
    if expected_revision is None:
        raise Conflict(f"The form did not say which revision of this question you edited (it "
                       f"is now revision {question.revision}). Nothing was saved: reload, "
                       "then make your change again.")
    if question.revision != expected_revision:
        raise Conflict(f"Someone saved revision {question.revision} of this question after "
                       f"you opened revision {expected_revision}. Nothing was saved.")


# --- banks -------------------------------------------------------------------------------

def save_bank(owner_id: int, *, slug: str, title: str, description: str, article: str | None,
              now: datetime, bank_id: int | None = None, policy: str | None = None) -> Bank:
    """Create a bank owned by `owner_id` (a draft until it is published), or change bank
    `bank_id`'s settings. `policy` None keeps the bank's (a new bank is traced)."""
    slug = slug.strip()
    if not SLUG_RE.match(slug):
        raise ServiceError("A slug is lowercase letters, digits and dashes.", field="slug")
    if policy is not None and policy not in POLICIES:
        raise ServiceError("Choose traced or free.", field="policy")
    unit_of_work.write()
    bank = _locked_bank(bank_id) if bank_id is not None else None
    clash = db.session.scalar(select(Bank.id).where(Bank.slug == slug))
    if clash is not None and (bank is None or clash != bank.id):
        raise ServiceError(SLUG_TAKEN, field="slug")
    try:
        with db.session.begin_nested():  # a bank created meanwhile with that slug
            if bank is None:
                bank = Bank(owner_id=owner_id, created_at=now)
                db.session.add(bank)
            bank.slug, bank.title = slug, title.strip()
            bank.description, bank.article = description.strip(), (article or None)
            bank.policy = policy or bank.policy or TRACED
            db.session.flush()
    except IntegrityError:
        if db.session.scalar(select(Bank.id).where(Bank.slug == slug)) is None:
            raise
        raise ServiceError(SLUG_TAKEN, field="slug") from None
    return bank


def set_bank_archived(bank_id: int, archived: bool) -> bool:
    """Archive or restore; False if it already was (a form sent twice changes it once)."""
    unit_of_work.write()
    bank = _locked_bank(bank_id)
    if bank.archived == archived:
        return False
    bank.archived = archived
    db.session.flush()
    return True


def set_bank_published(bank_id: int, published: bool, now: datetime) -> bool:
    """Publish (learners can then find, study and quiz it) or unpublish (closed to new
    enrolments and quizzes; nobody's cards or reviews are touched). False if it already
    was (a form sent twice changes it once). A bank without questions is not published."""
    unit_of_work.write()
    bank = _locked_bank(bank_id)
    if bank.published == published:
        return False
    if published and not db.session.scalar(select(func.count()).select_from(Question).where(
            Question.bank_id == bank_id, Question.archived.is_(False))):
        raise ServiceError("This bank has no questions yet, so learners would find nothing in "
                           "it: add at least one question, then publish it.")
    bank.published_at = now if published else None
    db.session.flush()
    return True


def set_editors(bank_id: int, usernames: list[str]) -> list[str]:
    """Replace the editors; returns names that are not instructors (left out)."""
    unit_of_work.write()
    bank = _locked_bank(bank_id)
    names = {n.strip().lower() for n in usernames if n.strip()}
    users = list(db.session.scalars(select(User).where(func.lower(User.username).in_(names))))
    allowed = [u for u in users if u.role in (Role.INSTRUCTOR, Role.ADMIN)]
    bank.editors = allowed
    db.session.flush()
    found = {u.username.lower() for u in allowed}
    return sorted(names - found)


# --- questions ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SaveResult:
    question: Question
    warnings: list[Problem]
    saved: bool  # False: the content was already this; no new revision


def save_question(bank_id: int, spec: QuestionBase, *, author_id: int, now: datetime,
                  message: str = "", question_id: int | None = None,
                  expected_revision: int | None = None) -> SaveResult:
    """Create a question, or save a new revision of `question_id`: refused (`Conflict`) if
    its revision is no longer `expected_revision`, the one the editor opened."""
    warnings = source_warnings(snapshot(spec), bank_id)  # reads only: before the write begins
    unit_of_work.write()
    question = None
    if question_id is not None:
        question = _locked_question(bank_id, question_id)
        _check_revision(question, expected_revision)
    return _save(bank_id, spec, question, author_id=author_id, now=now, message=message,
                 warnings=warnings)


def _save(bank_id: int, spec: QuestionBase, question: Question | None, *, author_id: int,
          now: datetime, message: str, warnings: list[Problem]) -> SaveResult:
    """Store `spec` as a new question or as `question`'s next revision (locked)."""
    clash = db.session.scalar(select(Question.id).where(Question.bank_id == bank_id,
                                                        Question.key == spec.key))
    if clash is not None and (question is None or clash != question.id):
        raise ServiceError(KEY_TAKEN, field="key")
    if question is not None and question_snapshot(question) == snapshot(spec):
        return SaveResult(question, warnings, saved=False)
    question_id = question.id if question is not None else None
    try:
        with db.session.begin_nested():  # a question created meanwhile with that key
            if question is None:
                position = (db.session.scalar(select(func.max(Question.position))
                                              .where(Question.bank_id == bank_id)) or 0) + 1
                question = Question(bank_id=bank_id, revision=1, archived=False,
                                    position=position)
                db.session.add(question)
            else:
                question.revision += 1
            apply_spec(question, spec)
            add_revision(question, author_id=author_id, message=message.strip(), now=now)
            topics.ensure_topics(bank_id, spec.tags)  # the bank owns the tags it uses
            db.session.flush()
    except IntegrityError:
        taken = select(Question.id).where(Question.bank_id == bank_id,
                                          Question.key == spec.key)
        if question_id is not None:
            taken = taken.where(Question.id != question_id)
        if db.session.scalar(taken) is None:
            raise  # not the key: a bug, never a message about the key
        raise ServiceError(KEY_TAKEN, field="key") from None
    if not question.archived:
        study.ensure_cards(now, bank_id=bank_id, question_ids=[question.id])
    return SaveResult(question, warnings, saved=True)


def duplicate_question(bank_id: int, question_id: int, *, author_id: int,
                       now: datetime) -> Question:
    """A copy under the first free key `<key>-copy`, `<key>-copy-2`..."""
    unit_of_work.write()  # before reading the keys, so two copies pick different ones
    question = db.session.get(Question, question_id)
    if question is None or question.bank_id != bank_id:
        raise NotFound("No such question in this bank.")
    keys = set(db.session.scalars(select(Question.key).where(Question.bank_id == bank_id)))
    base = f"{question.key[:70]}-copy"
    key, n = base, 2
    while key in keys:
        key, n = f"{base}-{n}", n + 1
    data = {**question_snapshot(question), "key": key}
    policy = db.session.get(Bank, bank_id).policy
    spec = SCHEMAS[question.type].model_validate(data, context=bank_rules.context(policy))
    return _save(bank_id, spec, None, author_id=author_id, now=now,
                 message=f"copy of {question.key}", warnings=[]).question


def set_question_archived(bank_id: int, question_id: int, archived: bool,
                          now: datetime) -> bool:
    """Archive or restore; False if it already was. Learners keep their cards and history;
    a restored question gets cards for learners who enrolled while it was archived."""
    unit_of_work.write()
    question = _locked_question(bank_id, question_id)
    if question.archived == archived:
        return False
    question.archived = archived
    db.session.flush()
    if not archived:
        study.ensure_cards(now, bank_id=bank_id, question_ids=[question.id])
    return True


def revision(question: Question, number: int) -> QuestionRevision:
    found = db.session.scalar(select(QuestionRevision).where(
        QuestionRevision.question_id == question.id, QuestionRevision.number == number))
    if found is None:
        raise NotFound(f"Revision {number} does not exist.")
    return found


def revert(bank_id: int, question_id: int, number: int, *, author_id: int, now: datetime,
           expected_revision: int | None = None) -> SaveResult:
    """A new revision with the content of revision `number`. Nothing to do if the question
    already says that (a revert sent twice makes one revision); otherwise, with
    `expected_revision` (the revision the history page showed as current), refused if
    someone saved another revision since."""
    unit_of_work.write()
    question = _locked_question(bank_id, question_id)
    old = revision(question, number).snapshot
    spec = SCHEMAS[old["type"]].model_validate(
        old, context=bank_rules.context(db.session.get(Bank, bank_id).policy))
    if question_snapshot(question) == snapshot(spec):
        return SaveResult(question, [], saved=False)  # already so: a repeat changes nothing
    if expected_revision is not None:
        _check_revision(question, expected_revision)
    return _save(bank_id, spec, question, author_id=author_id, now=now,
                 message=f"revert to revision {number}", warnings=[])
