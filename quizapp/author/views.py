import io
from types import SimpleNamespace

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from pydantic import ValidationError

from quizapp.access import instructor_required
from quizapp.author import bp
from quizapp.author.forms import (
    MAX_ROWS,
    ROW_LISTS,
    ApplyImportForm,
    BankForm,
    EditorsForm,
    ExportForm,
    ImportForm,
    QuestionForm,
    RevertForm,
)
from quizapp.domain import quiz as rules
from quizapp.domain.diff import diff_snapshots
from quizapp.domain.formats import FORMATS, MAX_IMPORT_BYTES, FormatError
from quizapp.domain.formats.base import check_size
from quizapp.domain.messages import plain_message
from quizapp.domain.questions import CITATION_RE, QUESTION_TYPES, TYPE_LABELS
from quizapp.domain.tags import TAGS
from quizapp.extensions import db, job_queue
from quizapp.forms import ActionForm, add_error, whole_number
from quizapp.models import Job
from quizapp.models.types import utcnow
from quizapp.presenting import card_faces, cloze_parts, prompt_html
from quizapp.quiz.forms import answer_form
from quizapp.services import authoring, jobs, sources, transfer_jobs
from quizapp.services import transfer as transfer_service
from quizapp.services.banks import question_snapshot
from quizapp.services.errors import Conflict, Forbidden, NotFound, ServiceError


def _load(getter, *args):
    """Load-and-authorise through a service getter: 404 if missing, 403 if not allowed."""
    try:
        return getter(*args)
    except NotFound as e:
        abort(404, str(e))
    except Forbidden as e:
        abort(403, str(e))


def _bank(bank_id: int):
    return _load(authoring.get_bank_for_edit, bank_id, current_user)


def _owned_bank(bank_id: int):
    return _load(authoring.get_bank_for_owner, bank_id, current_user)


def _question(bank, question_id: int):
    return _load(authoring.get_question_for_edit, bank, question_id)


@bp.get("/")
@instructor_required
def banks():
    found = authoring.editable_banks(current_user)
    return render_template("author/banks.html", banks=found,
                           counts=authoring.question_counts([b.id for b in found]))


@bp.route("/banks/new", methods=["GET", "POST"])
@instructor_required
def new_bank():
    form = BankForm()
    if form.validate_on_submit():
        try:
            bank = authoring.save_bank(current_user, slug=form.slug.data, title=form.title.data,
                                       description=form.description.data or "",
                                       article=form.article.data, now=utcnow())
        except ServiceError as e:
            add_error(form, e)
        else:
            flash("Bank created.", "success")
            return redirect(url_for("author.questions", bank_id=bank.id))
    return render_template("author/bank_form.html", form=form, bank=None), \
        (400 if form.is_submitted() else 200)


@bp.route("/banks/<int:bank_id>", methods=["GET", "POST"])
@instructor_required
def edit_bank(bank_id: int):
    bank = _owned_bank(bank_id)
    form = BankForm(obj=bank if request.method == "GET" else None)
    editors = EditorsForm(editors=", ".join(e.username for e in bank.editors))
    if form.validate_on_submit():
        try:
            authoring.save_bank(current_user, slug=form.slug.data, title=form.title.data,
                                description=form.description.data or "",
                                article=form.article.data, now=utcnow(), bank=bank)
        except ServiceError as e:
            add_error(form, e)
        else:
            flash("Bank saved.", "success")
            return redirect(url_for("author.edit_bank", bank_id=bank.id))
    return render_template("author/bank_form.html", form=form, bank=bank, editors_form=editors,
                           action_form=ActionForm()), (400 if form.is_submitted() else 200)


@bp.post("/banks/<int:bank_id>/editors")
@instructor_required
def set_editors(bank_id: int):
    bank = _owned_bank(bank_id)
    form = EditorsForm()
    if not form.validate_on_submit():
        abort(400, "The editors list could not be read.")
    missing = authoring.set_editors(bank, (form.editors.data or "").split(","))
    if missing:
        flash("Not instructors, left out: " + ", ".join(missing), "warning")
    flash("Editors saved.", "success")
    return redirect(url_for("author.edit_bank", bank_id=bank.id))


@bp.post("/banks/<int:bank_id>/archive")
@instructor_required
def archive_bank(bank_id: int):
    bank = _owned_bank(bank_id)
    authoring.set_bank_archived(bank, not bank.archived)
    flash("Bank archived." if bank.archived else "Bank restored.", "info")
    return redirect(url_for("author.banks"))


@bp.get("/banks/<int:bank_id>/questions")
@instructor_required
def questions(bank_id: int):
    bank = _bank(bank_id)
    args = request.args
    status = args.get("status", "active")
    if status not in ("active", "archived", "all"):
        status = "active"
    found = authoring.list_questions(
        bank, text=args.get("q", "")[:200], qtype=args.get("type", "")[:32],
        tag=args.get("tag", "")[:64], status=status)
    return render_template("author/questions.html", bank=bank, questions=found, args=args,
                           status=status, types=TYPE_LABELS, tags=TAGS,
                           action_form=ActionForm())


def _error_field(error: dict) -> str | None:
    if error["loc"]:
        return str(error["loc"][0])
    text = error["msg"]
    for name in ("options", "gaps", "pairs", "items", "answers"):
        if name.rstrip("s") in text:
            return name
    return None


def _preview(spec) -> SimpleNamespace:
    snap = spec.model_dump(mode="json", exclude_none=True)
    shown = rules.shown_options(snap, 0, 0)
    q = SimpleNamespace(type=snap["type"], snapshot=snap, prompt=prompt_html(snap),
                        cloze_parts=cloze_parts(snap["prompt"]) if snap["type"] == "cloze"
                        else [])
    return SimpleNamespace(q=q, form=answer_form(snap, shown),
                           card={"faces": card_faces(snap)})


