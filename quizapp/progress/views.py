import json
from functools import partial

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from quizapp.access import count_password_check, instructor_required
from quizapp.forms import ActionForm, add_error
from quizapp.models.types import utcnow
from quizapp.presenting import local_time
from quizapp.progress import bp
from quizapp.progress.forms import DeleteAccountForm
from quizapp.services import class_stats, my_data, progress, quizzes
from quizapp.services.errors import ServiceError


@bp.get("/")
@login_required
def dashboard():
    now = utcnow()
    data = progress.dashboard(current_user, now)
    when = partial(local_time, current_user)
    chart = {
        "forecast": {"labels": [f"+{d}" if d else "today" for d in range(len(data.forecast))],
                     "values": data.forecast},
        "quiz": {"labels": [when(at, "%d %b") for at, _ in data.quiz_scores],
                 "values": [round(score * 100) for _, score in data.quiz_scores]},
    }
    return render_template("progress/dashboard.html", d=data, chart=chart, when=when,
                           chart_json=json.dumps, study_form=ActionForm())


@bp.post("/study-weak")
@login_required
def study_weak():
    """A practice quiz on the learner's weakest questions."""
    weak = progress.weakest_questions(current_user)
    if not weak:
        flash("No weak questions yet: keep studying.", "info")
        return redirect(url_for("progress.dashboard"))
    attempt = quizzes.start_attempt(
        current_user.id, bank_ids=[], tags=[], types=[], count=len(weak), mode="practice",
        now=utcnow(), question_ids=[w.question_id for w in weak])
    return redirect(url_for("quiz.question", attempt_id=attempt.id, position=0))


EXPORTS = {"reviews": (my_data.reviews, my_data.REVIEW_COLUMNS),
           "attempts": (my_data.attempts, my_data.ATTEMPT_COLUMNS)}


@bp.get("/export/<kind>.<fmt>")
@login_required
def export(kind: str, fmt: str):
    if kind not in EXPORTS or fmt not in ("csv", "json"):
        abort(404)
    read, columns = EXPORTS[kind]
    rows = read(current_user.id)
    name = f"quizapp-{current_user.username}-{kind}.{fmt}"
    if fmt == "csv":
        body, mimetype = my_data.to_csv(rows, columns), "text/csv"
    else:
        body, mimetype = json.dumps(rows, ensure_ascii=False, indent=1), "application/json"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/delete-account", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        count_password_check()  # kept even on success: the account and its counter go
        try:
            my_data.delete_account(current_user.id, form.password.data)
        except ServiceError as e:
            add_error(form, e)
        else:
            logout_user()
            flash("Your account and all its data are deleted.", "info")
            return redirect(url_for("main.home"))
    status = 400 if form.is_submitted() else 200
    return render_template("progress/delete_account.html", form=form), status


@bp.get("/class")
@instructor_required
def class_banks():
    return render_template("progress/class_banks.html",
                           banks=class_stats.managed_banks(current_user))


@bp.get("/class/<int:bank_id>")
@instructor_required
def class_bank(bank_id: int):
    bank = class_stats.get_bank_for_stats(bank_id, current_user)  # NotFound, Forbidden: raised
    now = utcnow()
    return render_template("progress/class_bank.html", bank=bank,
                           learners=class_stats.learners(bank, now),
                           questions=class_stats.question_stats(bank),
                           can_edit=True)  # whoever sees a bank's statistics may edit it
