"""The base form and number fields: what a form accepts from a JSON body, a multipart upload
and a number box."""

from io import BytesIO

import pytest
from flask import Flask
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from wtforms import StringField
from wtforms.validators import InputRequired, NumberRange

from quizapp.forms import (
    AppForm,
    FiniteDecimalField,
    WholeNumberField,
    json_formdata,
    whole_number,
)
from quizapp.routing import MAX_ID
from tests.conftest import make_test_app


@pytest.fixture
def app(tmp_path) -> Flask:
    return make_test_app("sqlite", tmp_path)


@pytest.mark.parametrize("text, value", [
    ("0", 0), ("42", 42), (" 7 ", 7), ("-3", -3), ("+5", 5), (str(MAX_ID), MAX_ID),
    (str(MAX_ID + 1), None), (str(-MAX_ID - 1), None), ("9" * 400, None), ("", None),
    ("²", None), ("٣", None), ("𝟗", None), ("3.7", None), ("1e3", None), ("0x10", None),
    ("NaN", None), (None, None), (3, None), (True, None),
])
def test_whole_number_takes_ascii_digits_a_column_can_hold(text, value):
    assert whole_number(text) == value


def test_json_formdata_reads_an_object_of_text_and_whole_numbers():
    assert json_formdata({"card_id": 12, "answer": "Minsk"}).to_dict() == \
        {"card_id": "12", "answer": "Minsk"}


@pytest.mark.parametrize("body, named", [
    ([1], None), ("ab", None), (None, None), (3, None),
    ({"rating": True}, "rating"), ({"rating": 3.7}, "rating"), ({"rating": [3]}, "rating"),
    ({"card_id": {"a": 1}}, "card_id"), ({"submission_id": None}, "submission_id"),
])
def test_json_formdata_refuses_other_shapes_naming_the_field(body, named):
    with pytest.raises(BadRequest) as refused:
        json_formdata(body)
    assert (named or "JSON object") in refused.value.description


class _Sample(AppForm):
    class Meta:
        csrf = False

    name = StringField(validators=[InputRequired()])
    count = WholeNumberField(validators=[InputRequired(), NumberRange(1, 10)])
    ratio = FiniteDecimalField(validators=[InputRequired(), NumberRange(0, 1)])
    upload = FileField()


def _form(app: Flask, **request) -> _Sample:
    with app.test_request_context("/", method="POST", **request):
        form = _Sample()
        form.validate()
        return form


def test_a_valid_form_post(app):
    form = _form(app, data={"name": "x", "count": "3", "ratio": "0.5"})
    assert form.errors == {} and (form.count.data, float(form.ratio.data)) == (3, 0.5)


@pytest.mark.parametrize("count", ["1" + "0" * 309, "²", "3.7", str(2**63), "1 2", "  "])
def test_a_number_box_refuses_what_is_not_a_storable_whole_number(app, count):
    form = _form(app, data={"name": "x", "count": count, "ratio": "0.5"})
    assert form.count.errors == ["Enter a whole number."] and form.count.data is None


def test_an_empty_number_box_is_missing_not_malformed(app):
    form = _form(app, data={"name": "x", "count": "", "ratio": "0.5"})
    assert form.count.errors == ["This field is required."]


@pytest.mark.parametrize("ratio", ["sNaN", "NaN", "Infinity", "-inf"])
def test_a_decimal_box_refuses_what_is_not_finite(app, ratio):
    form = _form(app, data={"name": "x", "count": "3", "ratio": ratio})
    assert form.ratio.errors == ["Enter a number."]


def test_a_text_field_sent_as_a_file_is_missing_and_a_file_field_keeps_its_file(app):
    form = _form(app, data={"name": (BytesIO(b"x"), "name.txt"), "count": "3", "ratio": "0.5",
                            "upload": (BytesIO(b"data"), "data.txt")})
    assert form.name.errors == ["This field is required."]
    assert form.upload.data.filename == "data.txt"


def test_a_json_body_fills_the_form(app):
    form = _form(app, json={"name": "x", "count": 3, "ratio": "0.25"})
    assert form.errors == {}


@pytest.mark.parametrize("body", [[1], {"name": "x", "count": True, "ratio": "0.5"}])
def test_a_json_body_of_the_wrong_shape_is_a_400(app, body):
    with pytest.raises(BadRequest):
        _form(app, json=body)


def test_explicit_formdata_is_used_as_given(app):
    with app.test_request_context("/", method="POST", json=[1]):
        form = _Sample(formdata=MultiDict({"name": "x", "count": "2", "ratio": "1"}))
        assert form.validate()
