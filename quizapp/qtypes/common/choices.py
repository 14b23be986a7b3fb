"""What single and multiple choice share besides their schema."""

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from quizapp.qtypes.common import order as rules
from quizapp.qtypes.common.formats import anki_html, anki_list, gift_unescape, moodle_answer


def shown_order(snapshot: Mapping[str, Any], seed: int, position: int) -> list[int]:
    return rules.option_order(seed, position, len(snapshot["options"]))


def card_options(snapshot: Mapping[str, Any], seed: int) -> list[str]:
    return [snapshot["options"][i]["text"] for i in shown_order(snapshot, seed, 0)]


def right_answer(snapshot: Mapping[str, Any]) -> list[str]:
    return [o["text"] for o in snapshot["options"] if o.get("correct")]


def claims(snapshot: Mapping[str, Any]) -> list[tuple[str, list[str], float]]:
    return [("correct option", [o["text"]], 0.75) for o in snapshot["options"] if o.get("correct")]


def anki_front(prompt: str, options: list[dict[str, Any]], hint: str = "") -> str:
    return anki_html(prompt) + hint + anki_list([o["text"] for o in options], 'ol type="a"')


def anki_back(options: list[dict[str, Any]]) -> str:
    return anki_list([o["text"] for o in options if o["correct"]])


def moodle_answers(element: Any, options: list[dict[str, Any]], single: bool) -> None:
    share = 100 / sum(o["correct"] for o in options)
    ET.SubElement(element, "single").text = "true" if single else "false"
    ET.SubElement(element, "shuffleanswers").text = "true"
    for o in options:
        moodle_answer(element, share if o["correct"] else (0 if single else -share), o["text"])


def moodle_read(answers: list[tuple[float, str, Any]]) -> dict[str, Any]:
    return {"options": [{"text": text, "correct": f > 0} for f, text, _ in answers]}


def gift_read(answers: list[tuple[str, float | None, str]], weighted: bool) -> dict[str, Any]:
    """Options from GIFT answers: by weight (> 0 is right) when `weighted`, else by = or 100%."""
    return {"options": [{"text": gift_unescape(t).strip(),
                         "correct": (w or 0) > 0 if weighted else (m == "=" or w == 100)}
                        for m, w, t in answers]}
