"""Response headers every page carries, private pages kept out of caches, and sessions:
an idle limit, and no cookie set by the answer to a cross-site request."""

from datetime import timedelta

from flask import Flask, Response, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import user_loaded_from_cookie

CSP = (
    "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; img-src 'self' data:"
)

# Features no page uses: no frame or script of the app (or in it) may ask for them.
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "serial=(), bluetooth=(), midi=(), display-capture=(), "
                      "browsing-topics=()")
HSTS = "max-age=31536000; includeSubDomains"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that an answer may decline to set the cookie
    (see `keep_session_cookie`)."""

    def save_session(self, app, session, response) -> None:
        if g.get("quizapp_keep_session_cookie"):
            return
        super().save_session(app, session, response)


def keep_session_cookie() -> None:
    """Set no session cookie in this answer. A browser sends no SameSite=Lax cookie with a
    cross-site POST but stores whatever cookie the answer sets: the fresh session the error
    page starts (every page carries a CSRF token) would replace, and so log out, the
    victim's own."""
    g.quizapp_keep_session_cookie = True


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
    # Sessions are permanent (auth views) so that every request renews them: the idle limit.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        days=int(app.config["QUIZAPP_SESSION_IDLE_DAYS"]))
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(
        days=int(app.config["QUIZAPP_REMEMBER_DAYS"]))
    user_loaded_from_cookie.connect(_renew_with_each_request, app)

    @app.after_request
    def set_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS only
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if _private():
            response.headers["Cache-Control"] = "no-store"
        return response


def _renew_with_each_request(_app, user) -> None:
    """A session restored from the remember cookie is renewed by each request too."""
    session.permanent = True


def _private() -> bool:
    """A page for a logged-in user, or a download of someone's data: never kept in a cache
    (a shared computer's browser, a proxy). Read without a database trip."""
    if request.endpoint == "static":
        return False
    if request.path.startswith("/progress/export/"):
        return True
    user = g.get("_login_user")  # is_anonymous is a constant; is_authenticated reads a column,
    # which after the unit of work's commit would be read again from the database
    return "_user_id" in session or (user is not None and not user.is_anonymous)
