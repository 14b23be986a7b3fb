"""Putting bank files into the database: idempotent, revisioned, never silently overwriting."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from quizapp import unit_of_work
from quizapp.domain.bank_file import BankFile, BankFormatError, load_bank_text
from quizapp.domain.questions import QuestionBase, snapshot
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionRevision
from quizapp.models.types import utcnow
from quizapp.services import study


@dataclass
class LoadSummary:
    slug: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.slug}: {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.archived)} archived, {self.unchanged} unchanged"
        )


class BankConflict(Exception):
    """Questions edited in the app since the last load; `--force` overwrites them."""

    def __init__(self, summary: LoadSummary):
        keys = ", ".join(summary.conflicts)
        super().__init__(
            f"{summary.slug}: edited in the app since the last load: {keys}. "
            "Nothing was changed; load with --force to overwrite those edits."
        )
        self.summary = summary


def question_snapshot(question: Question) -> dict[str, Any]:
    """The stored question in the same shape as `domain.questions.snapshot`."""
    out: dict[str, Any] = {
        "key": question.key,
        "type": question.type,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "source": list(question.sources),
        "tags": list(question.tags),
        "difficulty": question.difficulty,
    }
    out.update({k: v for k, v in question.data.items() if v is not None})
    if question.source_check_ignore:
        out["source_check_ignore"] = question.source_check_ignore
    return out


def apply_spec(question: Question, spec: QuestionBase) -> None:
    question.key = spec.key
    question.type = spec.type
    question.prompt = spec.prompt
    question.explanation = spec.explanation
    question.data = spec.answer_data()
    question.sources = list(spec.source)
    question.tags = list(spec.tags)
    question.sync_tag_rows()
    question.difficulty = spec.difficulty
    question.source_check_ignore = spec.source_check_ignore


def add_revision(question: Question, *, author_id: int | None, message: str, now) -> None:
    question.revisions.append(
        QuestionRevision(
            number=question.revision,
            snapshot=question_snapshot(question),
            author_id=author_id,
            created_at=now,
            message=message,
        )
    )


def read_bank_file(path: str | Path) -> BankFile:
    path = Path(path)
    return load_bank_text(path.read_text(encoding="utf-8"), str(path))


def bank_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and every *.yaml / *.yml inside folders named."""
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]) if p.is_dir() else [p])
    return out


def load_bank(bank_file: BankFile, *, force: bool = False, now=None) -> LoadSummary:
    """Upsert one bank by slug and question key, in one transaction."""
    unit_of_work.write()
    now = now or utcnow()
    header = bank_file.header
    assert header is not None
    summary = LoadSummary(header.slug)
    bank = db.session.scalar(select(Bank).where(Bank.slug == header.slug).with_for_update())
    if bank is None:
        bank = Bank(slug=header.slug, created_at=now)
        db.session.add(bank)
    bank.title, bank.description, bank.article = header.title, header.description, header.article
    existing = {
        q.key: q
        for q in db.session.scalars(
            select(Question).where(Question.bank_id == bank.id).with_for_update()
        )
    } if bank.id else {}

    try:
        for position, spec in enumerate(bank_file.questions):
            question = existing.pop(spec.key, None)
            if question is None:
                question = Question(bank=bank, revision=1, archived=False, position=position)
                apply_spec(question, spec)
                add_revision(question, author_id=None, message="bank load", now=now)
                question.loaded_revision = 1
                db.session.add(question)
                summary.added.append(spec.key)
                continue
            question.position = position
            if question_snapshot(question) == snapshot(spec) and not question.archived:
                summary.unchanged += 1
                continue
            if question.revision != question.loaded_revision and not force:
                summary.conflicts.append(spec.key)
                continue
            apply_spec(question, spec)
            question.archived = False
            question.revision += 1
            add_revision(question, author_id=None, message="bank load", now=now)
            question.loaded_revision = question.revision
            summary.changed.append(spec.key)
        for question in existing.values():
            if not question.archived:
                question.archived = True
                summary.archived.append(question.key)
        if summary.conflicts:
            raise BankConflict(summary)
        db.session.flush()
        study.ensure_cards(now, bank_id=bank.id)  # enrolled learners get the new questions
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return summary


def load_paths(paths: Iterable[str | Path], *, force: bool = False) -> list[LoadSummary]:
    """Validate every file first; load none if any is invalid."""
    files = [read_bank_file(p) for p in bank_paths(paths)]
    return [load_bank(f, force=force) for f in files]


__all__ = ["BankConflict", "BankFormatError", "LoadSummary", "load_bank", "load_paths"]
