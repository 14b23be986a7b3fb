"""Putting bank files into the database: idempotent, revisioned, never silently overwriting."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from quizapp import unit_of_work
from quizapp.domain.bank_file import BankFile, BankFormatError, load_bank_text
from quizapp.domain.questions import QuestionBase, snapshot
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionRevision, QuestionTag
from quizapp.models.types import utcnow
from quizapp.services import study

INSERT_BATCH = 1_000  # questions per executemany batch
_QUESTION = Question.__table__
_REVISION = QuestionRevision.__table__
_TAG = QuestionTag.__table__


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
    """Upsert one bank by slug and question key. The caller's unit of work commits it.

    Bulk: the bank's rows are compared as plain rows, and the new and changed questions,
    their revisions and tag rows are written with executemany statements in batches (one
    ORM object per question took 8.8 s for 10,000 questions on SQLite)."""
    unit_of_work.write()
    now = now or utcnow()
    header = bank_file.header
    assert header is not None
    summary = LoadSummary(header.slug)
    bank = db.session.scalar(select(Bank).where(Bank.slug == header.slug).with_for_update())
    if bank is None:
        # a bank file is the operator's: the bank it creates is published at once
        bank = Bank(slug=header.slug, created_at=now, published_at=now)
        db.session.add(bank)
    bank.title, bank.description, bank.article = header.title, header.description, header.article
    bank.policy = header.policy
    db.session.flush()
    if header.topics is not None:  # the file is the source of truth for its topics' labels
        from quizapp.services import topics  # it imports this module

        topics.sync_declared(bank.id, header.topic_labels())
    existing = {row.key: row for row in db.session.execute(
        select(_QUESTION).where(_QUESTION.c.bank_id == bank.id).with_for_update())}

    new: list[tuple[int, QuestionBase]] = []
    changed: list[tuple[int, QuestionBase, Any]] = []
    moved: list[dict[str, Any]] = []
    for position, spec in enumerate(bank_file.questions):
        row = existing.pop(spec.key, None)
        if row is None:
            new.append((position, spec))
            summary.added.append(spec.key)
            continue
        if question_snapshot(row) == snapshot(spec) and not row.archived:
            summary.unchanged += 1
            if row.position != position:
                moved.append({"_id": row.id, "position": position})
            continue
        if row.revision != row.loaded_revision and not force:
            summary.conflicts.append(spec.key)
            continue
        changed.append((position, spec, row))
        summary.changed.append(spec.key)
    gone = [row for row in existing.values() if not row.archived]
    summary.archived = [row.key for row in gone]
    if summary.conflicts:
        raise BankConflict(summary)

    insert_questions(bank.id, new, author_id=None, message="bank load", now=now, loaded=True)
    update_questions(changed, author_id=None, message="bank load", now=now, loaded=True)
    if moved:
        db.session.execute(update(_QUESTION).where(_QUESTION.c.id == bindparam("_id"))
                           .values(position=bindparam("position")), moved)
    if gone:
        db.session.execute(update(_QUESTION).where(_QUESTION.c.id.in_([r.id for r in gone]))
                           .values(archived=True))
    study.ensure_cards(now, bank_id=bank.id)  # enrolled learners get the new questions
    return summary


def _question_values(spec: QuestionBase) -> dict[str, Any]:
    return {"key": spec.key, "type": spec.type, "prompt": spec.prompt,
            "explanation": spec.explanation, "data": spec.answer_data(),
            "sources": list(spec.source), "tags": list(spec.tags),
            "difficulty": spec.difficulty, "source_check_ignore": spec.source_check_ignore}


def _ensure_topics(bank_id: int, specs: list[QuestionBase]) -> None:
    """The bank gets the topics its new or changed questions use that it lacks, labelled
    from their slugs (a bank file's declared topics were created with its labels first)."""
    from quizapp.services import topics  # it imports this module

    topics.ensure_topics(bank_id, [t for spec in specs for t in spec.tags])


def insert_questions(bank_id: int, new: list[tuple[int, QuestionBase]], *,
                     author_id: int | None, message: str, now, loaded: bool) -> None:
    """Add new questions, their first revisions and tag rows with bulk INSERTs in batches.
    `loaded`: they come from the bank's file (`flask bank load`), so its next load may
    overwrite them; an import's questions are the app's own."""
    _ensure_topics(bank_id, [spec for _, spec in new])
    for start in range(0, len(new), INSERT_BATCH):
        batch = new[start:start + INSERT_BATCH]
        ids = dict(db.session.execute(
            _QUESTION.insert().returning(_QUESTION.c.key, _QUESTION.c.id),
            [{**_question_values(spec), "bank_id": bank_id, "position": position,
              "revision": 1, "archived": False, "loaded_revision": 1 if loaded else None}
             for position, spec in batch]).all())
        db.session.execute(_REVISION.insert(), [
            {"question_id": ids[spec.key], "number": 1, "snapshot": snapshot(spec),
             "author_id": author_id, "created_at": now, "message": message}
            for _, spec in batch])
        _insert_tags([(ids[spec.key], spec) for _, spec in batch])


def update_questions(changed: list[tuple[int | None, QuestionBase, Any]], *,
                     author_id: int | None, message: str, now, loaded: bool) -> None:
    """Overwrite questions (rows read under FOR UPDATE in this transaction) with their new
    specs, unarchived, each with one new revision; `position` None keeps its place."""
    by_bank: dict[int, list[QuestionBase]] = {}
    for _, spec, row in changed:
        by_bank.setdefault(row.bank_id, []).append(spec)
    for bank_id, specs in by_bank.items():
        _ensure_topics(bank_id, specs)
    for start in range(0, len(changed), INSERT_BATCH):
        batch = changed[start:start + INSERT_BATCH]
        rows = []
        for position, spec, row in batch:
            values = {**_question_values(spec), "_id": row.id, "revision": row.revision + 1,
                      "position": row.position if position is None else position,
                      "archived": False}
            values["loaded_revision"] = row.revision + 1 if loaded else row.loaded_revision
            rows.append(values)
        db.session.execute(
            update(_QUESTION).where(_QUESTION.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in rows[0] if name != "_id"}), rows)
        db.session.execute(_REVISION.insert(), [
            {"question_id": row.id, "number": row.revision + 1, "snapshot": snapshot(spec),
             "author_id": author_id, "created_at": now, "message": message}
            for _, spec, row in batch])
        db.session.execute(delete(_TAG).where(_TAG.c.question_id.in_([r.id for *_, r in batch])))
        _insert_tags([(row.id, spec) for _, spec, row in batch])


def _insert_tags(questions: list[tuple[int, QuestionBase]]) -> None:
    rows = [{"question_id": qid, "tag": tag} for qid, spec in questions
            for tag in sorted(set(spec.tags))]
    if rows:
        db.session.execute(_TAG.insert(), rows)


def load_paths(paths: Iterable[str | Path], *, force: bool = False) -> list[LoadSummary]:
    """Validate every file first; load none if any is invalid (the caller's unit of work
    commits them together, or none)."""
    files = [read_bank_file(p) for p in bank_paths(paths)]
    return [load_bank(f, force=force) for f in files]


__all__ = ["BankConflict", "BankFormatError", "LoadSummary", "load_bank", "load_paths"]
