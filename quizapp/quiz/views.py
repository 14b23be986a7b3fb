from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quizapp.domain import quiz as rules
from quizapp.forms import ActionForm, add_error
from quizapp.models.types import utcnow
from quizapp.presenting import local_time
from quizapp.qtypes.web import web
from quizapp.quiz import bp
from quizapp.quiz.forms import StartQuizForm, answer_form, response_from
from quizapp.quiz.presenting import question_view, results_view
from quizapp.services import quizzes
from quizapp.services.errors import ServiceError

# NotFound (someone else's attempt, a position out of range) and Conflict (an answer after the
# quiz ended, in a race with another tab) are answered by the error handlers; views catch a
# ServiceError only to show it beside the form's field.


@bp.route("/", methods=["GET", "POST"])
@login_required
def start():
    choices = quizzes.quiz_choices(current_user)
    form = StartQuizForm()
    form.set_choices(choices.banks, choices.tags, choices.types)
    if request.method == "GET":
        form.tags.data = [t for t in request.args.getlist("tag") if t in choices.tags]
    if form.validate_on_submit():
        try:
            attempt = quizzes.start_attempt(
                current_user.id,
                bank_ids=form.banks.data or [], tags=form.tags.data or [],
                types=form.types.data or [], count=form.count.data, mode=form.mode.data,
                time_limit_s=form.time_limit.data * 60 if form.time_limit.data else None,
                now=utcnow(),
            )
        except ServiceError as e:
            add_error(form, e)
        else:
            return redirect(url_for("quiz.question", attempt_id=attempt.id, position=0))
    status = 400 if form.is_submitted() else 200
    attempts = quizzes.history(current_user.id, limit=20)
    now = utcnow()
    rows = [(a, local_time(current_user, a.started_at, "%Y-%m-%d %H:%M %Z"), quizzes.total(a),
             quizzes.ended_at(a, now) is not None, quizzes.score_of(a)) for a in attempts]
    return render_template("quiz/start.html", form=form, attempts=rows), status


@bp.get("/<int:attempt_id>")
@login_required
def resume(attempt_id: int):
    attempt = quizzes.get_attempt(current_user.id, attempt_id)
    position = quizzes.next_position(attempt)
    if quizzes.ended_at(attempt, utcnow()) or position is None:
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    return redirect(url_for("quiz.question", attempt_id=attempt.id, position=position))


@bp.route("/<int:attempt_id>/q/<int:position>", methods=["GET", "POST"])
@login_required
def question(attempt_id: int, position: int):
    attempt = quizzes.get_attempt(current_user.id, attempt_id)
    revision = quizzes.revision_at(attempt, position)
    answered = quizzes.answer_at(attempt, position)
    now = utcnow()
    over = quizzes.ended_at(attempt, now) is not None
    snapshot = revision.snapshot
    shown = rules.shown_options(snapshot, attempt.seed, position)
    form = answer_form(snapshot, shown, formdata=None if answered else (request.form or None))
    status = 200
    if request.method == "POST":
        outcome = _answer(attempt, position, snapshot, form, answered, now)
        if outcome is not None:
            return outcome
        status = 400 if form.errors else 200  # refused input, or an ordering move
    elif over and answered is None:
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    view = question_view(current_user, attempt, position, revision, shown, answered, over=over,
                         now=now)
    return render_template("quiz/question.html", attempt=attempt, q=view, form=form, over=over,
                           answered=answered is not None, finish_form=ActionForm()), status


def _answer(attempt, position: int, snapshot, form, answered, now):
    """A posted answer: a redirect once handled, or None to show the form again (an ordering
    move, or input to correct beside its field)."""
    # The page's timer sends the answer as it stands when time runs out (blank or not):
    # whatever it holds is recorded if it can be, and the results open.
    timed_out = bool(request.form.get("timed_out")) and quizzes.time_is_up(attempt, now)
    if answered is not None:  # sent again: nothing is recorded twice
        return _time_up(attempt) if timed_out else _after_answer(attempt, position)
    if quizzes.ended_at(attempt, now) is not None:
        if attempt.finished_at is None:
            return _time_up(attempt)
        flash("This quiz is finished; its answers can no longer change.", "info")
        return redirect(url_for("quiz.results", attempt_id=attempt.id))
    move = request.form.get("move", "")
    if web(snapshot["type"]).handle_move(form, snapshot, move):
        return None  # a move button (reordering without JS): shown again, nothing recorded
    if form.validate_on_submit():
        try:
            quizzes.submit_answer(current_user.id, attempt.id, position,
                                  response_from(form, snapshot), utcnow())
        except ServiceError as e:
            if e.field is None:
                raise  # not about the input (the quiz ended meanwhile): the handlers answer
            add_error(form, e)
        else:
            return _time_up(attempt) if timed_out else _after_answer(attempt, position)
    return _time_up(attempt) if timed_out else None


def _time_up(attempt):
    attempt_id = attempt.id
    quizzes.finish_attempt(current_user.id, attempt_id, utcnow())
    flash("Time is up. Here are your results.", "info")
    return redirect(url_for("quiz.results", attempt_id=attempt_id))


def _after_answer(attempt, position: int):
    if attempt.mode == "practice":
        return redirect(url_for("quiz.question", attempt_id=attempt.id, position=position))
    return redirect(url_for("quiz.resume", attempt_id=attempt.id))


@bp.post("/<int:attempt_id>/finish")
@login_required
def finish(attempt_id: int):
    quizzes.finish_attempt(current_user.id, attempt_id, utcnow())
    return redirect(url_for("quiz.results", attempt_id=attempt_id))


@bp.get("/<int:attempt_id>/results")
@login_required
def results(attempt_id: int):
    attempt = quizzes.get_attempt(current_user.id, attempt_id)
    ended = quizzes.ended_at(attempt, utcnow())
    if ended is None:
        flash("Finish the quiz to see its results.", "info")
        return redirect(url_for("quiz.resume", attempt_id=attempt.id))
    return render_template("quiz/results.html", attempt=attempt, review=results_view(attempt),
                           score=quizzes.score_of(attempt), ended=ended,
                           missed=len(quizzes.missed(attempt)), retry_form=ActionForm())


@bp.post("/<int:attempt_id>/retry")
@login_required
def retry(attempt_id: int):
    new = quizzes.retry_missed(current_user.id, attempt_id, utcnow())
    return redirect(url_for("quiz.question", attempt_id=new.id, position=0))
