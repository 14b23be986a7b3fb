from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp import unit_of_work
from quizapp.domain import typein
from quizapp.domain.grading import InvalidResponse, grade
from quizapp.domain.scheduling import answer_rating
from quizapp.extensions import db, job_queue
from quizapp.forms import ActionForm
from quizapp.models import Card
from quizapp.models.types import utcnow
from quizapp.presenting import prompt_html
from quizapp.qtypes.registry import SCHEMAS
from quizapp.services import accounts, catalogue, jobs, study, throttle
from quizapp.services.errors import NotFound
from quizapp.study import bp
from quizapp.study.forms import (
    CardActionForm,
    CheckForm,
    EnrolForm,
    GradeForm,
    SettingsForm,
    TypeInForm,
    UndoForm,
)
from quizapp.study.presenting import (
    RATING_NAMES,
    card_view,
    current_snapshot,
    local_time,
    payload,
    undo_submission_id,
)


def _wants_json() -> bool:
    return request.is_json


def _error(message: str, status: int = 400):
    if _wants_json():
        return jsonify(error=message), status
    abort(status, message)


def _problems(form) -> str:
    """A form's errors in one line, for a JSON answer."""
    return "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in form.errors.items())


@bp.get("/")
@login_required
def review():
    now = utcnow()
    queue = study.queue(current_user, now)
    if not study.enrolments(current_user.id):
        return redirect(url_for("study.banks"))
    form = TypeInForm(request.args)
    view = suggestion = None
    show = False
    if queue.card is not None:
        card = queue.card
        if form.card.data and form.show.data and form.validate():
            requested = _own_card(form.card.data)
            card, show = requested, True
        view = card_view(current_user, card, now)
        if show and view["type_in"] and form.answer.data:
            suggestion = _suggest(card, form.answer.data)
    return render_template(
        "study/review.html", queue=queue, view=view, show=show, suggestion=suggestion,
        ratings=RATING_NAMES, next_due=local_time(current_user, queue.next_due),
        action_form=ActionForm(), typein_form=form, undo_submission_id=undo_submission_id(),
    ), (400 if request.args and form.errors else 200)


def _own_card(card_id: int) -> Card:
    card = db.session.get(Card, card_id)
    if card is None or card.user_id != current_user.id:
        raise NotFound("No such card.")
    return card


def _suggest(card: Card, answer: str) -> dict:
    """The grader's suggestion for a typed answer, and how the answer differs from it."""
    snapshot = current_snapshot(card)
    fields = SCHEMAS[snapshot["type"]].answer_fields
    comparison = typein.compare(snapshot, answer)
    try:
        result = grade(snapshot["type"], {f: snapshot.get(f) for f in fields}, answer)
    except InvalidResponse as e:
        rating, feedback, correct = 1, str(e), False
    else:
        rating, feedback = answer_rating(result.score, result.correct), result.feedback
        correct = result.correct
    return {"rating": rating, "rating_name": RATING_NAMES[rating], "feedback": feedback,
            "correct": correct, "comparison": comparison}


@bp.post("/review")
@login_required
def grade_card():
    form = GradeForm()
    if not form.validate():
        return _error("That grade could not be read: " + _problems(form))
    now = utcnow()
    result = study.answer_card(current_user.id, form.card_id.data, form.rating.data, now,
                               submission_id=form.submission_id.data or None,
                               duration_ms=form.duration_ms.data)
    unit_of_work.change_done()  # the review stands alone: the next card is only read
    if _wants_json():
        return jsonify(applied=result.applied, **payload(current_user,
                                                         study.queue(current_user, now), now))
    return redirect(url_for("study.review"))


@bp.post("/undo")
@login_required
def undo():
    form = UndoForm()
    if not form.validate():
        return _error("That undo could not be read: " + _problems(form))
    now = utcnow()
    result = study.undo_last(current_user.id, now, submission_id=form.submission_id.data or None)
    if _wants_json():
        queue = study.Queue(result.card, study.queue(current_user, now).counts, None)
        return jsonify(undone=True, applied=result.applied, **payload(current_user, queue, now))
    if result.applied:
        flash("Your last review was undone.", "info")
    return redirect(url_for("study.review", card=result.card.id, show=""))


