"""Import and export of banks: the same code behind the pages and `flask bank import/export`."""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from quizapp import unit_of_work
from quizapp.domain import bank_rules
from quizapp.domain.bank_file import BankHeader, BankTopic
from quizapp.domain.formats import FORMATS, FormatError, ImportResult, Rejection
from quizapp.domain.formats.detect import detect_format
from quizapp.domain.questions import QuestionBase, snapshot
from quizapp.extensions import db
from quizapp.models import Bank, PendingImport, Question, Topic
from quizapp.qtypes.registry import SCHEMAS
from quizapp.services import sources, study, topics
from quizapp.services.banks import insert_questions, question_snapshot, update_questions
from quizapp.services.errors import NotFound, ServiceError

PENDING_TTL = timedelta(hours=2)
_QUESTION = Question.__table__
PREVIEW_ITEMS = 50  # keys and rejections the dry run's page lists; the rest are counted
EXPIRED = "That upload has expired or was already imported; upload it again."


def find_bank(slug: str) -> Bank | None:
    return db.session.scalar(select(Bank).where(Bank.slug == slug))


def get_or_create_bank(slug: str, header: BankHeader | None) -> Bank:
    unit_of_work.write()
    bank = find_bank(slug)
    if bank is None:
        bank = Bank(slug=slug, title=header.title if header else slug,
                    description=header.description if header else "",
                    article=header.article if header else None, created_at=datetime.now(UTC),
                    policy=header.policy if header else "traced",
                    published_at=datetime.now(UTC))  # the operator's import (CLI): published
        db.session.add(bank)
        db.session.flush()
    return bank


def bank_header(bank: Bank) -> BankHeader:
    """The bank's header as its files carry it, with its topics in the bank's order."""
    declared = tuple(BankTopic(slug=slug, label=label)
                     for slug, label in topics.labels(bank.id).items())
    return BankHeader(slug=bank.slug, title=bank.title, description=bank.description or "",
                      article=bank.article, policy=bank.policy, topics=declared or None)


def bank_questions(bank: Bank) -> list[QuestionBase]:
    rows = db.session.scalars(select(Question).where(
        Question.bank_id == bank.id, Question.archived.is_(False))
        .order_by(Question.position, Question.id))
    return [SCHEMAS[q.type].model_validate(question_snapshot(q), context=bank_rules.STORED)
            for q in rows]


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
    new_topics: list[str] = field(default_factory=list)  # slugs the bank gets by the import
    # A traced bank with sources: (key, problems) of the added or changed questions that
    # would fail the source check. A warning, as in the editor: they are imported all the same.
    check_failures: list[tuple[str, list[str]]] = field(default_factory=list)

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


def read_upload(format_name: str | None, data: bytes, filename: str,
                policy: str | None = None) -> ImportResult:
    """Parse an upload for a bank of `policy` (None: traced, the stricter); `format_name`
    "detect" (or None) detects the format first."""
    fmt = FORMATS.get(resolve_format(format_name, data, filename))
    if fmt is None or not fmt.can_import:
        raise ServiceError("Choose a format that can be imported.", field="format")
    try:
        return fmt.parse(data, filename, traced=bank_rules.context(policy)["traced"])
    except FormatError as e:
        raise ServiceError(str(e), field="file") from None


def preview(bank: Bank, result: ImportResult) -> ImportPreview:
    """What importing would do, without writing anything: the questions added, changed,
    unchanged and rejected, the topics the bank does not have yet, and (traced bank) the
    questions that would fail the source check."""
    plan = _plan({row.key: row for row in db.session.execute(
        select(_QUESTION).where(_QUESTION.c.bank_id == bank.id))}, result)
    taken = {*plan.added, *plan.changed}
    wanted = [tag for spec in result.questions if spec.key in taken for tag in spec.tags]
    have = set(db.session.scalars(select(Topic.slug).where(Topic.bank_id == bank.id)))
    plan.new_topics = [t for t in dict.fromkeys(wanted) if t not in have]
    if bank.policy == bank_rules.TRACED:
        plan.check_failures = sources.failing_checks(
            bank.id, [snapshot(spec) for spec in result.questions if spec.key in taken])
    return plan


def _plan(existing: dict[str, Any], result: ImportResult) -> ImportPreview:
    out = ImportPreview(rejected=[*result.rejected, *result.skipped_types])
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


def make_room(user_id: int, now: datetime, cap: int) -> None:
    """Drop expired uploads, and this user's oldest unclaimed ones beyond `cap - 1`, so that
    the one about to be kept makes `cap` (QUIZAPP_PENDING_UPLOADS_PER_USER)."""
    unit_of_work.write()
    db.session.execute(delete(PendingImport).where(PendingImport.created_at < now - PENDING_TTL))
    kept = list(db.session.scalars(select(PendingImport.id).where(
        PendingImport.user_id == user_id, PendingImport.claimed_at.is_(None))
        .order_by(PendingImport.created_at.desc(), PendingImport.id.desc())))
    if len(kept) >= cap:
        db.session.execute(delete(PendingImport).where(PendingImport.id.in_(kept[cap - 1:])))


