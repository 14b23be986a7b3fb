from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from quizapp.access import admin_required
from quizapp.admin import bp
from quizapp.admin.forms import RoleForm
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import accounts
from quizapp.services.errors import ServiceError


@bp.get("/users")
@admin_required
def users():
    people = db.session.scalars(select(User).order_by(User.username)).all()
    forms = {u.id: RoleForm(prefix=f"u{u.id}", role=u.role.value) for u in people}
    return render_template("admin/users.html", users=people, forms=forms)


@bp.post("/users/<int:user_id>/role")
@admin_required
def set_role(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        abort(400, "Choose one of the listed roles.")
    try:
        accounts.set_role(user.id, form.role.data)
    except ServiceError as e:
        abort(400, str(e))
    flash(f"{user.username} is now {form.role.data}.", "success")
    return redirect(url_for("admin.users"))
