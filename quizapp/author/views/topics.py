"""A bank's topics: the list with their use, and adding, renaming, merging and deleting one.

The owner and the bank's editors manage topics. Every form posts; bad input re-renders the
page with a 400 and the message, and nothing is written.
"""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from quizapp import unit_of_work
from quizapp.access import instructor_required
from quizapp.author import bp
from quizapp.author.forms import MergeTopicForm, RenameTopicForm, TopicForm
from quizapp.forms import ActionForm, add_error
from quizapp.models import Bank
from quizapp.models.types import utcnow
from quizapp.services import authoring, topics
from quizapp.services.errors import Forbidden, NotFound, ServiceError


def _page(bank: Bank, *, form: TopicForm | None = None, error: str | None = None,
          status: int = 200):
    found = topics.bank_topics(bank.id)
    merge_form = MergeTopicForm()
    return render_template("author/topics.html", bank=bank, topics=found,
                           usage=topics.usage(bank.id), form=form or TopicForm(formdata=None),
                           rename_form=RenameTopicForm(formdata=None), merge_form=merge_form,
                           action_form=ActionForm(), error=error), status


def _refused(bank_id: int, error: ServiceError):
    if isinstance(error, NotFound | Forbidden):
        raise error  # quizapp/errors.py answers 404 / 403
    unit_of_work.finish(commit=False)  # nothing was written; render outside the write
    return _page(authoring.get_bank_for_edit(bank_id, current_user), error=str(error),
                 status=400)


@bp.route("/banks/<int:bank_id>/topics", methods=["GET", "POST"])
@instructor_required
def topics_page(bank_id: int):
    bank = authoring.get_bank_for_edit(bank_id, current_user)
    form = TopicForm()
    if form.validate_on_submit():
        try:
            topic = topics.create_topic(bank.id, form.label.data, form.slug.data or None)
        except ServiceError as e:
            unit_of_work.finish(commit=False)
            add_error(form, e)
        else:
            flash(f"Topic “{topic.label}” added.", "success")
            return redirect(url_for("author.topics_page", bank_id=bank_id))
    elif not form.is_submitted():
        form = TopicForm(formdata=None)
    return _page(authoring.get_bank_for_edit(bank_id, current_user), form=form,
                 status=400 if form.is_submitted() else 200)


@bp.post("/banks/<int:bank_id>/topics/<int:topic_id>/rename")
@instructor_required
def rename_topic(bank_id: int, topic_id: int):
    authoring.get_bank_for_edit(bank_id, current_user)
    form = RenameTopicForm()
    if not form.validate_on_submit():
        return _refused(bank_id, ServiceError("Give the topic a new name (at most 120 "
                                              "characters)."))
    try:
        topic = topics.rename_topic(bank_id, topic_id, form.label.data)
    except ServiceError as e:
        return _refused(bank_id, e)
    flash(f"Topic renamed to “{topic.label}”.", "success")
    return redirect(url_for("author.topics_page", bank_id=bank_id))


@bp.post("/banks/<int:bank_id>/topics/<int:topic_id>/merge")
@instructor_required
def merge_topic(bank_id: int, topic_id: int):
    authoring.get_bank_for_edit(bank_id, current_user)
    form = MergeTopicForm()
    if not form.validate_on_submit():
        return _refused(bank_id, ServiceError("Pick the topic to merge into."))
    try:
        moved = topics.merge_topics(bank_id, topic_id, form.into.data, author_id=current_user.id,
                                    now=utcnow())
    except ServiceError as e:
        return _refused(bank_id, e)
    flash(f"Topics merged; {moved} question{'' if moved == 1 else 's'} moved.", "success")
    return redirect(url_for("author.topics_page", bank_id=bank_id))


@bp.post("/banks/<int:bank_id>/topics/<int:topic_id>/delete")
@instructor_required
def delete_topic(bank_id: int, topic_id: int):
    authoring.get_bank_for_edit(bank_id, current_user)
    if not ActionForm().validate_on_submit():
        return _refused(bank_id, ServiceError("The form could not be read; try again."))
    try:
        topics.delete_topic(bank_id, topic_id)
    except ServiceError as e:
        return _refused(bank_id, e)
    flash("Topic deleted.", "success")
    return redirect(url_for("author.topics_page", bank_id=bank_id))
