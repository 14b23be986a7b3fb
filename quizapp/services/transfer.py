"""Import and export of banks: the same code behind the pages and `flask bank import/export`."""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from quizapp import unit_of_work
from quizapp.domain.bank_file import BankHeader
from quizapp.domain.formats import FORMATS, FormatError, ImportResult, Rejection
from quizapp.domain.formats.detect import detect_format
from quizapp.domain.questions import QUESTION_TYPES, QuestionBase, snapshot
from quizapp.extensions import db
from quizapp.models import Bank, PendingImport, Question, QuestionRevision, QuestionTag
from quizapp.services import study
from quizapp.services.banks import add_revision, apply_spec, question_snapshot
from quizapp.services.errors import NotFound, ServiceError

PENDING_TTL = timedelta(hours=2)
MAX_PENDING_PER_USER = 3  # dry runs kept per instructor: staging a fourth drops the oldest
PREVIEW_ITEMS = 50  # keys and rejections the dry run's page lists; the rest are counted
INSERT_BATCH = 1_000  # new questions per INSERT statement
EXPIRED = "That upload has expired or was already imported; upload it again."


def find_bank(slug: str) -> Bank | None:
    return db.session.scalar(select(Bank).where(Bank.slug == slug))


def get_or_create_bank(slug: str, header: BankHeader | None) -> Bank:
    unit_of_work.write()
    bank = find_bank(slug)
    if bank is None:
        bank = Bank(slug=slug, title=header.title if header else slug,
                    description=header.description if header else "",
                    article=header.article if header else None, created_at=datetime.now(UTC))
        db.session.add(bank)
        db.session.flush()
    return bank


def bank_header(bank: Bank) -> BankHeader:
    return BankHeader(slug=bank.slug, title=bank.title, description=bank.description or "",
                      article=bank.article)


def bank_questions(bank: Bank) -> list[QuestionBase]:
    rows = db.session.scalars(select(Question).where(
        Question.bank_id == bank.id, Question.archived.is_(False))
        .order_by(Question.position, Question.id))
    return [QUESTION_TYPES[q.type].model_validate(question_snapshot(q)) for q in rows]


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    media_type: str
    left_out: list[Rejection]


def export_bank(bank: Bank, format_name: str) -> Export:
    fmt = FORMATS.get(format_name)
    if fmt is None:
        raise ServiceError(f"Unknown format {format_name!r}; use one of: {', '.join(FORMATS)}.")
    questions = bank_questions(bank)
    return Export(fmt.export(bank_header(bank), questions), f"{bank.slug}.{fmt.extension}",
                  fmt.media_type, fmt.unsupported(questions))


@dataclass
class ImportPreview:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed)


DETECT = "detect"


def resolve_format(format_name: str | None, data: bytes, filename: str) -> str:
    """The chosen format, or (for "detect" or none) the one the file's content and name show."""
    if format_name in (None, DETECT):
        detected = detect_format(filename, data)
        if detected is None:
            raise ServiceError("Neither the file's name nor its content shows its format; "
                               "choose the format.", field="format")
        return detected
    return format_name


def read_upload(format_name: str | None, data: bytes, filename: str) -> ImportResult:
    """Parse an upload; `format_name` "detect" (or None) detects the format first."""
    fmt = FORMATS.get(resolve_format(format_name, data, filename))
    if fmt is None or not fmt.can_import:
        raise ServiceError("Choose a format that can be imported.", field="format")
    try:
        return fmt.parse(data, filename)
    except FormatError as e:
        raise ServiceError(str(e), field="file") from None


def preview(bank: Bank, result: ImportResult) -> ImportPreview:
    """What importing would do, without writing anything."""
    out = ImportPreview(rejected=[*result.rejected, *result.skipped_types])
    existing = {q.key: q for q in db.session.scalars(
        select(Question).where(Question.bank_id == bank.id))}
    seen: set[str] = set()
    for spec in result.questions:
        if spec.key in seen:
            out.rejected.append(Rejection(None, spec.key, "the key appears twice in the file"))
            continue
        seen.add(spec.key)
        current = existing.get(spec.key)
        if current is None:
            out.added.append(spec.key)
        elif question_snapshot(current) == snapshot(spec) and not current.archived:
            out.unchanged.append(spec.key)
        else:
            out.changed.append(spec.key)
    return out


def _purge(user_id: int, now: datetime) -> None:
    """Drop expired dry runs, and all but the newest MAX_PENDING_PER_USER - 1 of this user's."""
    db.session.execute(delete(PendingImport).where(PendingImport.created_at < now - PENDING_TTL))
    newest = (select(PendingImport.id).where(PendingImport.user_id == user_id)
              .order_by(PendingImport.created_at.desc(), PendingImport.id.desc())
              .limit(MAX_PENDING_PER_USER - 1))
    db.session.execute(delete(PendingImport).where(
        PendingImport.user_id == user_id, PendingImport.id.not_in(newest)))


