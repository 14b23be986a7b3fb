"""The request guard and the strict JSON reader: unsafe text anywhere in a request is a 400
with a message, before any view, form or database sees it."""

import json
import re

import pytest
from flask import Flask

from quizapp.extensions import db
from quizapp.request_guard import MESSAGE, StrictJSONProvider, strings_in, urlencoded_is_clean
from tests.conftest import make_test_app


@pytest.fixture
def app(tmp_path) -> Flask:
    """The guard does not touch the database: SQLite alone is enough."""
    app = make_test_app("sqlite", tmp_path)
    with app.app_context():
        db.create_all()
    return app


@pytest.mark.parametrize("raw, clean", [
    (b"a=1&b=caf%C3%A9", True),
    (b"q=caf\xc3\xa9+au+lait", True),
    (b"", True),
    (b"a=%00", False),
    (b"a\x00=1", False),
    (b"a=%FF%FE", False),
    (b"a=\xff", False),
    (b"a=%ED%A0%80", False),  # a lone surrogate, encoded: not UTF-8
])
def test_urlencoded_text_is_clean_only_if_it_is_utf8_without_nul(raw, clean):
    assert urlencoded_is_clean(raw) is clean


def test_strings_in_finds_keys_and_values_at_any_depth():
    deep: object = "bottom"
    for _ in range(10_000):
        deep = [deep]
    found = set(strings_in({"k": [1, {"inner": "v"}], "deep": deep}))
    assert found == {"k", "inner", "v", "deep", "bottom"}


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e999",
                                  "[" * 100_000 + "]" * 100_000])
def test_the_json_reader_refuses_what_is_not_finite_standard_json(app, text):
    with pytest.raises(ValueError):
        StrictJSONProvider(app).loads(text)


def test_the_json_reader_reads_standard_json(app):
    assert StrictJSONProvider(app).loads('{"a": [1, 2.5, "x", null, true]}') == \
        {"a": [1, 2.5, "x", None, True]}


@pytest.mark.parametrize("query", ["/?q=%00", "/?q=%FF", "/?q=%ED%A0%80", "/auth/login?next=%00"])
def test_a_query_string_with_nul_or_bad_utf8_is_refused(app, query):
    response = app.test_client().get(query)
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("body", [b"username=a%00b&password=x", b"username=\xff&password=x",
                                  b"username=%C0%80&password=x"])
def test_a_form_body_with_nul_or_bad_utf8_is_refused(app, body):
    response = app.test_client().post(
        "/auth/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)


def test_a_clean_form_body_still_reaches_the_form(app):
    """The guard reads the raw body first; the form must still be parsed from it."""
    response = app.test_client().post("/auth/login", data={"username": "nobody",
                                                            "password": "wrong password"})
    assert response.status_code == 400
    assert "Wrong username or password" in response.get_data(as_text=True)


@pytest.mark.parametrize("fields", [{"format": "ya\x00ml"}, {"form\x00at": "yaml"},
                                    {"format": "\ufffd"}])
def test_multipart_fields_with_nul_or_replaced_bytes_are_refused(app, fields):
    response = app.test_client().post("/auth/login", data=fields,
                                      content_type="multipart/form-data")
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("body", ['{"answer": "a\\u0000b"}', '{"a\\u0000": 1}',
                                  '{"answer": ["\\ud800"]}'])
def test_json_strings_with_nul_or_lone_surrogates_are_refused(app, body):
    response = app.test_client().post("/study/check", data=body,
                                      content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"error": MESSAGE, "title": "Bad Request"}


@pytest.mark.parametrize("body", [b"NaN", b'{"card_id": Infinity}', b"[" * 5000 + b"]" * 5000,
                                  b'{"card_id": 1', b'{"answer": "\xff"}'])
def test_invalid_json_is_a_400_with_a_json_message(app, body):
    response = app.test_client().post("/study/check", data=body,
                                      content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("The JSON body could not be read: ")


def test_a_valid_json_body_is_not_touched(app):
    """Anonymous, so the view answers with the login redirect: the guard let it through."""
    response = app.test_client().post("/study/check", data=json.dumps({"answer": "café"}),
                                      content_type="application/json")
    assert response.status_code == 302


def _multipart(parts: list[bytes]) -> bytes:
    return b"".join(b"--XyZ\r\n" + part + b"\r\n" for part in parts) + b"--XyZ--\r\n"


@pytest.mark.parametrize("parts", [
    # the second value of a repeated field is checked too, not only the first
    [b'Content-Disposition: form-data; name="format"\r\n\r\nyaml',
     b'Content-Disposition: form-data; name="format"\r\n\r\nya\x00ml'],
    # a field name Werkzeug cannot read (it would be None)
    [b'Content-Disposition: form-data; name="\\"\r\n\r\nx'],
    # a part header that is not UTF-8: Werkzeug would drop the whole form silently
    [b'Content-Disposition: form-data; name="file"; filename="a.yaml"\r\n\r\nbank: x',
     b'Content-Disposition: form-data; name="f\xffrmat"\r\n\r\nyaml'],
    # a file name that is not UTF-8
    [b'Content-Disposition: form-data; name="file"; filename="\xff.yaml"\r\n\r\nbank: x'],
])
def test_multipart_bodies_no_one_can_read_are_refused(app, parts):
    response = app.test_client().post("/auth/login", data=_multipart(parts),
                                      content_type="multipart/form-data; boundary=XyZ")
    assert response.status_code == 400
    assert re.search(r'<p class="error" role="alert">The (request|form)', response.text)


def test_a_multipart_body_without_a_boundary_is_refused(app):
    response = app.test_client().post("/auth/login", data=b"username=x",
                                      content_type="multipart/form-data")
    assert response.status_code == 400 and "The form could not be read" in response.text
