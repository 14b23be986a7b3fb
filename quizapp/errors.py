"""Error pages: a clear message, never a traceback."""

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from quizapp.extensions import db


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _render(code: int, title: str, message: str) -> Response:
    if _wants_json():  # "error" is what to show, as from the JSON views themselves
        return make_response(jsonify(error=message or title, title=title), code)
    page = render_template("errors/error.html", code=code, title=title, message=message)
    return make_response(page, code)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e: CSRFError):
        return _render(400, "Form expired", "The form was missing its security token or it "
                       "expired. Go back, reload the page and try again.")

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

    @app.errorhandler(InternalServerError)
    def server_error(e: InternalServerError):
        db.session.rollback()
        return _render(500, "Something went wrong", "Nothing you did was lost. Try again; if it "
                       "keeps happening, tell your instructor.")
