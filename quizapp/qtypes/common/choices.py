"""What single and multiple choice share besides their schema.

An option's share of the score is `credit(option)`: its `fraction` (partial credit, as Moodle's
answer fraction / 100) when given, else 1 if `correct`, else 0. Formats write fractions only
for questions that have them, so questions without stay exactly as they were.
"""

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, ClassVar

from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.common import order as rules
from quizapp.qtypes.common.formats import (
    anki_html,
    anki_list,
    format_fraction,
    gift_split_feedback,
    gift_text,
    gift_unescape,
    moodle_answer,
)
from quizapp.qtypes.common.formats import moodle_read as read_text
from quizapp.qtypes.common.schema import credit

TOLERANCE = 1e-3  # fractions as written in files: 33.33333 %


def weighted(options: list[Mapping[str, Any]]) -> bool:
    """Whether the question gives partial credit per option (any option has a fraction)."""
    return any(o.get("fraction") is not None for o in options)


def is_right(option: Mapping[str, Any], single: bool) -> bool:
    """Shown as a right answer: fully right in single choice, any credit in multiple."""
    return credit(option) >= 1 if single else bool(option.get("correct"))


def notes(options: list[Mapping[str, Any]], picks: list[int]) -> list[str]:
    """The feedback of the picked options, in option order."""
    return [options[i]["feedback"] for i in sorted(picks) if options[i].get("feedback")]


def shown_order(snapshot: Mapping[str, Any], seed: int, position: int) -> list[int]:
    return rules.option_order(seed, position, len(snapshot["options"]))


def card_options(snapshot: Mapping[str, Any], seed: int) -> list[str]:
    return [snapshot["options"][i]["text"] for i in shown_order(snapshot, seed, 0)]


def right_answer(snapshot: Mapping[str, Any], single: bool = False) -> list[str]:
    return [o["text"] for o in snapshot["options"] if is_right(o, single)]


def claims(snapshot: Mapping[str, Any], single: bool = False) -> list[tuple[str, list[str], float]]:
    return [("correct option", [o["text"]], 0.75) for o in snapshot["options"]
            if is_right(o, single)]


def anki_front(prompt: str, options: list[dict[str, Any]], hint: str = "") -> str:
    return anki_html(prompt) + hint + anki_list([o["text"] for o in options], 'ol type="a"')


def anki_back(options: list[dict[str, Any]], single: bool = False) -> str:
    return anki_list([o["text"] for o in options if is_right(o, single)])


def _legacy_share(options: list[Mapping[str, Any]]) -> float:
    return 100 / sum(bool(o["correct"]) for o in options)


def gift_answers(options: list[dict[str, Any]], single: bool) -> list[str]:
    """`=right`, `~wrong`, `~%50%half right` (single); `~%weight%text` (multiple); `#feedback`."""
    fractions = weighted(options)
    share = 0.0 if fractions or single else _legacy_share(options)
    lines = []
    for o in options:
        percent = credit(o) * 100 if fractions else (share if o["correct"] else -share)
        if single:
            head = "=" if credit(o) >= 1 else ("~" if percent == 0 else
                                                 f"~%{format_fraction(percent)}%")
        else:  # an explicit fraction of 0 is written, so it reads back as one
            head = "~" if percent == 0 and o.get("fraction") is None else \
                f"~%{format_fraction(percent)}%"
        feedback = f"#{gift_text(o['feedback'])}" if o.get("feedback") else ""
        lines.append(head + gift_text(o["text"]) + feedback)
    return lines


def moodle_answers(element: Any, options: list[dict[str, Any]], single: bool) -> None:
    fractions = weighted(options)
    share = 100.0 if fractions else _legacy_share(options)
    ET.SubElement(element, "single").text = "true" if single else "false"
    ET.SubElement(element, "shuffleanswers").text = "true"
    for o in options:
        if fractions:
            percent = credit(o) * 100
        else:
            percent = share if o["correct"] else (0 if single else -share)
        moodle_answer(element, percent, o["text"], o.get("feedback"))


def _options(answers: list[tuple[float | None, bool, str, str]], single: bool
             ) -> list[dict[str, Any]]:
    """Options from (percent or None, marked right, text, feedback) answers.

    Fractions are kept only where they say more than the correct flag: in single choice
    for an option other than 100 % or 0 %; in multiple choice unless the weights are the
    ±(100 / right answers) quizapp writes for questions without fractions."""
    percents = [p for p, _, _, _ in answers]
    if single:
        keep = [p is not None and not (abs(p) < TOLERANCE or abs(p - 100) < TOLERANCE)
                for p in percents]
    else:
        positive = [p for p in percents if p is not None and p > 0]
        share = 100 / len(positive) if positive else 0
        legacy = positive and all(p is not None and abs(abs(p) - share) < TOLERANCE
                                  for p in percents)
        keep = [not legacy and p is not None for p in percents]
    options = []
    for (percent, marked, text, feedback), fraction in zip(answers, keep, strict=True):
        option: dict[str, Any] = {"text": text}
        if fraction:
            option["fraction"] = round(percent / 100, 5)
        elif percent is not None:
            option["correct"] = percent > 0 if not single else abs(percent - 100) < TOLERANCE
        else:
            option["correct"] = marked
        if feedback:
            option["feedback"] = feedback
        options.append(option)
    return options


def moodle_read(answers: list[tuple[float, str, Any]], single: bool) -> dict[str, Any]:
    return {"options": _options([(f, f > 0, text, read_text(el, "feedback/text").strip())
                                 for f, text, el in answers], single)}


def gift_read(body: str, single: bool) -> dict[str, Any]:
    """Options from a GIFT answer block: `=` right, `~` wrong, `%weight%`, `#feedback`."""
    return {"options": _options([(w, m == "=", gift_unescape(t).strip(),
                                  gift_unescape(fb).strip() if fb else "")
                                 for m, w, t, fb in gift_split_feedback(body)], single)}


class ChoiceType(QuestionType):
    """What single and multiple choice share: options shown in a shuffled order, the
    citations checked against the right options, and Moodle's multichoice in the formats.
    A subclass sets `single` and grades."""

    single: ClassVar[bool]
    anki_hint: ClassVar[str] = ""  # under the options on an Anki card's front

    def shown_order(self, snapshot, seed, position):
        return shown_order(snapshot, seed, position)

    def card_options(self, snapshot, seed):
        return card_options(snapshot, seed)

    def right_answer(self, snapshot):
        return right_answer(snapshot, single=self.single)

    def claims(self, snapshot):
        return claims(snapshot, single=self.single)

    def written_options(self, snapshot):
        options = [(o["text"], bool(o.get("correct"))) for o in snapshot.get("options", [])]
        return ("one" if self.single else "several"), options

    def gift_answers(self, data):
        return gift_answers(data["options"], single=self.single)

    def moodle_answers(self, element, data):
        moodle_answers(element, data["options"], single=self.single)

    def gift_read(self, body, answers):
        return gift_read(body, single=self.single)

    def moodle_read(self, element, answers):
        return moodle_read(answers, single=self.single)

    def anki_front(self, q, data):
        return anki_front(q.prompt, data["options"], self.anki_hint)

    def anki_back(self, q, data):
        return anki_back(data["options"], single=self.single)
