from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from quizapp.auth import bp
from quizapp.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from quizapp.forms import add_error
from quizapp.models.types import utcnow
from quizapp.services import accounts, throttle
from quizapp.services.errors import ServiceError


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a learner off the app after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.home")


def _start_session(user, remember: bool) -> None:
    session.clear()  # a fresh session at login: nothing carried over from before
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.username.data, form.password.data, email=form.email.data, now=utcnow()
            )
        except ServiceError as e:
            add_error(form, e)
        else:
            _start_session(user, remember=False)
            flash(f"Welcome, {user.username}! Your account is ready.", "success")
            return redirect(url_for("main.home"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


def _too_many(seconds: int):
    response = make_response(render_template(
        "errors/error.html", code=429, title="Too many attempts",
        message=f"Too many failed logins for this account. Try again in {seconds} seconds."),
        429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        # Counted before the password is checked (services.throttle): parallel guesses
        # cannot slip past the limit, and a form and a JSON login share one count.
        attempt = throttle.count_attempt(
            throttle.login_keys(form.username.data, request.remote_addr),
            current_app.config["LOGIN_LIMITS"], utcnow())
        if attempt.refused:
            return _too_many(attempt.retry_after)
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is not None:
            throttle.give_back(attempt, utcnow())
            _start_session(user, remember=form.remember.data)
            flash("You are logged in.", "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Wrong username or password.")
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:  # CSRF-checked POST: a link cannot log anyone out
        accounts.end_sessions(current_user.id)
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("main.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(
                current_user.id, form.current.data, form.password.data
            )
        except ServiceError as e:
            add_error(form, e)
        else:
            _start_session(user, remember=False)  # this session continues, the others end
            flash("Your password is changed. Other devices are logged out.", "success")
            return redirect(url_for("main.home"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status