@bp.post("/check")
@login_required
def check():
    """Type-in mode: the grader suggests Again or Good; the learner decides."""
    form = CheckForm()
    if not form.validate():
        return _error("Send card_id (a number) and answer (text): " + _problems(form))
    suggestion = _suggest(_own_card(form.card_id.data), form.answer.data or "")
    comparison = suggestion.pop("comparison")
    suggestion["diff_html"] = render_template("study/_typein_diff.html",
                                              comparison=comparison) if comparison else ""
    return jsonify(suggestion)


@bp.post("/bury")
@login_required
def bury():
    return _card_action(lambda card_id: study.bury(current_user.id, card_id, utcnow()),
                        "Card buried until tomorrow.")


@bp.post("/suspend")
@login_required
def suspend():
    return _card_action(lambda card_id: study.set_suspended(current_user.id, card_id, True),
                        "Card suspended. It will not come back until you unsuspend it.")


@bp.post("/unsuspend")
@login_required
def unsuspend():
    form = CardActionForm()
    if not form.validate():
        return _error("Which card? The request did not say.")
    study.set_suspended(current_user.id, form.card_id.data, False)
    flash("The card is back in your reviews.", "success")
    return redirect(url_for("study.banks"))


def _card_action(action, message: str):
    form = CardActionForm()
    if not form.validate():
        return _error("Which card? The request did not say.")
    action(form.card_id.data)
    now = utcnow()
    if _wants_json():
        return jsonify(message=message, **payload(current_user, study.queue(current_user, now),
                                                  now))
    flash(message, "info")
    return redirect(url_for("study.review"))


@bp.route("/banks", methods=["GET", "POST"])
@login_required
def banks():
    enrolled = study.enrolments(current_user.id)
    summaries = catalogue.bank_summaries(current_user, studied=enrolled)
    forms = {}
    for bank in summaries:
        form = EnrolForm(prefix=f"b{bank.id}")
        form.tags.choices = list(bank.tags.items())
        if request.method == "GET" and bank.id in enrolled:
            form.tags.data = enrolled[bank.id].tags
        forms[bank.id] = form
    if request.method == "POST":
        bank_id = request.form.get("bank_id", type=int)
        if bank_id not in forms:
            abort(400, "Choose one of the listed banks.")
        form = forms[bank_id]
        if request.form.get("leave"):
            study.unenrol(current_user.id, bank_id)
            flash("You left that bank. Your progress is kept if you come back.", "info")
            return redirect(url_for("study.banks"))
        if form.validate_on_submit():
            study.enrol(current_user.id, bank_id, form.tags.data or [], utcnow())
            flash("Saved. Your cards are ready.", "success")
            return redirect(url_for("study.review"))
        return render_template("study/banks.html", banks=summaries, forms=forms,
                               enrolled=enrolled, suspended=[]), 400
    suspended = [(card, prompt_html(snapshot))  # the front only: no citations to look up
                 for card, snapshot in study.suspended_cards(current_user.id)]
    return render_template("study/banks.html", banks=summaries, forms=forms, enrolled=enrolled,
                           suspended=suspended, action_form=ActionForm())


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(data=None if request.method == "POST" else {
        "desired_retention": current_user.setting("desired_retention"),
        "new_per_day": current_user.setting("new_per_day"),
        "reviews_per_day": current_user.setting("reviews_per_day"),
        "timezone": current_user.setting("timezone"),
        "type_in": current_user.setting("type_in"),
    })
    if form.validate_on_submit():
        accounts.update_settings(current_user.id, {
            "desired_retention": float(form.desired_retention.data),
            "new_per_day": form.new_per_day.data,
            "reviews_per_day": form.reviews_per_day.data,
            "timezone": form.timezone.data,
            "type_in": form.type_in.data,
        })
        flash("Settings saved.", "success")
        return redirect(url_for("study.settings"))
    return render_template("study/settings.html", form=form, optimise_form=ActionForm(),
                           fitted=bool(current_user.fsrs_parameters)), \
        (400 if form.is_submitted() else 200)


@bp.post("/settings/optimise")
@login_required
def optimise():
    """Fitting takes seconds to minutes: a job, whose page shows the outcome."""
    throttle.require(throttle.optimise_keys(current_user.id),
                     current_app.config["OPTIMISE_LIMITS"], utcnow(),
                     "schedule optimisations; each fits every review of yours")
    job_id = jobs.start(current_user.id, jobs.OPTIMISE, {}, utcnow()).id
    job_queue.enqueue_after_commit(job_id)
    return redirect(url_for("jobs.show", job_id=job_id))