@bp.route("/banks/<int:bank_id>/questions/new", methods=["GET", "POST"])
@bp.route("/banks/<int:bank_id>/questions/<int:question_id>", methods=["GET", "POST"])
@instructor_required
def editor(bank_id: int, question_id: int | None = None):
    bank = _bank(bank_id)
    question = _question(bank, question_id) if question_id is not None else None
    form = QuestionForm()
    if request.method == "GET":
        if question is not None:
            form.load(question_snapshot(question), question.revision)
        else:
            form.type.data = request.args.get("type") if request.args.get("type") in \
                QUESTION_TYPES else "single_choice"
            form.source.data = f"{bank.article}#" if bank.article else ""
    status, preview, warnings = 200, None, []
    add_row = request.form.get("add_row")
    if request.method == "POST" and (add_row or request.form.get("switch_type")):
        rows = getattr(form, add_row) if add_row in ROW_LISTS else None
        if rows is not None and len(rows.entries) >= MAX_ROWS:
            rows.errors = [*rows.errors, f"A list holds at most {MAX_ROWS} rows."]
            status = 400
        elif rows is not None:
            rows.append_entry()
    elif form.validate_on_submit():
        try:
            spec = QUESTION_TYPES[form.type.data].model_validate(form.question_data())
        except ValidationError as e:
            for error in e.errors():
                add_error(form, ServiceError(plain_message(error), field=_error_field(error)))
            status = 400
        else:
            if form.preview.data:
                preview = _preview(spec)
            else:
                try:
                    result = authoring.save_question(
                        bank, spec, author_id=current_user.id, now=utcnow(),
                        message=form.message.data or "", question=question,
                        expected_revision=whole_number(form.revision.data) if question
                        else None)
                except Conflict as e:
                    form.form_errors.append(str(e))
                    status = 409
                except ServiceError as e:
                    add_error(form, e)
                    status = 400
                else:
                    for problem in result.warnings:
                        flash(f"Source check: {problem.message}", "warning")
                    flash("Saved.", "success")
                    return redirect(url_for("author.editor", bank_id=bank.id,
                                            question_id=result.question.id))
    elif request.method == "POST":
        status = 400
    citations = (form.source.data or "").replace(",", " ").split()
    cited = sources.cited_paragraphs(citations)
    return render_template("author/editor.html", bank=bank, question=question, form=form,
                           preview=preview, cited=cited, row_lists=ROW_LISTS,
                           cited_hint=None if cited else _cited_hint(citations),
                           action_form=ActionForm(), warnings=warnings), status


def _cited_hint(citations: list[str]) -> str:
    """Why the cited-paragraph box is empty."""
    loaded = sources.loaded_slugs()
    if not loaded:
        return "Load the source articles (flask source load DIR) to see the cited paragraphs here."
    if not any(CITATION_RE.match(c) for c in citations):
        return "Cite a paragraph as article#number (for example trafficking#11) to see it here."
    return ("No loaded article has the cited paragraph. Loaded articles: "
            + ", ".join(sorted(loaded)) + ".")


@bp.post("/banks/<int:bank_id>/questions/<int:question_id>/duplicate")
@instructor_required
def duplicate(bank_id: int, question_id: int):
    bank = _bank(bank_id)
    copy = authoring.duplicate_question(bank, _question(bank, question_id),
                                        author_id=current_user.id, now=utcnow())
    flash("Copied. You are editing the copy.", "success")
    return redirect(url_for("author.editor", bank_id=bank.id, question_id=copy.id))


@bp.post("/banks/<int:bank_id>/questions/<int:question_id>/archive")
@instructor_required
def archive_question(bank_id: int, question_id: int):
    bank = _bank(bank_id)
    question = _question(bank, question_id)
    authoring.set_question_archived(question, not question.archived)
    flash("Question archived: learners keep their history." if question.archived
          else "Question restored.", "info")
    return redirect(url_for("author.questions", bank_id=bank.id))


@bp.get("/banks/<int:bank_id>/questions/<int:question_id>/history")
@instructor_required
def history(bank_id: int, question_id: int):
    bank = _bank(bank_id)
    question = _question(bank, question_id)
    revisions = authoring.revisions(question)
    numbers = [r.number for r in revisions]
    newest = numbers[0]
    a = request.args.get("a", type=int) or max(newest - 1, 1)
    b = request.args.get("b", type=int) or newest
    if a not in numbers or b not in numbers:
        abort(404, "No such revision.")
    by_number = {r.number: r for r in revisions}
    lines = diff_snapshots(by_number[a].snapshot, by_number[b].snapshot)
    return render_template("author/history.html", bank=bank, question=question,
                           revisions=revisions, a=a, b=b, lines=lines, revert_form=RevertForm())


@bp.post("/banks/<int:bank_id>/questions/<int:question_id>/revert")
@instructor_required
def revert(bank_id: int, question_id: int):
    bank = _bank(bank_id)
    question = _question(bank, question_id)
    form = RevertForm()
    if not form.validate_on_submit():
        abort(400, "Which revision? The request did not say.")
    try:
        authoring.revert(bank, question, form.number.data, author_id=current_user.id,
                         now=utcnow())
    except NotFound as e:
        abort(404, str(e))
    except Conflict as e:
        abort(409, str(e))
    flash(f"Reverted to revision {form.number.data} (saved as a new revision).", "success")
    return redirect(url_for("author.history", bank_id=bank.id, question_id=question.id))


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
    """Commit the job's row (the worker reads it from its own session), queue it, show it."""
    job_id = job.id  # read before the commit: a read after it would open a new transaction
    db.session.commit()
    job_queue.enqueue(job_id)
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
