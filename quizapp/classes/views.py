"""Classes: the list and join form, the class page (teachers: roster, banks, assignments
and what the class will remember; learners: their assignments), grade export."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from quizapp.access import instructor_required
from quizapp.classes import bp
from quizapp.classes.forms import (
    CodeForm,
    CreateClassForm,
    JoinForm,
    LinkBankForm,
    MemberForm,
    QuizForm,
    ReportForm,
    StudyForm,
)
from quizapp.forms import ActionForm, add_error, require_action_form
from quizapp.models.classes import TEACHER
from quizapp.models.types import utcnow
from quizapp.services import classes
from quizapp.services.errors import Forbidden, NotFound, ServiceError


def _form_error(form, error: ServiceError) -> None:
    """Show a fixable error beside the form; access errors go to the handlers (403/404)."""
    if isinstance(error, Forbidden | NotFound):
        raise error
    add_error(form, error)


def _listed(text: str | None) -> list[str]:
    """The items of a comma-separated field (the field's length bounds their number)."""
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _utc(local: datetime | None, zone: str) -> datetime | None:
    """A time typed in the class's time zone, as UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def in_zone(at: datetime | None, zone: str) -> str:
    return "" if at is None else at.astimezone(ZoneInfo(zone)).strftime("%d %b %Y %H:%M")


def _index(status: int = 200, join_form=None, create_form=None):
    return render_template(
        "classes/index.html", mine=classes.classes_of(current_user),
        join_form=join_form or JoinForm(formdata=None), create_form=create_form
        or CreateClassForm(formdata=None),
        assignments=classes.learner_assignments(current_user, utcnow()), local=in_zone,
        action=ActionForm()), status


@bp.get("/")
@login_required
def index():
    return _index()


@bp.post("/new")
@instructor_required
def create():
    form = CreateClassForm()
    if form.validate_on_submit():
        try:
            klass = classes.create_class(
                current_user, name=form.name.data,
                time_zone=(form.time_zone.data or "UTC").strip(),
                starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                capacity=form.capacity.data)
        except ServiceError as e:
            _form_error(form, e)
        else:
            return redirect(url_for("classes.show", class_id=klass.id))
    return _index(400, create_form=form)


@bp.get("/join/<code>")
@login_required
def join_link(code: str):
    """The join link: a form filled with the code (joining is a POST)."""
    form = JoinForm(formdata=None, code=classes.normal_code(code))
    return render_template("classes/join.html", form=form)


@bp.post("/join")
@login_required
def join():
    form = JoinForm()
    if form.validate_on_submit():
        try:
            klass = classes.join(current_user, form.code.data, utcnow())
        except ServiceError as e:
            _form_error(form, e)
        else:
            flash(f"You joined {klass.name}.", "success")
            return redirect(url_for("classes.show", class_id=klass.id))
    return _index(400, join_form=form)


def _teacher_page(klass, status=200, query=None, **forms):
    zone = klass.time_zone
    banks = classes.assignable_banks(current_user)
    linked = classes.linked_banks(klass.id)
    choices = [SelectChoice(b.id, b.title) for b in linked]
    link_form = forms.get("link_form") or LinkBankForm(formdata=None)
    link_form.bank_id.choices = [SelectChoice(b.id, b.title) for b in banks]
    study_form = forms.get("study_form") or StudyForm(formdata=None, prefix="study")
    quiz_form = forms.get("quiz_form") or QuizForm(formdata=None, prefix="quiz")
    study_form.bank_id.choices = quiz_form.bank_id.choices = choices
    report_form = ReportForm(query or {})
    day = (report_form.data.get("on") if report_form.validate() else None) or (
        utcnow().astimezone(ZoneInfo(zone)).date() + timedelta(days=14))
    at = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    report_form.on.data = day
    return render_template(
        "classes/teacher.html", klass=klass, roster=classes.roster(klass.id), linked=linked,
        report=classes.report(klass, at), report_form=report_form, day=day,
        link_form=link_form, study_form=study_form, quiz_form=quiz_form,
        member_form=forms.get("member_form") or MemberForm(formdata=None),
        code_form=forms.get("code_form") or CodeForm(formdata=None),
        action=ActionForm(), local=lambda at: in_zone(at, zone),
        join_url=url_for("classes.join_link", code=klass.join_code, _external=True)), status


@bp.get("/<int:class_id>")
@login_required
def show(class_id: int):
    klass = classes.get_class(class_id, current_user)
    member = classes.membership(class_id, current_user.id)
    if current_user.is_admin or (member is not None and member.role == TEACHER):
        return _teacher_page(klass, query=request.args)
    mine = [a for a in classes.learner_assignments(current_user, utcnow())
            if a["assignment"].class_id == class_id]
    return render_template("classes/learner.html", klass=klass, assignments=mine,
                           action=ActionForm(), local=in_zone)


def _done(class_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("classes.show", class_id=class_id))


@bp.post("/<int:class_id>/code")
@login_required
def regenerate(class_id: int):
    klass = classes.get_class(class_id, current_user, teach=True)
    form = CodeForm()
    if form.validate_on_submit():
        expires = _utc(form.expires_at.data, klass.time_zone)
        if expires is not None and expires <= utcnow():
            form.expires_at.errors = [*form.expires_at.errors, "Choose a time still to come."]
        else:
            classes.regenerate_code(class_id, current_user, expires_at=expires)
            return _done(class_id, "A new join code is ready; the old one no longer works.")
    return _teacher_page(klass, 400, code_form=form)


@bp.post("/<int:class_id>/members")
@login_required
def add_member(class_id: int):
    klass = classes.get_class(class_id, current_user, teach=True)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            user = classes.add_by_username(class_id, current_user, form.username.data,
                                           role=form.role.data)
        except ServiceError as e:
            _form_error(form, e)
        else:
            return _done(class_id, f"{user.username} is in the class.")
    return _teacher_page(klass, 400, member_form=form)


@bp.post("/<int:class_id>/members/<int:member_id>/remove")
@login_required
def remove_member(class_id: int, member_id: int):
    require_action_form()
    classes.remove_member(class_id, current_user, member_id)
    return _done(class_id, "Removed from the class; their own study data stays theirs.")


@bp.post("/<int:class_id>/leave")
@login_required
def leave(class_id: int):
    require_action_form()
    classes.leave(class_id, current_user)
    flash("You left the class. Your cards and reviews stay yours.", "success")
    return redirect(url_for("classes.index"))


@bp.post("/<int:class_id>/delete")
@login_required
def delete(class_id: int):
    require_action_form()
    classes.delete_class(class_id, current_user)
    flash("Class deleted. Every learner keeps their cards and reviews.", "success")
    return redirect(url_for("classes.index"))


@bp.post("/<int:class_id>/banks")
@login_required
def link_bank(class_id: int):
    klass = classes.get_class(class_id, current_user, teach=True)
    form = LinkBankForm()
    banks = classes.assignable_banks(current_user)
    form.bank_id.choices = [SelectChoice(b.id, b.title) for b in banks]
    if form.validate_on_submit():
        classes.link_bank(class_id, current_user, form.bank_id.data)
        return _done(class_id, "Bank linked.")
    return _teacher_page(klass, 400, link_form=form)


def _linked_choices(class_id: int):
    return [SelectChoice(b.id, b.title) for b in classes.linked_banks(class_id)]


@bp.post("/<int:class_id>/assignments/study")
@login_required
def assign_study(class_id: int):
    klass = classes.get_class(class_id, current_user, teach=True)
    form = StudyForm(prefix="study")
    form.bank_id.choices = _linked_choices(class_id)
    if form.validate_on_submit():
        try:
            classes.create_study(
                class_id, current_user, title=form.title.data, bank_id=form.bank_id.data,
                tags=_listed(form.tags.data), goal=(form.goal.data or 0) / 100,
                due_at=_utc(form.due_at.data, klass.time_zone),
                extra_new_per_day=form.extra_new_per_day.data or 0)
        except ServiceError as e:
            _form_error(form, e)
        else:
            return _done(class_id, "Study goal assigned.")
    return _teacher_page(klass, 400, study_form=form)


@bp.post("/<int:class_id>/assignments/quiz")
@login_required
def assign_quiz(class_id: int):
    klass = classes.get_class(class_id, current_user, teach=True)
    form = QuizForm(prefix="quiz")
    form.bank_id.choices = _linked_choices(class_id)
    if form.validate_on_submit():
        try:
            classes.create_quiz(
                class_id, current_user, title=form.title.data, bank_id=form.bank_id.data,
                tags=_listed(form.tags.data), types=list(form.types.data or []),
                question_keys=_listed(form.questions.data), count=form.count.data or 0,
                mode=form.mode.data, time_limit_min=form.time_limit_min.data,
                attempts=form.attempts.data or 0, counts=form.counts.data,
                opens_at=_utc(form.opens_at.data, klass.time_zone),
                due_at=_utc(form.due_at.data, klass.time_zone),
                refuse_late=form.late.data == "refuse")
        except ServiceError as e:
            _form_error(form, e)
        else:
            return _done(class_id, "Quiz assigned.")
    return _teacher_page(klass, 400, quiz_form=form)


@bp.post("/assignments/<int:assignment_id>/start")
@login_required
def start_quiz(assignment_id: int):
    require_action_form()
    attempt = classes.start_quiz(assignment_id, current_user, utcnow())
    return redirect(url_for("quiz.question", attempt_id=attempt.id, position=0))


@bp.get("/<int:class_id>/grades.<fmt>")
@login_required
def grades(class_id: int, fmt: str):
    if fmt not in ("csv", "json"):
        abort(404)
    klass = classes.get_class(class_id, current_user, teach=True)
    header, rows = classes.grades(klass, utcnow())
    if fmt == "csv":
        body, mimetype = classes.grades_csv(header, rows), "text/csv"
    else:
        body = json.dumps({"columns": header, "rows": rows}, ensure_ascii=False, indent=1)
        mimetype = "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="class-{klass.id}-grades.{fmt}"'})


@bp.get("/<int:class_id>/assignments/<int:assignment_id>/items")
@login_required
def items(class_id: int, assignment_id: int):
    """A quiz assignment's item analysis: facility, discrimination and lapse rate."""
    analysis = classes.item_analysis(class_id, assignment_id, current_user)
    return render_template("classes/items.html", analysis=analysis,
                           klass=analysis.assignment.school_class, bank=analysis.bank,
                           questions=analysis.questions, can_edit=analysis.can_edit)
