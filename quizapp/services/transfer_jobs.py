"""Imports too large for a request: the upload is kept, then read, previewed and applied by a
worker (services.jobs), calling the transfer service's own parse, preview and apply."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Bank, Job, PendingImport
from quizapp.services import transfer
from quizapp.services.errors import ServiceError

Report = Callable[[int, str], None]
SHOWN = 100  # keys and rejections kept in a job's result; the counts are always whole


def stash_upload(user_id: int, bank: Bank, format_name: str, filename: str, data: bytes,
                 now: datetime, cap: int) -> PendingImport:
    """Keep an upload (unread) for a dry-run job; the user holds at most `cap` of them."""
    format_name = transfer.resolve_format(format_name, data, filename)
    return transfer.keep_upload(user_id, bank.id, format_name, filename, data, now, cap)


def _summary(plan: transfer.ImportPreview) -> dict[str, Any]:
    return {"added": len(plan.added), "changed": len(plan.changed),
            "unchanged": len(plan.unchanged), "rejected": len(plan.rejected),
            "added_keys": plan.added[:SHOWN], "changed_keys": plan.changed[:SHOWN],
            "rejections": [str(r) for r in plan.rejected[:SHOWN]], "count": plan.count,
            "new_topics": plan.new_topics[:SHOWN],
            "check_failing": len(plan.check_failures),
            "check_failures": [f"{key}: {'; '.join(problems)}"
                               for key, problems in plan.check_failures[:SHOWN]]}


def _load(job: Job, *, claimed: bool) -> tuple[PendingImport, Bank]:
    pending = db.session.get(PendingImport, job.params["pending_id"])
    if pending is None or pending.user_id != job.user_id or (
            (pending.claimed_at is not None) != claimed):
        raise ServiceError(transfer.EXPIRED)
    bank = db.session.get(Bank, pending.bank_id)
    if bank is None:
        raise ServiceError("That bank no longer exists.")
    return pending, bank


def run_preview(job: Job, now: datetime, report: Report) -> dict[str, Any]:
    """The dry run: parse and compare, write nothing but the job's result."""
    pending, bank = _load(job, claimed=False)
    report(10, f"Reading {pending.filename}")
    result = transfer.read_upload(pending.format, pending.data, pending.filename, bank.policy)
    report(60, f"Comparing {len(result.questions)} questions with the bank")
    plan = transfer.preview(bank, result)
    return {**_summary(plan), "bank_id": bank.id, "token": pending.token}


def run_apply(job: Job, now: datetime, report: Report) -> dict[str, Any]:
    """Parse, then apply in the job's one transaction, which also deletes the upload and marks
    the job done (services.jobs): a worker killed before its commit leaves the bank, the
    upload and the job as they were."""
    pending, bank = _load(job, claimed=True)
    bank_id, filename = bank.id, pending.filename
    report(10, f"Reading {filename}")
    result = transfer.read_upload(pending.format, pending.data, filename, bank.policy)
    report(40, f"Writing {len(result.questions)} questions")
    unit_of_work.write()  # no progress from here on: the job's unit of work holds the lock
    plan = transfer.apply(job.user_id, bank_id, result, now, f"import from {filename}")
    db.session.delete(pending)
    return {**_summary(plan), "bank_id": bank.id}


def run_export(job: Job, report: Report) -> dict[str, Any]:
    """Export a bank to a file kept on the job, for its download link."""
    bank = db.session.get(Bank, job.params["bank_id"])
    if bank is None:
        raise ServiceError("That bank no longer exists.")
    report(10, f"Writing {bank.title}")
    export = transfer.export_bank(bank, job.params["format"])
    unit_of_work.write()
    job.payload = export.data
    return {"bank_id": bank.id, "filename": export.filename, "media_type": export.media_type,
            "bytes": len(export.data), "left_out": [str(r) for r in export.left_out[:SHOWN]],
            "left_out_count": len(export.left_out)}
