"""Import (a dry run, then all or nothing) and export of a bank."""

import io

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from quizapp.access import instructor_required
from quizapp.author import bp
from quizapp.author.forms import ApplyImportForm, ExportForm, ImportForm
from quizapp.domain.formats import FORMATS, MAX_IMPORT_BYTES, FormatError
from quizapp.domain.formats.base import check_size
from quizapp.extensions import job_queue
from quizapp.forms import add_error
from quizapp.models import Job
from quizapp.models.types import utcnow
from quizapp.services import authoring, jobs, transfer_jobs
from quizapp.services import transfer as transfer_service
from quizapp.services.errors import ServiceError


def _bank(bank_id: int):
    return authoring.get_bank_for_edit(bank_id, current_user)


@bp.route("/banks/<int:bank_id>/transfer", methods=["GET", "POST"])
@instructor_required
def transfer(bank_id: int):
    """Import (dry run, then all or nothing) and export."""
    bank = _bank(bank_id)
    form = ImportForm()
    plan = token = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_IMPORT_BYTES + 1)
        upload.close()
        try:
            staged = _stage(bank, form.format.data, upload.filename or "upload", data)
        except ServiceError as e:
            add_error(form, e)
            status = 400
        else:
            if isinstance(staged, Job):
                return _enqueue(staged)
            token, plan = staged
    elif form.is_submitted():
        status = 400
    return _transfer_page(bank, form, plan, token), status


def _stage(bank, format_name: str, filename: str, data: bytes):
    """A small upload is read and previewed here; a large one becomes a dry-run job."""
    cap = current_app.config["QUIZAPP_PENDING_UPLOADS_PER_USER"]
    if len(data) <= current_app.config["QUIZAPP_INLINE_IMPORT_BYTES"]:
        return transfer_service.stage(current_user.id, bank, format_name, filename, data,
                                      utcnow(), cap)
    try:
        check_size(data)
    except FormatError as e:
        raise ServiceError(str(e), field="file") from None
    pending = transfer_jobs.stash_upload(current_user.id, bank, format_name, filename, data,
                                         utcnow(), cap)
    return jobs.start(current_user.id, jobs.IMPORT_PREVIEW, {
        "pending_id": pending.id, "bank_id": bank.id, "filename": pending.filename}, utcnow())


def _enqueue(job):
    """Queue the job once its row is committed (the worker reads it from its own session),
    and show it."""
    job_id = job.id
    job_queue.enqueue_after_commit(job_id)
    return redirect(url_for("jobs.show", job_id=job_id))


def _transfer_page(bank, form, plan, token):
    questions = transfer_service.bank_questions(bank)
    left_out = {f.name: f.unsupported(questions) for f in FORMATS.values()}
    in_background = len(questions) > current_app.config["QUIZAPP_INLINE_EXPORT_QUESTIONS"]
    return render_template("author/transfer.html", bank=bank, form=form, plan=plan,
                           apply_form=ApplyImportForm(token=token), export_form=ExportForm(),
                           formats=FORMATS, left_out=left_out, export_in_background=in_background,
                           shown=transfer_service.PREVIEW_ITEMS)


@bp.post("/banks/<int:bank_id>/transfer/apply")
@instructor_required
def apply_import(bank_id: int):
    bank = _bank(bank_id)
    form = ApplyImportForm()
    if not form.validate_on_submit():
        abort(400, "The import could not be confirmed; upload the file again.")
    token = form.token.data
    inline = current_app.config["QUIZAPP_INLINE_IMPORT_BYTES"]
    if transfer_service.pending_size(current_user.id, bank.id, token, utcnow()) > inline:
        pending = transfer_service.claim(current_user.id, bank.id, token, utcnow())
        return _enqueue(jobs.start(current_user.id, jobs.IMPORT_APPLY, {
            "pending_id": pending.id, "bank_id": bank.id, "filename": pending.filename},
            utcnow()))
    plan = transfer_service.apply_pending(current_user.id, bank.id, token, utcnow())
    flash(f"Imported: {len(plan.added)} added, {len(plan.changed)} changed, "
          f"{len(plan.rejected)} rejected.", "success")
    return redirect(url_for("author.questions", bank_id=bank.id))


@bp.route("/banks/<int:bank_id>/export", methods=["GET", "POST"])
@instructor_required
def export(bank_id: int):
    """GET: the file at once. POST (offered for large banks): an export job, then a link."""
    bank = _bank(bank_id)
    form = ExportForm(request.form if request.method == "POST" else request.args)
    if not form.validate():
        abort(400, "Choose one of the listed formats.")
    if request.method == "POST":
        return _enqueue(jobs.start(current_user.id, jobs.EXPORT, {
            "bank_id": bank.id, "format": form.format.data,
            "filename": f"{bank.slug}.{FORMATS[form.format.data].extension}"}, utcnow()))
    result = transfer_service.export_bank(bank, form.format.data)
    response = send_file(io.BytesIO(result.data), mimetype=result.media_type,
                         as_attachment=True, download_name=result.filename)
    if result.left_out:
        response.headers["X-Quizapp-Left-Out"] = str(len(result.left_out))
    return response
