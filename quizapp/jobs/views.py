"""A job's page (progress bar, then its result), its JSON for the page's poll, and retry."""

import io
from datetime import timedelta

from flask import abort, current_app, jsonify, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from quizapp.author.forms import ApplyImportForm
from quizapp.extensions import job_queue
from quizapp.forms import ActionForm
from quizapp.jobs import bp
from quizapp.models.types import utcnow
from quizapp.services import jobs


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["QUIZAPP_JOB_LEASE_SECONDS"])


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int):
    job = jobs.get_for_user(job_id, current_user.id)
    state = jobs.status(job, utcnow(), _lease())
    apply_form = None
    if job.kind == jobs.IMPORT_PREVIEW and state.state == "done" and job.result["count"]:
        apply_form = ApplyImportForm(token=job.result["token"])
    return _no_store(current_app.make_response(render_template(
        "jobs/job.html", job=job, status=state, label=jobs.LABELS.get(job.kind, job.kind),
        apply_form=apply_form, retry_form=ActionForm())))


@bp.get("/<int:job_id>.json")
@login_required
def status(job_id: int):
    job = jobs.get_for_user(job_id, current_user.id)
    return _no_store(jsonify(jobs.status(job, utcnow(), _lease()).as_json()))


@bp.get("/<int:export_id>/download")
@login_required
def download(export_id: int):
    job = jobs.export_for_user(export_id, current_user.id)
    response = send_file(io.BytesIO(job.payload), mimetype=job.result["media_type"],
                         as_attachment=True, download_name=job.result["filename"])
    return _no_store(response)


@bp.post("/<int:job_id>/retry")
@login_required
def retry(job_id: int):
    job = jobs.get_for_user(job_id, current_user.id)
    if not ActionForm().validate_on_submit():
        abort(400, "The retry could not be confirmed; reload the page and try again.")
    jobs.retry(job.id, utcnow(), _lease())
    job_queue.enqueue_after_commit(job_id)
    return redirect(url_for("jobs.show", job_id=job_id))
