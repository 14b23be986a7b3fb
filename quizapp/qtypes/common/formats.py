"""What the import/export hooks of the types share (the format modules re-export these)."""

import html
import math
import re
import xml.etree.ElementTree as ET

from quizapp.domain.messages import excerpt

GIFT_SPECIAL = "\\~=#{}:"
GIFT_ESCAPED = re.compile(r"\\([\\~=#{}:n>%])")
GIFT_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
GIFT_MAX_ANSWERS = 100


class Reject(Exception):
    """One question cannot be imported: `reason` says why; `skip` marks a question type
    quizapp does not have (it goes to ImportResult.skipped_types)."""

    def __init__(self, reason: str, skip: bool = False):
        super().__init__(reason)
        self.reason, self.skip = reason, skip


def format_number(value: float) -> str:
    """29.0 -> '29', 0.5 -> '0.5': short, and float() reads it back exactly."""
    if value.is_integer() and abs(value) < 1e15:
        return "-0" if value == 0 and math.copysign(1, value) < 0 else str(int(value))
    return repr(value)


def format_fraction(value: float) -> str:
    """A Moodle grade fraction: 100 / 3 -> '33.33333'."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def parse_number(text: str) -> float:
    """A number as written in a file, refusing nan and infinities; ValueError otherwise."""
    value = float(text.strip())
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{excerpt(text)} is not a finite number")
    return value


def anki_html(text: str) -> str:
    """Text for an Anki field (HTML)."""
    # \x1f separates a note's fields: one inside a field would split it in two.
    return html.escape(text).replace("\r\n", "\n").replace("\n", "<br>").replace("\x1f", " ")


def anki_list(items: list[str], tag: str = "ul") -> str:
    items_html = "".join(f"<li>{anki_html(item)}</li>" for item in items)
    return f"<{tag}>{items_html}</{tag.split()[0]}>"


def moodle_text(parent: ET.Element, tag: str, text: str, markdown: bool = False) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": "markdown"} if markdown else {})
    ET.SubElement(element, "text").text = text
    return element


def moodle_answer(parent: ET.Element, fraction: float, text: str,
                  feedback: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, "answer", {"fraction": format_fraction(fraction),
                                               "format": "markdown"})
    ET.SubElement(element, "text").text = text
    if feedback:
        moodle_text(element, "feedback", feedback, markdown=True)
    return element


def gift_escape(text: str, arrow: bool = False) -> str:
    """GIFT text; `arrow` also escapes -> (inside a matching pair)."""
    out = "".join("\\" + ch if ch in GIFT_SPECIAL else ch for ch in text).replace("\n", "\\n")
    return out.replace("->", "-\\>") if arrow else out


def gift_text(text: str, arrow: bool = False) -> str:
    """An answer's text: escaped, and a leading % kept from reading as a %weight%."""
    out = gift_escape(text, arrow)
    return "\\" + out if out.startswith("%") else out


def moodle_read(element: ET.Element | None, path: str = "text") -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "") if found is not None else ""


def gift_unescape(text: str) -> str:
    return GIFT_ESCAPED.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def gift_find(text: str, target: str, start: int = 0) -> int:
    """The first unescaped occurrence of `target` from `start`, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(target, i):
            return i
        else:
            i += 1
    return -1


def gift_split_answers(body: str) -> list[tuple[str, float | None, str]]:
    """`=a ~%50%b` -> [("=", None, "a"), ("~", 50.0, "b")], per-answer feedback dropped."""
    return [(marker, weight, text) for marker, weight, text, _ in gift_split_feedback(body)]


def gift_split_feedback(body: str) -> list[tuple[str, float | None, str, str | None]]:
    """`=a#yes ~%50%b` -> [("=", None, "a", "yes"), ("~", 50.0, "b", None)] (still escaped)."""
    starts, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            i += 1
        elif body[i] in "=~":
            starts.append(i)
        i += 1
    if len(starts) > GIFT_MAX_ANSWERS:
        raise Reject(f"more than {GIFT_MAX_ANSWERS} answers in one question")
    if not starts or body[: starts[0]].strip():
        raise Reject("the answer block needs answers starting with = (right) or ~ (wrong)")
    answers = []
    for start, end in zip(starts, [*starts[1:], len(body)], strict=True):
        marker, text, weight = body[start], body[start + 1 : end].strip(), None
        if weighted := GIFT_WEIGHT.match(text):
            weight, text = float(weighted.group(1)), text[weighted.end() :]
        feedback = gift_find(text, "#")
        answers.append((marker, weight, text[:feedback] if feedback >= 0 else text,
                        text[feedback + 1 :] if feedback >= 0 else None))
    return answers
