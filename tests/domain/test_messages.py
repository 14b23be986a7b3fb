"""Pydantic's validation errors become sentences an author understands."""

import pytest
from pydantic import ValidationError

from quizapp.domain.messages import plain_message
from quizapp.qtypes.registry import SCHEMAS

BASE = {"key": "k", "type": "numeric", "prompt": "Q?", "explanation": "W",
        "source": ["minsk-talks#2"], "tags": ["venue"]}


def messages(qtype: str, **fields) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        SCHEMAS[qtype].model_validate({**BASE, "type": qtype, **fields})
    return [plain_message(e) for e in caught.value.errors()]


@pytest.mark.parametrize(("qtype", "fields", "expected"), [
    ("numeric", {"value": "lots"}, "Enter a number, such as 5063 or 2.5."),
    ("numeric", {"value": 1, "key": "Bad Key"}, "Use lowercase letters, digits and hyphens "
     "only, starting with a letter or digit, at most 80 characters (for example minsk-venue-1)."),
    ("numeric", {"value": 1, "tags": []}, "Give at least 1 topic."),
    ("numeric", {"value": 1, "difficulty": 7}, "Enter 3 or less."),
    ("numeric", {"value": 1, "difficulty": 0}, "Enter 1 or more."),
    ("numeric", {"value": 1, "prompt": ""}, "Fill this in."),
    ("ordering", {"items": ["one"]}, "Give at least 2 items."),
])
def test_plain_messages(qtype, fields, expected):
    assert expected in messages(qtype, **fields)
