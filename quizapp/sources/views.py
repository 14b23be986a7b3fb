from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp.domain.articles import ArticleFormatError
from quizapp.domain.bank_review import MAX_PER_PARAGRAPH
from quizapp.domain.source_text import decode_upload
from quizapp.models.types import utcnow
from quizapp.services import authoring, sources
from quizapp.services.errors import ServiceError
from quizapp.sources import bp
from quizapp.sources.forms import SourceForm


@bp.get("/<slug>")
@login_required
def article(slug: str):
    found = sources.get_article(slug) or abort(404, "That source article is not loaded.")
    highlight = request.args.get("p", type=int)
    return render_template("sources/article.html", article=found, highlight=highlight)


def _submitted(form: SourceForm):
    """The form's source parsed (slow work, before any write). ServiceError with the reason."""
    if not form.validate():
        raise ServiceError("Check the form.", field="title")
    upload = form.file.data
    text = form.text.data or ""
    if upload and getattr(upload, "filename", ""):
        limit = current_app.config["SOURCE_MAX_BYTES"]
        data = upload.read(limit + 1)
        upload.close()
        try:
            text = decode_upload(upload.filename, data, limit)
        except ArticleFormatError as error:
            raise ServiceError(str(error), field="file") from None
    elif len(text.encode("utf-8")) > current_app.config["SOURCE_MAX_BYTES"]:
        raise ServiceError("The text is over the size limit.", field="text")
    return sources.parse_source(text, form.title.data or "")


@bp.route("/banks/<int:bank_id>", methods=["GET", "POST"])
@login_required
def bank_sources(bank_id: int):
    bank = authoring.get_bank_for_edit(bank_id, current_user)
    form, status, error = SourceForm(), 200, None
    if request.method == "POST":
        try:
            parsed = _submitted(form)
        except ServiceError as refused:  # nothing written yet: the form again, with why
            status, error = 400, str(refused)
        else:
            added = sources.add_source(bank.id, parsed)
            flash(f"Source added: cite its paragraphs as {added.slug}#n.", "success")
            return redirect(url_for("sources.bank_source", bank_id=bank.id, slug=added.slug))
    return render_template("sources/bank.html", bank=bank, form=form, error=error,
                           articles=sources.bank_sources(bank.id),
                           summary=sources.check_summary(bank)), status


@bp.route("/banks/<int:bank_id>/<slug>", methods=["GET", "POST"])
@login_required
def bank_source(bank_id: int, slug: str):
    bank = authoring.get_bank_for_edit(bank_id, current_user)
    form, status, error, report = SourceForm(), 200, None, None
    if request.method == "POST":
        try:
            parsed = _submitted(form)
        except ServiceError as refused:  # the old version stays as it was
            status, error = 400, str(refused)
        else:
            report = sources.replace_source(bank.id, slug, parsed, author_id=current_user.id,
                                            now=utcnow())
    found = next((a for a in sources.bank_sources(bank.id) if a.slug == slug), None)
    if found is None:
        abort(404, "That source is not one of this bank's sources.")
    return render_template("sources/source.html", bank=bank, article=found, form=form,
                           error=error, report=report), status


@bp.get("/banks/<int:bank_id>/check")
@login_required
def check(bank_id: int):
    bank = authoring.get_bank_for_edit(bank_id, current_user)
    return render_template("sources/check.html", bank=bank,
                           summary=sources.check_summary(bank, habits=True),
                           max_per_paragraph=MAX_PER_PARAGRAPH)

