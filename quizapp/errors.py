"""Error pages and JSON errors: a clear message, never a traceback, never a bare page.

A database that cannot be reached (refused, dropped, out of connections, pool timeout,
SQLite busy) is a 503 with Retry-After, answered quickly (connect and pool timeouts are
short, see Config). When the request had already committed its change, the answer says so,
so that nobody is told a saved write failed; reviews and quiz answers carry a submission id
and may be sent again safely either way.
"""

import logging

from flask import Flask, Response, current_app, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, InternalServerError

from quizapp import unit_of_work
from quizapp.extensions import db, login_manager
from quizapp.security import keep_session_cookie
from quizapp.services.errors import Conflict, Forbidden, NotFound, ServiceError
from quizapp.services.throttle import Throttled

log = logging.getLogger(__name__)
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _render(code: int, title: str, message: str) -> Response:
    if _wants_json():  # "error" is what to show, as from the JSON views themselves
        return make_response(jsonify(error=message or title, title=title), code)
    page = render_template("errors/error.html", code=code, title=title, message=message)
    return make_response(page, code)


def _discard_session() -> bool:
    """Roll the request's session back; False if even that failed (connection gone)."""
    try:
        db.session.rollback()
        return True
    except Exception:  # noqa: BLE001 - the connection is already broken; drop it
        try:
            db.session.close()
        except Exception:  # noqa: BLE001
            pass
        return False


@event.listens_for(Session, "after_commit")
def _note_commit(session: Session) -> None:
    """Remember that this request saved something (bookkeeping commits excepted)."""
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: nothing is saved until the transaction commits
    if session.info.pop(unit_of_work.BOOKKEEPING, False):
        return
    try:
        g.quizapp_committed = True
    except RuntimeError:  # outside a request (CLI, tests): nothing to remember
        pass


def unavailable_response(saved: bool) -> Response:
    """503 + Retry-After, built without touching the database."""
    g._login_user = login_manager.anonymous_user()  # no user lookup while rendering
    seconds = str(current_app.config["QUIZAPP_RETRY_AFTER"])
    title = "Temporarily unavailable"
    if saved:
        message = ("Your change was saved, but the page could not be completed because the "
                   "database stopped answering. Reload in a few seconds.")
    else:
        message = ("The database is not answering right now; nothing was changed. Try again "
                   "in a few seconds. Answers and reviews are counted once, so sending them "
                   "again is safe.")
    if _wants_json():
        response = make_response(jsonify(error=message, title=title, saved=saved,
                                         retry_safe=True), 503)
    else:
        response = make_response(render_template(
            "errors/unavailable.html", title=title, message=message), 503)
    response.headers["Retry-After"] = seconds
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    @app.teardown_appcontext
    def remove_session(exc: BaseException | None) -> None:
        """End the request's session before Flask-SQLAlchemy does (teardowns run in reverse
        order): its close rolls back, which raises when the server dropped the connection,
        and a teardown that raises gets gunicorn's bare 500 sent instead of the response."""
        try:
            db.session.remove()
        except Exception as e:  # noqa: BLE001 - the connection is gone; so is the session
            db.session.registry.clear()
            log.warning("database connection lost while ending a request: %s",
                        str(e).splitlines()[0] if str(e) else type(e).__name__)

    @app.errorhandler(CSRFError)
    def csrf_error(e: CSRFError):
        if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            keep_session_cookie()  # a cross-site POST must not log its victim out
        return _render(400, "Form expired", "The form was missing its security token or it "
                       "expired. Go back, reload the page and try again.")

    @app.errorhandler(Throttled)
    def throttled(e: Throttled):
        response = _render(429, "Too many attempts", str(e))
        response.headers["Retry-After"] = str(e.retry_after)
        return response

    # A service's error reaches here after the unit of work rolled back (quizapp.unit_of_work);
    # views catch one themselves only to show it beside a form's field.
    @app.errorhandler(ServiceError)
    def service_error(e: ServiceError):
        code = (404 if isinstance(e, NotFound) else 403 if isinstance(e, Forbidden)
                else 409 if isinstance(e, Conflict) else 400)
        titles = {404: "Not found", 403: "Forbidden", 409: "Conflict", 400: "Bad request"}
        return _render(code, titles[code], str(e))

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if e.code is None or e.code < 400:
            return e
        response = _render(e.code, e.name, e.description or "")
        if e.response is not None:  # keep headers the raiser set, such as Retry-After
            for name, value in e.response.headers.items():
                if name.lower() not in ("content-type", "content-length"):
                    response.headers[name] = value
        return response

    def database_unavailable(e: Exception):
        log.warning("database unavailable during %s %s: %s", request.method, request.path,
                    str(e).splitlines()[0] if str(e) else type(e).__name__)
        _discard_session()
        return unavailable_response(saved=bool(g.get("quizapp_committed")))

    for error in UNAVAILABLE:
        app.register_error_handler(error, database_unavailable)

    @app.errorhandler(InternalServerError)
    def server_error(e: InternalServerError):
        original = getattr(e, "original_exception", None)
        if isinstance(original, UNAVAILABLE):
            return database_unavailable(original)
        if not _discard_session():
            return unavailable_response(saved=bool(g.get("quizapp_committed")))
        try:
            return _render(500, "Something went wrong", "Nothing you did was lost. Try again; "
                           "if it keeps happening, tell your instructor.")
        except UNAVAILABLE:
            _discard_session()
            return unavailable_response(saved=bool(g.get("quizapp_committed")))