def keep_upload(user_id: int, bank_id: int, format_name: str, filename: str, data: bytes,
                now: datetime, cap: int) -> PendingImport:
    """Keep an upload until its owner confirms it (or a job reads it); at most `cap` each."""
    unit_of_work.write()
    make_room(user_id, now, cap)
    pending = PendingImport(token=secrets.token_urlsafe(24), user_id=user_id, bank_id=bank_id,
                            format=format_name, filename=filename[:255], data=data,
                            created_at=now)
    db.session.add(pending)
    db.session.flush()
    return pending


def stage(user_id: int, bank: Bank, format_name: str, filename: str, data: bytes,
          now: datetime, cap: int) -> tuple[str, ImportPreview]:
    """Read and preview an upload, and keep it until the instructor confirms.

    The file is parsed and compared before `write()`: nobody's write waits for a slow parse
    (a deferred read on SQLite blocks no writer)."""
    format_name = resolve_format(format_name, data, filename)
    result = read_upload(format_name, data, filename, bank.policy)
    plan = preview(bank, result)
    pending = keep_upload(user_id, bank.id, format_name, filename, data, now, cap)
    return pending.token, plan


def _mine(user_id: int, bank_id: int, token: str, now: datetime) -> tuple:
    return (PendingImport.token == token, PendingImport.user_id == user_id,
            PendingImport.bank_id == bank_id, PendingImport.claimed_at.is_(None),
            PendingImport.created_at >= now - PENDING_TTL)


def pending_size(user_id: int, bank_id: int, token: str, now: datetime) -> int:
    """The size of the user's unclaimed upload behind `token` (NotFound if there is none),
    so a view can choose between applying it here and in a job."""
    size = db.session.scalar(select(func.length(PendingImport.data))
                             .where(*_mine(user_id, bank_id, token, now)))
    if size is None:
        raise NotFound(EXPIRED)
    return size


def claim(user_id: int, bank_id: int, token: str, now: datetime) -> PendingImport:
    """Take the upload behind `token` for one apply: the token's single use. One conditional
    UPDATE: a second claim, even at the same moment, finds it taken (PostgreSQL's UPDATE
    waits for the first to commit, then re-checks; SQLite's writers queue at `write()`)."""
    unit_of_work.write()
    claimed = db.session.execute(
        update(PendingImport).where(*_mine(user_id, bank_id, token, now))
        .values(claimed_at=now).returning(PendingImport.id)
        .execution_options(synchronize_session=False)).scalar()
    if claimed is None:
        raise NotFound(EXPIRED)
    return db.session.scalar(select(PendingImport).where(PendingImport.id == claimed)
                             .execution_options(populate_existing=True))


def apply(user_id: int | None, bank_id: int, result: ImportResult, now: datetime,
          message: str) -> ImportPreview:
    """Write every valid question (all of them, or none: the caller's unit of work commits).
    The bank's row is locked first, so two imports into one bank run one after the other."""
    unit_of_work.write()
    bank = db.session.scalar(select(Bank).where(Bank.id == bank_id).with_for_update())
    if bank is None:
        raise NotFound("That bank no longer exists.")
    existing = {row.key: row for row in db.session.execute(
        select(_QUESTION).where(_QUESTION.c.bank_id == bank_id).with_for_update())}
    plan = _plan(existing, result)
    wanted = set(plan.added) | set(plan.changed)
    position = max((row.position for row in existing.values()), default=0)
    new: list[tuple[int, QuestionBase]] = []
    changed = []
    for spec in result.questions:
        if spec.key not in wanted:
            continue
        wanted.discard(spec.key)
        row = existing.get(spec.key)
        if row is None:
            position += 1
            new.append((position, spec))
        else:
            changed.append((None, spec, row))
    if result.header is not None and result.header.topics:
        # topics the bank lacks take the file's labels; the bank's own labels stay its own
        declared = result.header.topic_labels()
        used = {t for _, spec, *_ in [*new, *changed] for t in spec.tags}
        topics.ensure_topics(bank_id, [t for t in declared if t in used], declared)
    update_questions(changed, author_id=user_id, message=message, now=now, loaded=False)
    insert_questions(bank_id, new, author_id=user_id, message=message, now=now, loaded=False)
    study.ensure_cards(now, bank_id=bank_id)
    return plan


def apply_pending(user_id: int, bank_id: int, token: str, now: datetime) -> ImportPreview:
    """Apply a dry run once. Its token is bound to its user and bank, expires after
    PENDING_TTL, and is claimed (`claim`) in the import's own transaction, which also deletes
    the upload: a replay, even one sent at the same moment, is refused with EXPIRED. The
    upload is parsed before the write lock is taken."""
    found = db.session.execute(select(PendingImport.format, PendingImport.filename,
                                      PendingImport.data)
                               .where(*_mine(user_id, bank_id, token, now))).first()
    if found is None:
        raise NotFound(EXPIRED)
    result = read_upload(found.format, found.data, found.filename,
                         db.session.scalar(select(Bank.policy).where(Bank.id == bank_id)))
    pending = claim(user_id, bank_id, token, now)
    plan = apply(user_id, bank_id, result, now, f"import from {found.filename}")
    db.session.delete(pending)
    db.session.flush()
    return plan