def stage(user_id: int, bank: Bank, format_name: str, filename: str, data: bytes,
          now: datetime) -> tuple[str, ImportPreview]:
    """Read and preview an upload, and keep it until the instructor confirms.

    The file is parsed outside any transaction: on SQLite a transaction holds the write lock
    from its first read (BEGIN IMMEDIATE), and nobody's write may wait for a slow parse."""
    unit_of_work.write()
    format_name = resolve_format(format_name, data, filename)
    db.session.commit()  # ends the transaction the request's reads (user, bank) began
    result = read_upload(format_name, data, filename)
    _purge(user_id, now)
    token = secrets.token_urlsafe(24)
    db.session.add(PendingImport(token=token, user_id=user_id, bank_id=bank.id,
                                 format=format_name, filename=filename[:255], data=data,
                                 created_at=now))
    db.session.commit()
    return token, preview(bank, result)


_QUESTION = Question.__table__


def _insert_new(bank_id: int, new: list[tuple[int, QuestionBase]], author_id: int | None,
                message: str, now: datetime) -> None:
    """Add new questions, their first revisions and tag rows with bulk INSERTs in batches
    (one ORM unit of work per question made a 40,000-question file outlast any timeout)."""
    for start in range(0, len(new), INSERT_BATCH):
        batch = new[start:start + INSERT_BATCH]
        returning_ids = _QUESTION.insert().returning(_QUESTION.c.key, _QUESTION.c.id)
        ids = dict(db.session.execute(returning_ids, [
            {"bank_id": bank_id, "key": spec.key, "position": position, "type": spec.type,
             "prompt": spec.prompt, "explanation": spec.explanation, "data": spec.answer_data(),
             "sources": list(spec.source), "tags": list(spec.tags),
             "difficulty": spec.difficulty, "source_check_ignore": spec.source_check_ignore,
             "revision": 1, "archived": False} for position, spec in batch]).all())
        db.session.execute(QuestionRevision.__table__.insert(), [
            {"question_id": ids[spec.key], "number": 1, "snapshot": snapshot(spec),
             "author_id": author_id, "created_at": now, "message": message}
            for _, spec in batch])
        db.session.execute(QuestionTag.__table__.insert(), [
            {"question_id": ids[spec.key], "tag": tag} for _, spec in batch for tag in spec.tags])


def apply(user_id: int | None, bank: Bank, result: ImportResult, now: datetime,
          message: str) -> ImportPreview:
    """Write every valid question in one transaction: all of them, or none."""
    unit_of_work.write()
    plan = preview(bank, result)
    wanted = set(plan.added) | set(plan.changed)
    existing = {q.key: q for q in db.session.scalars(
        select(Question).where(Question.bank_id == bank.id).with_for_update())}
    position = max((q.position for q in existing.values()), default=0)
    new: list[tuple[int, QuestionBase]] = []
    try:
        for spec in result.questions:
            if spec.key not in wanted:
                continue
            wanted.discard(spec.key)
            question = existing.get(spec.key)
            if question is None:
                position += 1
                new.append((position, spec))
                continue
            question.revision += 1
            question.archived = False
            apply_spec(question, spec)
            add_revision(question, author_id=user_id, message=message, now=now)
        db.session.flush()
        _insert_new(bank.id, new, user_id, message, now)
        study.ensure_cards(now, bank_id=bank.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return plan


def apply_pending(user_id: int, bank: Bank, token: str, now: datetime) -> ImportPreview:
    """Apply a dry run once. Its token is bound to its user and bank, expires after
    PENDING_TTL, and is deleted in the import's own transaction: a replay, even one sent
    at the same moment, finds nothing (PostgreSQL's DELETE waits for the first to commit)."""
    unit_of_work.write()
    mine = (PendingImport.token == token, PendingImport.user_id == user_id,
            PendingImport.bank_id == bank.id)
    found = db.session.execute(select(PendingImport.format, PendingImport.filename,
                                      PendingImport.data)
                               .where(*mine, PendingImport.created_at >= now - PENDING_TTL)).first()
    db.session.commit()  # parse outside any transaction (see `stage`)
    if found is None:
        raise NotFound(EXPIRED)
    result = read_upload(found.format, found.data, found.filename)
    claimed = db.session.execute(delete(PendingImport).where(*mine)
                                 .returning(PendingImport.id)
                                 .execution_options(synchronize_session=False)).first()
    if claimed is None:
        db.session.rollback()
        raise NotFound(EXPIRED)
    return apply(user_id, bank, result, now, f"import from {found.filename}")
