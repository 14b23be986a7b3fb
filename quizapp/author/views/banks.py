"""Banks: the list, creating one, its settings, its editors, archiving."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quizapp import unit_of_work
from quizapp.access import instructor_required
from quizapp.author import bp
from quizapp.author.forms import ArchiveForm, BankForm, EditorsForm, PublishForm
from quizapp.domain.bank_rules import TRACED
from quizapp.forms import add_error
from quizapp.models.types import utcnow
from quizapp.services import authoring
from quizapp.services.errors import ServiceError


@bp.get("/")
@instructor_required
def banks():
    found = authoring.editable_banks(current_user)
    return render_template("author/banks.html", banks=found,
                           counts=authoring.bank_counts([b.id for b in found]))


@bp.route("/banks/new", methods=["GET", "POST"])
@instructor_required
def new_bank():
    form = BankForm(policy=TRACED) if request.method == "GET" else BankForm()
    if form.validate_on_submit():
        try:
            bank = authoring.save_bank(current_user.id, slug=form.slug.data,
                                       title=form.title.data,
                                       description=form.description.data or "",
                                       article=form.article.data,
                                       policy=form.policy.data or None,
                                       now=utcnow())
        except ServiceError as e:
            unit_of_work.finish(commit=False)  # nothing was written; render outside the write
            add_error(form, e)
        else:
            flash("Bank created. It is a draft: learners see it once you publish it.",
                  "success")
            return redirect(url_for("author.questions", bank_id=bank.id))
    return render_template("author/bank_form.html", form=form, bank=None), \
        (400 if form.is_submitted() else 200)


@bp.route("/banks/<int:bank_id>", methods=["GET", "POST"])
@instructor_required
def edit_bank(bank_id: int):
    bank = authoring.get_bank_for_owner(bank_id, current_user)
    form = BankForm(obj=bank if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            authoring.save_bank(current_user.id, slug=form.slug.data, title=form.title.data,
                                description=form.description.data or "",
                                article=form.article.data, policy=form.policy.data or None,
                                now=utcnow(), bank_id=bank.id)
        except ServiceError as e:
            unit_of_work.finish(commit=False)
            add_error(form, e)
        else:
            flash("Bank saved.", "success")
            return redirect(url_for("author.edit_bank", bank_id=bank_id))
    editors = EditorsForm(editors=", ".join(e.username for e in bank.editors))
    return render_template("author/bank_form.html", form=form, bank=bank, editors_form=editors,
                           archive_form=ArchiveForm()), (400 if form.is_submitted() else 200)


@bp.post("/banks/<int:bank_id>/editors")
@instructor_required
def set_editors(bank_id: int):
    authoring.get_bank_for_owner(bank_id, current_user)
    form = EditorsForm()
    if not form.validate_on_submit():
        abort(400, "The editors list could not be read.")
    missing = authoring.set_editors(bank_id, (form.editors.data or "").split(","))
    if missing:
        flash("Not instructors, left out: " + ", ".join(missing), "warning")
    flash("Editors saved.", "success")
    return redirect(url_for("author.edit_bank", bank_id=bank_id))


@bp.post("/banks/<int:bank_id>/archive")
@instructor_required
def archive_bank(bank_id: int):
    """Archive (or, with restore=1, restore): what the button said, so sending it twice
    changes the bank once."""
    authoring.get_bank_for_owner(bank_id, current_user)
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400, "The form could not be read.")
    archived = not form.restoring()
    changed = authoring.set_bank_archived(bank_id, archived)
    if changed:
        flash("Bank archived." if archived else "Bank restored.", "info")
    else:
        flash("The bank was already archived." if archived else "The bank was already active.",
              "info")
    return redirect(url_for("author.banks"))


@bp.post("/banks/<int:bank_id>/publish")
@instructor_required
def publish_bank(bank_id: int):
    """Publish (or, with unpublish=1, unpublish): what the button said, as archiving."""
    authoring.get_bank_for_owner(bank_id, current_user)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400, "The form could not be read.")
    publishing = form.publishing()
    changed = authoring.set_bank_published(bank_id, publishing, utcnow())  # empty: a 400
    if not changed:
        flash("The bank was already published." if publishing
              else "The bank was already a draft.", "info")
    elif publishing:
        flash("Bank published: learners can now study it and take quizzes on it.", "success")
    else:
        flash("Bank unpublished: it is a draft again. New learners cannot start it; those who "
              "studied it keep their cards and progress.", "info")
    return redirect(url_for("author.questions", bank_id=bank_id))
