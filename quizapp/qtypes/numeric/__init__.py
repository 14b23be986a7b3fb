"""Numeric: a number within a tolerance, with an optional unit and scale.

With `scale` (thousand, million or billion) the value counts in that scale: a trade surplus
of `value: 2, scale: billion, unit: US dollars` accepts "2", "2bn", "$2 billion" and
"2,000 million US dollars"."""

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from difflib import SequenceMatcher
from typing import Any, Literal

from pydantic import Field, field_validator

from quizapp.domain.messages import excerpt
from quizapp.domain.numbers import SCALE_NAMES, plain, written
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
from quizapp.qtypes.common.grading import InvalidResponse, Result, response_numbers, result

YEAR_UNITS = ("year", "years")  # a year is written 2005, not 2,005 year


class Numeric(QuestionBase):
    answer_fields = ("value", "tolerance", "unit", "scale")
    type: Literal["numeric"]
    value: float = Field(allow_inf_nan=False)
    tolerance: float = Field(default=0, allow_inf_nan=False)
    unit: Short | None = None
    scale: Literal["thousand", "million", "billion"] | None = None

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
        ("5,063", "5 063", "5.063", "94,9", "5.063e3", "27 million", "5063 victims",
        "80%", "$2bn"). A number that reads two ways ("5.063": English or German) is
        right when either reading is; "too high" or "too low" go by the likeliest."""
        scale = SCALE_NAMES.get(data.get("scale") or "")
        values = [v for v in response_numbers(response, data.get("unit"), scale)
                  if math.isfinite(v)] if isinstance(response, str) else []
        if not values:
            raise InvalidResponse("Enter a number, like 5,063")
        target, tolerance = float(data["value"]), float(data.get("tolerance") or 0)
        for value in values:
            if abs(value - target) <= tolerance + 1e-9:
                return result(1, value, "Correct")
        value = values[0]
        return result(0, value, "Not quite: too high" if value > target else "Not quite: too low")

    def right_answer(self, snapshot):
        tolerance = snapshot.get("tolerance") or 0
        return [shown_value(snapshot) + (f" (± {written(tolerance)})" if tolerance else "")]

    def typein_expected(self, snapshot, typed):
        """The value spelt the way closest to what was typed: "5063" or "5,063", "27
        million" or "27000000" (the comparison is letter by letter)."""
        digits, shown = plain(snapshot["value"]), shown_value(snapshot, unit=False)
        return max((digits, shown), key=lambda c: SequenceMatcher(None, typed, c).ratio())

    def claimed_values(self, snapshot):
        scale = SCALE_NAMES.get(snapshot.get("scale") or "", 1)
        return [(snapshot["value"] * scale, (snapshot.get("tolerance") or 0) * scale)]

    def gift_answers(self, data):
        return [f"#{format_number(data['value'])}:{format_number(data['tolerance'])}"]

    def moodle_answers(self, element, data):
        answer = moodle_answer(element, 100, format_number(data["value"]))
        ET.SubElement(answer, "tolerance").text = format_number(data["tolerance"])
        if data.get("unit") or data.get("scale"):
            unit = ET.SubElement(ET.SubElement(element, "units"), "unit")
            ET.SubElement(unit, "multiplier").text = "1"
            ET.SubElement(unit, "unit_name").text = _unit_name(data)
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
        unit = f" {_unit_name(data)}" if _unit_name(data) else ""
        return anki_html(f"{format_number(data['value'])}{tolerance}{unit}")


def _unit_name(data: Mapping[str, Any]) -> str:
    """The unit with the scale the value counts in: "billion US dollars"."""
    return " ".join(p for p in (data.get("scale"), data.get("unit")) if p)


def shown_value(snapshot: Mapping[str, Any], *, unit: bool = True) -> str:
    """The value as a person writes it: 27 million victims, 5,063, 2 billion US dollars,
    2005 (a year, without grouping or its unit)."""
    value = snapshot["value"]
    if (snapshot.get("unit") or "").strip().casefold() in YEAR_UNITS and not snapshot.get(
            "scale") and float(value).is_integer():
        return str(int(value))
    number = written(value)
    name = _unit_name(snapshot) if unit else (snapshot.get("scale") or "")
    return f"{number} {name}" if name else number


TYPE = NumericType()
