"""What the import/export hooks of the types share (the format modules re-export these)."""

import html
import math
import xml.etree.ElementTree as ET

from quizapp.domain.messages import excerpt

GIFT_SPECIAL = "\\~=#{}:"


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


def moodle_answer(parent: ET.Element, fraction: float, text: str) -> ET.Element:
    element = ET.SubElement(parent, "answer", {"fraction": format_fraction(fraction),
                                               "format": "markdown"})
    ET.SubElement(element, "text").text = text
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
