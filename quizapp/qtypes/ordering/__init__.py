"""Ordering: put the items in order; partial credit per pair in the right order."""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator

from quizapp.domain.questions import QuestionBase, Short
from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.common import order as rules
from quizapp.qtypes.common.formats import anki_html, anki_list
from quizapp.qtypes.common.grading import InvalidResponse, Result, as_list, index, plural, result
from quizapp.qtypes.common.schema import distinct


class Ordering(QuestionBase):
    answer_fields = ("items",)
    type: Literal["ordering"]
    items: list[Short] = Field(min_length=2, max_length=20)

    @field_validator("items")
    @classmethod
    def _distinct_items(cls, value: list[str]) -> list[str]:
        distinct(value, "items")
        return value


class OrderingType(QuestionType):
    name = "ordering"
    label = "Ordering"
    schema = Ordering

    def grade(self, data: Mapping[str, Any], response: Any) -> Result:
        """Partial credit: the fraction of item pairs whose relative order is right.

        Response: indexes into `items` in the learner's order (a permutation)."""
        n = len(data["items"])
        order = [index(v, n, "item") for v in as_list(response, "items")]
        if sorted(order) != list(range(n)):
            raise InvalidResponse(f"Put all {n} items in order, each once")
        pairs = n * (n - 1) // 2
        right = sum(order[i] < order[j] for i in range(n) for j in range(i + 1, n))
        feedback = f"{right} of {plural(pairs, 'pair')} in the right order"
        return result(right / pairs, order, "Correct" if right == pairs else feedback)

    def shown_order(self, snapshot, seed, position):
        return rules.ordering_start(seed, position, len(snapshot["items"]))

    def card_options(self, snapshot, seed):
        return [snapshot["items"][i] for i in self.shown_order(snapshot, seed, 0)]

    def right_answer(self, snapshot):
        return [f"{i}. {item}" for i, item in enumerate(snapshot["items"], 1)]

    def response_text(self, snapshot, response):
        return [f"{n}. {snapshot['items'][i]}" for n, i in enumerate(response, 1)]

    def claims(self, snapshot):
        return [("item", [item], 0.75) for item in snapshot["items"]]

    def anki_front(self, q, data):
        return anki_html(q.prompt) + anki_list(sorted(data["items"], key=str.casefold))

    def anki_back(self, q, data):
        return anki_list(data["items"], "ol")


TYPE = OrderingType()
