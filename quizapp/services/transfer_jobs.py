"""Imports too large for a request: the upload is kept, then read, previewed and applied by a
worker (services.jobs), calling the transfer service's own parse, preview and apply."""

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Bank, Job, PendingImport
from quizapp.services import transfer
from quizapp.services.errors import NotFound, ServiceError

Report = Callable[[int, str], None]
SHOWN = 100  # keys and rejections kept in a job's result; the counts are always whole

EXPIRED = "That upload has expired or was already imported; upload it again."


def make_room(user_id: int, now: datetime, cap: int) -> None:
    """Purge expired uploads, and the user's oldest unclaimed ones beyond `cap - 1`."""
    unit_of_work.write()
    db.session.execute(delete(PendingImport).where(
        PendingImport.created_at < now - transfer.PENDING_TTL))
    kept = list(db.session.scalars(select(PendingImport.id).where(
        PendingImport.user_id == user_id, PendingImport.claimed_at.is_(None))
        .order_by(PendingImport.created_at.desc(), PendingImport.id.desc())))
    if len(kept) >= cap:
        db.session.execute(delete(PendingImport).where(PendingImport.id.in_(kept[cap - 1:])))


def stash_upload(user_id: int, bank: Bank, format_name: str, filename: str, data: bytes,
                 now: datetime, cap: int) -> PendingImport:
    """Keep an upload (unread) for a dry-run job; the user holds at most `cap` of them."""
    unit_of_work.write()
    make_room(user_id, now, cap)
    format_name = transfer.resolve_format(format_name, data, filename)
    pending = PendingImport(token=secrets.token_urlsafe(24), user_id=user_id, bank_id=bank.id,
                            format=format_name, filename=filename[:255], data=data,
                            created_at=now)
    db.session.add(pending)
    db.session.flush()
    return pending


def claim(user_id: int, bank: Bank, token: str, now: datetime) -> PendingImport:
    """Take the upload behind `token` for one apply job: a second claim finds nothing."""
    unit_of_work.write()
    claimed = db.session.execute(update(PendingImport).where(
        PendingImport.token == token, PendingImport.user_id == user_id,
        PendingImport.bank_id == bank.id, PendingImport.claimed_at.is_(None),
        PendingImport.created_at >= now - transfer.PENDING_TTL).values(claimed_at=now))
    if claimed.rowcount != 1:
        raise NotFound(EXPIRED)
    return db.session.scalar(select(PendingImport).where(PendingImport.token == token))


def _summary(plan: transfer.ImportPreview) -> dict[str, Any]:
    return {"added": len(plan.added), "changed": len(plan.changed),
            "unchanged": len(plan.unchanged), "rejected": len(plan.rejected),
            "added_keys": plan.added[:SHOWN], "changed_keys": plan.changed[:SHOWN],
            "rejections": [str(r) for r in plan.rejected[:SHOWN]], "count": plan.count}


def _load(job: Job, *, claimed: bool) -> tuple[PendingImport, Bank]:
    pending = db.session.get(PendingImport, job.params["pending_id"])
    if pending is None or pending.user_id != job.user_id or (
            (pending.claimed_at is not None) != claimed):
        raise ServiceError(EXPIRED)
    return pending, db.session.get(Bank, pending.bank_id)


def run_preview(job: Job, now: datetime, report: Report) -> dict[str, Any]:
    """The dry run: parse and compare, write nothing but the job's result."""
    pending, bank = _load(job, claimed=False)
    report(10, f"Reading {pending.filename}")
    result = transfer.read_upload(pending.format, pending.data, pending.filename)
    report(60, f"Comparing {len(result.questions)} questions with the bank")
    plan = transfer.preview(bank, result)
    return {**_summary(plan), "bank_id": bank.id, "token": pending.token}


def run_apply(job: Job, now: datetime, report: Report,
              finish: Callable[[dict[str, Any]], None]) -> None:
    """Apply in one transaction that also deletes the upload and marks the job done: a worker
    killed before its commit leaves the bank, the upload and the job as they were."""
    pending, bank = _load(job, claimed=True)
    report(10, f"Reading {pending.filename}")
    result = transfer.read_upload(pending.format, pending.data, pending.filename)
    report(40, f"Writing {len(result.questions)} questions")
    finish({**_summary(transfer.preview(bank, result)), "bank_id": bank.id})
    filename = pending.filename
    db.session.delete(pending)
    transfer.apply(job.user_id, bank, result, now, f"import from {filename}")


def run_export(job: Job, report: Report) -> dict[str, Any]:
    """Export a bank to a file kept on the job, for its download link."""
    bank = db.session.get(Bank, job.params["bank_id"])
    if bank is None:
        raise ServiceError("That bank no longer exists.")
    report(10, f"Writing {bank.title}")
    export = transfer.export_bank(bank, job.params["format"])
    job.payload = export.data
    return {"bank_id": bank.id, "filename": export.filename, "media_type": export.media_type,
            "bytes": len(export.data), "left_out": [str(r) for r in export.left_out[:SHOWN]],
            "left_out_count": len(export.left_out)}
