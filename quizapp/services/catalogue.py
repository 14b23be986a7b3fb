"""What learners can study: banks with their question counts and topics."""

from dataclasses import dataclass

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, Question


@dataclass(frozen=True)
class BankSummary:
    id: int
    slug: str
    title: str
    description: str
    question_count: int
    tags: list[str]


def bank_summaries() -> list[BankSummary]:
    counts = dict(
        db.session.execute(
            select(Question.bank_id, func.count())
            .where(Question.archived.is_(False))
            .group_by(Question.bank_id)
        ).all()
    )
    banks = db.session.scalars(
        select(Bank).where(Bank.archived.is_(False)).order_by(Bank.title)
    ).all()
    tags_by_bank: dict[int, set[str]] = {}
    for bank_id, tags in db.session.execute(
        select(Question.bank_id, Question.tags).where(Question.archived.is_(False))
    ):
        tags_by_bank.setdefault(bank_id, set()).update(tags or [])
    return [
        BankSummary(b.id, b.slug, b.title, b.description, counts.get(b.id, 0),
                    sorted(tags_by_bank.get(b.id, set())))
        for b in banks
    ]
