"""Numeric: a number within a tolerance, with an optional unit."""

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator

from quizapp.domain.messages import excerpt
from quizapp.domain.questions import QuestionBase, Short
from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.common.formats import (
    Reject,
    anki_html,
    format_number,
    gift_find,
    gift_split_answers,
    moodle_answer,
    parse_number,
)
from quizapp.qtypes.common.grading import InvalidResponse, Result, parse_response_number, result


class Numeric(QuestionBase):
    answer_fields = ("value", "tolerance", "unit")
    type: Literal["numeric"]
    value: float = Field(allow_inf_nan=False)
    tolerance: float = Field(default=0, allow_inf_nan=False)
    unit: Short | None = None

    @field_validator("tolerance")
    @classmethod
    def _non_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("tolerance must be 0 or more")
        return value


class NumericType(QuestionType):
    name = "numeric"
    label = "Numeric"
    schema = Numeric
    moodle_name = "numerical"
    type_in = True

    def grade(self, data: Mapping[str, Any], response: Any) -> Result:
        """Right when within the tolerance of the value. Response: the text as typed
        ("5,063", "5 063", "5.063e3", "27 million", "5063 victims", "80%")."""
        value = parse_response_number(response, data.get("unit")) \
            if isinstance(response, str) else None
        if value is None or not math.isfinite(value):
            raise InvalidResponse("Enter a number, like 5,063")
        target, tolerance = float(data["value"]), float(data.get("tolerance") or 0)
        if abs(value - target) <= tolerance + 1e-9:
            return result(1, value, "Correct")
        return result(0, value, "Not quite: too high" if value > target else "Not quite: too low")

    def right_answer(self, snapshot):
        value = f"{snapshot['value']:,g}" if abs(snapshot["value"]) < 1e15 else str(
            snapshot["value"])
        tolerance = snapshot.get("tolerance") or 0
        unit = f" {snapshot['unit']}" if snapshot.get("unit") else ""
        return [f"{value}{unit}" + (f" (± {tolerance:g})" if tolerance else "")]

    def typein_expected(self, snapshot, typed):
        return format(snapshot["value"], "g")

    def claimed_values(self, snapshot):
        return [(snapshot["value"], snapshot.get("tolerance", 0))]

    def gift_answers(self, data):
        return [f"#{format_number(data['value'])}:{format_number(data['tolerance'])}"]

    def moodle_answers(self, element, data):
        answer = moodle_answer(element, 100, format_number(data["value"]))
        ET.SubElement(answer, "tolerance").text = format_number(data["tolerance"])
        if data.get("unit"):
            unit = ET.SubElement(ET.SubElement(element, "units"), "unit")
            ET.SubElement(unit, "multiplier").text = "1"
            ET.SubElement(unit, "unit_name").text = data["unit"]
            ET.SubElement(element, "unitgradingtype").text = "0"

    def gift_read(self, body, answers):
        """{#value:tolerance}, {#min..max} or {#=value:tolerance ...} (the full-credit one)."""
        spec = body[1:].strip()
        if spec.startswith("="):
            full = [t for _, w, t in gift_split_answers(spec) if w is None or w == 100]
            spec = full[0] if full else ""
        spec = spec[: f] if (f := gift_find(spec, "#")) >= 0 else spec
        try:
            if ".." in spec:
                low, high = (parse_number(part) for part in spec.split("..", 1))
                return {"value": (low + high) / 2, "tolerance": abs(high - low) / 2}
            colon = gift_find(spec, ":")
            if colon >= 0:
                return {"value": parse_number(spec[:colon]),
                        "tolerance": parse_number(spec[colon + 1 :])}
            return {"value": parse_number(spec), "tolerance": 0}
        except ValueError:
            raise Reject(excerpt(spec.strip()) + " is not a number; write {#value:tolerance}"
                         ) from None

    def moodle_read(self, element, answers):
        full = [(text, a) for f, text, a in answers if f >= 100 and text.strip() != "*"]
        if not full:
            raise Reject("a numerical question needs an answer with fraction 100")
        try:
            fields: dict[str, Any] = {
                "value": parse_number(full[0][0]),
                "tolerance": parse_number(full[0][1].findtext("tolerance") or "0")}
        except ValueError as e:
            raise Reject(f"numerical answer: {e}") from None
        units = [u for u in element.findall("units/unit")
                 if (u.findtext("multiplier") or "1").strip() in ("1", "1.0")]
        if units and (units[0].findtext("unit_name") or "").strip():
            fields["unit"] = units[0].findtext("unit_name")
        return fields

    def anki_back(self, q, data):
        tolerance = f" ± {format_number(data['tolerance'])}" if data["tolerance"] else ""
        unit = f" {data['unit']}" if data.get("unit") else ""
        return anki_html(f"{format_number(data['value'])}{tolerance}{unit}")


TYPE = NumericType()
