"""What learners can study: the banks open to them, with their question counts and topics.

A bank is open to learners once its owner publishes it (`Bank.published_at`) and while it is
not archived. A draft is open to its owner and editors only, so that they can try it as a
learner would before publishing. Unpublishing closes a bank to new enrolments and quizzes;
the cards and reviews of those who studied it are kept (their queue still holds them).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select

from quizapp.extensions import db
from quizapp.models import Bank, Question, User, bank_editor
from quizapp.services import topics
from quizapp.services.errors import NotFound


@dataclass(frozen=True)
class BankSummary:
    id: int
    slug: str
    title: str
    description: str
    question_count: int
    tags: dict[str, str]  # slug -> label of the topics its questions use, in the bank's order
    published: bool = True
    open: bool = True  # False: shown only because the learner studies it (since unpublished)


def open_to(user: User | None) -> ColumnElement[bool]:
    """The banks `user` may start studying or quizzing (a WHERE clause on Bank)."""
    published = Bank.published_at.is_not(None)
    if user is None:
        return and_(Bank.archived.is_(False), published)
    edited = select(bank_editor.c.bank_id).where(bank_editor.c.user_id == user.id)
    return and_(Bank.archived.is_(False),
                or_(published, Bank.owner_id == user.id, Bank.id.in_(edited)))


def open_bank(bank_id: int, user: User | None) -> Bank:
    """Bank `bank_id` if it is open to `user`; a draft or archived bank is not found (a
    learner is not told that a draft exists)."""
    bank = db.session.scalar(select(Bank).where(Bank.id == bank_id, open_to(user)))
    if bank is None:
        raise NotFound("No such question bank.")
    return bank


def bank_summaries(user: User | None, studied: Iterable[int] = ()) -> list[BankSummary]:
    """The banks open to `user`, and those among `studied` (the banks they study) that are
    no longer open to them but not archived: unpublished since, they keep their cards and
    may change their topics or leave."""
    studied = list(studied)
    counts = dict(
        db.session.execute(
            select(Question.bank_id, func.count())
            .where(Question.archived.is_(False))
            .group_by(Question.bank_id)
        ).all()
    )
    is_open = open_to(user)
    banks = db.session.execute(
        select(Bank, is_open).where(or_(is_open, and_(Bank.id.in_(studied),
                                                      Bank.archived.is_(False))))
        .order_by(Bank.title)).all()
    ids = [b.id for b, _ in banks]
    tags_by_bank: dict[int, set[str]] = {}
    for bank_id, tags in db.session.execute(
        select(Question.bank_id, Question.tags).where(Question.archived.is_(False),
                                                      Question.bank_id.in_(ids))
    ):
        tags_by_bank.setdefault(bank_id, set()).update(tags or [])
    labels = topics.labels_by_bank(ids)
    return [
        BankSummary(b.id, b.slug, b.title, b.description, counts.get(b.id, 0),
                    _used_labels(labels.get(b.id, {}), tags_by_bank.get(b.id, set())),
                    b.published, bool(opened))
        for b, opened in banks
    ]


def _used_labels(labels: dict[str, str], used: set[str]) -> dict[str, str]:
    """The used slugs' labels in the bank's topic order (a tag without a topic last)."""
    order = [*(s for s in labels if s in used), *sorted(used - labels.keys())]
    return {slug: topics.label_of(labels, slug) for slug in order}
