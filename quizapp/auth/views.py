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

from quizapp.access import count_password_check
from quizapp.auth import bp
from quizapp.auth.forms import (
    ChangePasswordForm,
    EmailForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from quizapp.auth.mail import mail_configured, send_reset_link_after_commit
from quizapp.forms import add_error
from quizapp.models.types import utcnow
from quizapp.services import accounts, password_reset, throttle
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
    session.permanent = True  # renewed by every request; ends after QUIZAPP_SESSION_IDLE_DAYS
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        # Counted before the password is hashed: one address cannot mint accounts.
        throttle.require(throttle.register_keys(request.remote_addr),
                         current_app.config["REGISTER_LIMITS"], utcnow(),
                         "new accounts from this address")
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


# What refused a login, by the limit (LOGIN_LIMITS, in order).
_LOGIN_REFUSALS = ["failed logins for this account", "failed logins for this account",
                   "logins from this address", "logins on this site just now"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        # Counted before the password is checked (services.throttle): parallel guesses
        # cannot slip past the limit. A refusal is a 429 with Retry-After (quizapp.errors).
        attempt = throttle.require(
            throttle.login_keys(form.username.data, request.remote_addr),
            current_app.config["LOGIN_LIMITS"], utcnow(), _LOGIN_REFUSALS)
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append("Wrong username or password.")
        elif not user.is_active:
            form.form_errors.append(accounts.DISABLED_MESSAGE)
        else:
            throttle.give_back(attempt, utcnow())
            try:
                first = accounts.record_login(user.id, utcnow())
            except accounts.AccountDisabled as e:  # disabled while this login ran
                add_error(form, e)
            else:
                _start_session(user, remember=form.remember.data)
                flash("You are logged in.", "success")
                if first and user.is_instructor and not request.args.get("next"):
                    return redirect(url_for("main.getting_started"))
                return redirect(_safe_next(request.args.get("next")))
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
        attempt = count_password_check()
        try:
            user = accounts.change_password(
                current_user.id, form.current.data, form.password.data
            )
        except ServiceError as e:
            add_error(form, e)
        else:
            throttle.give_back(attempt, utcnow())
            _start_session(user, remember=False)  # this session continues, the others end
            flash("Your password is changed. Other devices are logged out.", "success")
            return redirect(url_for("main.home"))
    status = 400 if form.is_submitted() else 200
    return _account_page(form, _email_form(formdata=None), status)


@bp.post("/email")
@login_required
def set_email():
    form = _email_form()
    if form.validate_on_submit():
        attempt = count_password_check()
        try:
            user = accounts.set_email(current_user.id, form.email.data, form.password.data)
        except ServiceError as e:
            add_error(form, e)
        else:
            throttle.give_back(attempt, utcnow())
            flash(f"Reset links now go to {user.email}." if user.email
                  else "Your email address is removed.", "success")
            return redirect(url_for("auth.change_password"))
    return _account_page(ChangePasswordForm(formdata=None), form, 400)


def _email_form(**kwargs) -> EmailForm:
    return EmailForm(prefix="email", data={"email": current_user.email}, **kwargs)


def _account_page(password_form: ChangePasswordForm, email_form: EmailForm, status: int):
    return render_template("auth/password.html", form=password_form,
                           email_form=email_form), status


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    """Mail a reset link; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if not mail_configured():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/forgot.html", form=None), status
    if form.validate_on_submit():
        now = utcnow()
        throttle.require(throttle.reset_keys(form.identifier.data, request.remote_addr),
                         current_app.config["RESET_LIMITS"], now, "password-reset requests")
        for user in password_reset.mail_recipients(form.identifier.data):
            issued = password_reset.issue(user.id, now)
            send_reset_link_after_commit(
                issued.user, url_for("auth.reset_password", token=issued.token, _external=True),
                issued.expires_at)
        flash("If that account exists and has an email address, a reset link is on its "
              "way. It works once, within an hour.", "info")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form), status


@bp.errorhandler(password_reset.InvalidLink)
def invalid_link(e: password_reset.InvalidLink):
    """A link unknown, used (perhaps by a request a moment ago), expired or disabled."""
    return render_template("auth/reset_invalid.html", message=str(e)), 400


@bp.route("/reset/<string(maxlength=100):token>", methods=["GET", "POST"])
def reset_password(token: str):
    now = utcnow()
    account = password_reset.check(token, now)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = password_reset.reset_password(token, form.password.data, now)
        except password_reset.InvalidLink:
            raise
        except ServiceError as e:  # the new password, beside its field
            add_error(form, e)
        else:
            _start_session(user, remember=False)  # a fresh session; every other one ended
            flash("Your password is changed and you are logged in. Every other session of "
                  "this account has ended.", "success")
            return redirect(url_for("main.home"))
    status = 400 if form.is_submitted() else 200
    response = make_response(render_template("auth/reset.html", form=form,
                                             username=account.username), status)
    response.headers["Cache-Control"] = "no-store"
    return response
