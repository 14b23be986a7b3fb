"""Matching: pair each left item with its right item; partial credit per pair."""

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator

from quizapp.domain.messages import excerpt
from quizapp.domain.questions import QuestionBase
from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.common import order as rules
from quizapp.qtypes.common.formats import (
    Reject,
    anki_html,
    anki_list,
    gift_escape,
    gift_find,
    gift_text,
    gift_unescape,
    moodle_read,
    moodle_text,
)
from quizapp.qtypes.common.grading import (
    InvalidResponse,
    Result,
    as_list,
    index,
    is_int,
    plural,
    result,
)
from quizapp.qtypes.common.schema import Pair, distinct


class Matching(QuestionBase):
    answer_fields = ("pairs",)
    type: Literal["matching"]
    pairs: list[Pair] = Field(min_length=2, max_length=20)

    @field_validator("pairs")
    @classmethod
    def _distinct_sides(cls, value: list[Pair]) -> list[Pair]:
        distinct([p.left for p in value], "left items")
        distinct([p.right for p in value], "right items")
        return value


class MatchingType(QuestionType):
    name = "matching"
    label = "Matching"
    schema = Matching
    moodle_name = "matching"

    def grade(self, data: Mapping[str, Any], response: Any) -> Result:
        """Partial credit: the fraction of left items matched with their right item.

        Response: one int | None per pair in `pairs` order, the index of the pair whose right
        item the learner chose for that left item (-1 or None = left blank)."""
        n = len(data["pairs"])
        values = as_list(response, "matches")
        if len(values) != n:
            raise InvalidResponse(f"Expected {plural(n, 'match', 'matches')}, got {len(values)}")
        blank = [v is None or (is_int(v) and v == -1) for v in values]
        chosen = [None if b else index(v, n, "match") for v, b in zip(values, blank, strict=True)]
        right = sum(c == i for i, c in enumerate(chosen))
        feedback = f"{right} of {plural(n, 'pair')} right"
        return result(right / n, chosen, "Correct" if right == n else feedback)

    def shown_order(self, snapshot, seed, position):
        return rules.option_order(seed, position, len(snapshot["pairs"]))

    def card_options(self, snapshot, seed):
        return [p["left"] for p in snapshot["pairs"]]

    def right_answer(self, snapshot):
        return [f"{p['left']} → {p['right']}" for p in snapshot["pairs"]]

    def response_text(self, snapshot, response):
        pairs = snapshot["pairs"]
        return [
            f"{p['left']} → {pairs[r]['right'] if r is not None and r >= 0 else '(blank)'}"
            for p, r in zip(pairs, response, strict=False)
        ]

    def claims(self, snapshot):
        return [(side, [pair[side]], 0.75)
                for pair in snapshot["pairs"] for side in ("left", "right")]

    def gift_answers(self, data):
        return [f"={gift_text(p['left'], True)} -> {gift_escape(p['right'], True)}"
                for p in data["pairs"]]

    def moodle_answers(self, element, data):
        ET.SubElement(element, "shuffleanswers").text = "true"
        for pair in data["pairs"]:
            sub = moodle_text(element, "subquestion", pair["left"], markdown=True)
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = pair["right"]

    def gift_read(self, body, answers):
        pairs = []
        for _, _, text in answers:
            arrow = gift_find(text, "->")
            if arrow < 0:
                raise Reject(f"matching pair {excerpt(gift_unescape(text).strip())} has no ->")
            pairs.append({"left": gift_unescape(text[:arrow]).strip(),
                          "right": gift_unescape(text[arrow + 2 :]).strip()})
        return {"pairs": pairs}

    def moodle_read(self, element, answers):
        pairs = [{"left": moodle_read(sub), "right": moodle_read(sub, "answer/text")}
                 for sub in element.findall("subquestion")]
        return {"pairs": [p for p in pairs if p["left"].strip()]}

    def anki_front(self, q, data):
        rights = sorted((p["right"] for p in data["pairs"]), key=str.casefold)
        return anki_html(q.prompt) + anki_list([p["left"] for p in data["pairs"]]) \
            + anki_list(rights)

    def anki_back(self, q, data):
        return anki_list([f"{p['left']} → {p['right']}" for p in data["pairs"]])


TYPE = MatchingType()
