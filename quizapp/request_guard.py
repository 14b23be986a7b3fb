"""Refuse, with a 400 and a message, request text that no page or database can hold: NUL
characters, lone surrogates, and bytes that are not UTF-8, wherever they are (query string,
form field names and values, upload file names, JSON strings). Views then only ever see
clean text: PostgreSQL refuses NUL in text columns, and a lone surrogate cannot be encoded
into a page.

Also the app's JSON reader: NaN, Infinity, numbers beyond a float, and nesting deep enough
to exhaust the parser's recursion are invalid JSON (400), not an exception."""

import io
import json
import math
from typing import Any, BinaryIO
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.formparser import FormDataParser

from quizapp.domain.text import unstorable

MESSAGE = ("The request contained a NUL character or text that is not valid UTF-8. "
           "Remove it and try again.")
# Werkzeug decodes multipart text fields with errors="replace": a U+FFFD there stands for
# bytes that were not UTF-8 (people do not type it).
REPLACED = "\ufffd"


def urlencoded_is_clean(raw: bytes) -> bool:
    """A query string or urlencoded body: percent-decoded, it is UTF-8 without NUL."""
    try:
        text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def strings_in(value: Any):
    """Every string in a parsed JSON value, keys included (iteratively: any depth)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def check_request() -> None:
    """before_request: abort(400) on unsafe text anywhere in the request."""
    if not urlencoded_is_clean(request.query_string):
        raise BadRequest(MESSAGE)
    if request.mimetype == "application/x-www-form-urlencoded":
        # read (and keep) the raw body before anything parses the form: Werkzeug would
        # drop an undecodable body silently, or keep %FF as literal text
        if not urlencoded_is_clean(request.get_data(cache=True)):
            raise BadRequest(MESSAGE)
    elif request.mimetype == "multipart/form-data":
        try:
            form, files = request.form, request.files
        except ValueError as e:  # GuardedRequest's parser is not silent
            raise BadRequest(f"The form could not be read: {e}.") from e
        texts = [*form.keys(), *(v for _, v in form.items(multi=True)), *files.keys(),
                 *(f.filename or "" for _, f in files.items(multi=True))]
        # a name Werkzeug could not read is None
        if any(not isinstance(t, str) or unstorable(t) or REPLACED in t for t in texts):
            raise BadRequest(MESSAGE)
    elif request.is_json and request.content_length != 0:
        if any(unstorable(t) for t in strings_in(request.get_json())):
            raise BadRequest(MESSAGE)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large")
    return number


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading only standard, finite JSON; errors are ValueErrors, which
    request.get_json() turns into a 400."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _no_constant)
        kwargs.setdefault("parse_float", _finite)
        try:
            return json.loads(s, **kwargs)
        except RecursionError as e:
            raise ValueError("the JSON is nested too deeply") from e


class GuardedRequest(Request):
    """Says why a JSON body could not be read (Flask's says so only in debug mode); reads a
    multipart body loudly (Werkzeug's default drops an unreadable one silently, and can leave
    a spooled upload file open); keeps uploads in memory (MAX_CONTENT_LENGTH bounds them)."""

    def make_form_data_parser(self) -> FormDataParser:
        parser = super().make_form_data_parser()
        parser.silent = False
        return parser

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None,
                         content_length: int | None = None) -> BinaryIO:
        return io.BytesIO()

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not JSON at all: Flask's 415
            return super().on_json_loading_failed(e)
        raise BadRequest(f"The JSON body could not be read: {e}.") from e


def register(app: Flask) -> None:
    app.request_class = GuardedRequest
    app.json = StrictJSONProvider(app)
    # first of the before_request functions: before CSRFProtect reads the form
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
