"""Response headers that every page carries."""

from flask import Flask, Response, g
from flask.sessions import SecureCookieSessionInterface

CSP = (
    "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; img-src 'self' data:"
)


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

    @app.after_request
    def set_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
