"""Instructors edit banks and questions: every save a revision, no edit ever lost."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from quizapp import unit_of_work
from quizapp.domain.questions import QUESTION_TYPES, QuestionBase, snapshot
from quizapp.domain.source_check import Problem, article_runs, check_question
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionRevision, Role, SourceArticle, User
from quizapp.services import study
from quizapp.services.banks import add_revision, apply_spec, question_snapshot
from quizapp.services.errors import Conflict, Forbidden, NotFound, ServiceError

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


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
    query = select(Bank).options(selectinload(Bank.editors)).order_by(Bank.archived, Bank.title)
    if user.role != Role.ADMIN:
        query = query.where(or_(Bank.owner_id == user.id, Bank.editors.any(User.id == user.id)))
    return list(db.session.scalars(query))


def question_counts(bank_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        select(Question.bank_id, func.count()).where(Question.bank_id.in_(bank_ids),
                                                     Question.archived.is_(False))
        .group_by(Question.bank_id)).all())


def save_bank(user: User, *, slug: str, title: str, description: str, article: str | None,
              now: datetime, bank: Bank | None = None) -> Bank:
    unit_of_work.write()
    slug = slug.strip()
    if not SLUG_RE.match(slug):
        raise ServiceError("A slug is lowercase letters, digits and dashes.", field="slug")
    clash = db.session.scalar(select(Bank.id).where(Bank.slug == slug))
    if clash is not None and (bank is None or clash != bank.id):
        raise ServiceError("Another bank already uses that slug.", field="slug")
    if bank is None:
        bank = Bank(owner_id=user.id, created_at=now)
        db.session.add(bank)
    bank.slug, bank.title = slug, title.strip()
    bank.description, bank.article = description.strip(), (article or None)
    db.session.commit()
    return bank


def set_bank_archived(bank: Bank, archived: bool) -> None:
    unit_of_work.write()
    bank.archived = archived
    db.session.commit()


def set_editors(bank: Bank, usernames: list[str]) -> list[str]:
    """Replace the editors; returns names that are not instructors (left out)."""
    unit_of_work.write()
    names = {n.strip().lower() for n in usernames if n.strip()}
    users = list(db.session.scalars(select(User).where(func.lower(User.username).in_(names))))
    allowed = [u for u in users if u.role in (Role.INSTRUCTOR, Role.ADMIN)]
    bank.editors = allowed
    db.session.commit()
    found = {u.username.lower() for u in allowed}
    return sorted(names - found)


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


@dataclass(frozen=True)
class SaveResult:
    question: Question
    warnings: list[Problem]


def source_warnings(spec_snapshot: dict) -> list[Problem]:
    """The source check against the loaded articles (a warning, never a block)."""
    slugs = {c.split("#")[0] for c in spec_snapshot["source"]}
    articles = db.session.scalars(
        select(SourceArticle).where(SourceArticle.slug.in_(slugs))
        .options(selectinload(SourceArticle.paragraphs))).all()
    if not articles:
        return []
    paragraphs = {(a.slug, p.number): p.text for a in articles for p in a.paragraphs}
    runs = {a.slug: article_runs("\n".join(p.text for p in a.paragraphs)) for a in articles}
    return check_question(spec_snapshot, paragraphs, runs)


def save_question(bank: Bank, spec: QuestionBase, *, author_id: int, now: datetime,
                  message: str = "", question: Question | None = None,
                  expected_revision: int | None = None) -> SaveResult:
    """Create or update; refuses to save over a revision the editor did not see."""
    unit_of_work.write()
    if question is not None:
        locked = db.session.scalar(select(Question).where(Question.id == question.id)
                                   .with_for_update())
        if expected_revision is None or locked.revision != expected_revision:
            db.session.rollback()
            raise Conflict(f"Someone saved revision {locked.revision} of this question after "
                           f"you opened revision {expected_revision}. Nothing was saved: "
                           "reload, then make your change again.")
        question = locked
    clash = db.session.scalar(select(Question.id).where(Question.bank_id == bank.id,
                                                        Question.key == spec.key))
    if clash is not None and (question is None or clash != question.id):
        raise ServiceError("Another question in this bank already uses that key.", field="key")
    if question is None:
        position = (db.session.scalar(select(func.max(Question.position))
                                      .where(Question.bank_id == bank.id)) or 0) + 1
        question = Question(bank_id=bank.id, revision=1, archived=False, position=position)
        db.session.add(question)
        apply_spec(question, spec)
    else:
        if question_snapshot(question) == snapshot(spec):
            db.session.commit()
            return SaveResult(question, source_warnings(snapshot(spec)))
        apply_spec(question, spec)
        question.revision += 1
    add_revision(question, author_id=author_id, message=message.strip(), now=now)
    db.session.flush()
    study.ensure_cards(now, bank_id=bank.id)
    db.session.commit()
    return SaveResult(question, source_warnings(snapshot(spec)))


def duplicate_question(bank: Bank, question: Question, *, author_id: int,
                       now: datetime) -> Question:
    keys = set(db.session.scalars(select(Question.key).where(Question.bank_id == bank.id)))
    base = f"{question.key[:70]}-copy"
    key, n = base, 2
    while key in keys:
        key, n = f"{base}-{n}", n + 1
    data = {**question_snapshot(question), "key": key}
    spec = QUESTION_TYPES[question.type].model_validate(data)
    return save_question(bank, spec, author_id=author_id, now=now,
                         message=f"copy of {question.key}").question


def set_question_archived(question: Question, archived: bool) -> None:
    unit_of_work.write()
    question.archived = archived
    db.session.commit()


def revisions(question: Question) -> list[QuestionRevision]:
    return list(db.session.scalars(
        select(QuestionRevision).where(QuestionRevision.question_id == question.id)
        .options(selectinload(QuestionRevision.author))
        .order_by(QuestionRevision.number.desc())))


def revision(question: Question, number: int) -> QuestionRevision:
    found = db.session.scalar(select(QuestionRevision).where(
        QuestionRevision.question_id == question.id, QuestionRevision.number == number))
    if found is None:
        raise NotFound(f"Revision {number} does not exist.")
    return found


def revert(bank: Bank, question: Question, number: int, *, author_id: int,
           now: datetime) -> Question:
    """A new revision with the content of revision `number`."""
    old = revision(question, number).snapshot
    spec = QUESTION_TYPES[old["type"]].model_validate(old)
    return save_question(bank, spec, author_id=author_id, now=now, question=question,
                         expected_revision=question.revision,
                         message=f"revert to revision {number}").question
