"""Administrators manage accounts: search, roles, disable and enable, reset links, delete."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for

from quizapp.access import admin_required
from quizapp.admin import bp
from quizapp.admin.forms import DeleteUserForm, RoleForm, UserSearchForm
from quizapp.auth.mail import mail_configured
from quizapp.extensions import db
from quizapp.forms import ActionForm
from quizapp.models import User
from quizapp.models.types import utcnow
from quizapp.services import accounts, my_data, password_reset


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404, "No such user.")


@bp.get("/users")
@admin_required
def users():
    search = UserSearchForm(request.args)
    if not search.validate():
        abort(400, "Search with some text and a page number from 1 up.")
    found = accounts.search_users(search.q.data or "", search.page.data or 1)
    forms = {u.id: RoleForm(prefix=f"u{u.id}", role=u.role.value) for u in found.items}
    return render_template("admin/users.html", found=found, forms=forms, search=search,
                           action_form=ActionForm(), mail_on=mail_configured())


@bp.post("/users/<int:user_id>/role")
@admin_required
def set_role(user_id: int):
    user = _user(user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        abort(400, "Choose one of the listed roles.")
    accounts.set_role(user.id, form.role.data)
    flash(f"{user.username} is now {form.role.data}.", "success")
    return redirect(url_for("admin.users"))


def _set_disabled(user_id: int, disabled: bool):
    user = _user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form was not complete: reload the page and try again.")
    accounts.set_disabled(user.id, disabled, utcnow())
    flash(f"{user.username} is disabled: they cannot log in, and their sessions have ended."
          if disabled else f"{user.username} can log in again.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/disable")
@admin_required
def disable(user_id: int):
    return _set_disabled(user_id, True)


@bp.post("/users/<int:user_id>/enable")
@admin_required
def enable(user_id: int):
    return _set_disabled(user_id, False)


@bp.post("/users/<int:user_id>/reset-link")
@admin_required
def reset_link(user_id: int):
    """A one-time link for the admin to pass on, shown once (only its hash is stored). The
    page is rendered before the link is stored, so that no template renders inside the
    write; a refusal (a disabled account) answers instead of it."""
    user = _user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form was not complete: reload the page and try again.")
    now = utcnow()
    token = password_reset.new_token()
    response = make_response(render_template(
        "admin/reset_link.html", user=user,
        link=url_for("auth.reset_password", token=token, _external=True),
        expires_at=now + password_reset.LIFETIME))
    response.headers["Cache-Control"] = "no-store"
    password_reset.issue(user.id, now, token=token)
    return response


@bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
@admin_required
def delete_user(user_id: int):
    user = _user(user_id)
    form = DeleteUserForm()
    if form.validate_on_submit():
        if form.username.data.strip().lower() != user.username.lower():
            form.username.errors.append(f"Type {user.username} to confirm.")
        else:
            username = my_data.delete_user(user.id)
            flash(f"{username} and all their data are deleted.", "success")
            return redirect(url_for("admin.users"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/delete_user.html", user=user, form=form,
                           counts=my_data.data_counts(user.id)), status

