"""Moodle XML: <quiz><question type="...">, the format Moodle's question bank imports.

Written and read: multichoice (single="true" for single_choice, single="false" for
multiple_choice; a right answer has fraction 100 / number of right answers, a wrong one the
negative of that in a multiple choice), truefalse, shortanswer, numerical (answer,
tolerance, and the unit as a Moodle unit with multiplier 1) and matching (subquestions).
Cloze and ordering are not written (`Format.unsupported` lists them), nor is a question
whose text holds control characters XML 1.0 cannot carry.

The key is the question name, the prompt the questiontext (format="markdown"), the
explanation the generalfeedback. Moodle tags carry the rest: `source:minsk-talks#2` per
citation, the topic tags as they are, `difficulty:1`, `typos:true`, `accents:true`,
`scale:billion` (the unit then names the scale, "billion US dollars", as Moodle grades
by it), `source-check-ignore:<reason>`. The bank header is a category question: the category path
ends in the title (a / in it doubled, as Moodle does), <idnumber> is the slug, <info> the
description (the header's article and topics are not carried: an import labels new topics from
their slugs).

Reading uses defusedxml and refuses any DOCTYPE, entity declaration or external reference.
Other Moodle question types (essay, description, cloze/multianswer, ...) are listed as
skipped types.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from pydantic import ValidationError

from quizapp.domain.bank_file import BankHeader
from quizapp.domain.messages import excerpt
from quizapp.domain.questions import QuestionBase
from quizapp.qtypes import registry
from quizapp.qtypes.common.formats import moodle_read as _read
from quizapp.qtypes.common.formats import moodle_text as _text

from .base import (
    MOODLE_FAMILY_TYPES,
    Collector,
    FormatError,
    ImportResult,
    Reject,
    parse_flag,
    parse_number,
    slugify,
    validation_reason,
)

TYPES = MOODLE_FAMILY_TYPES  # GIFT and Moodle XML carry the same types
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CATEGORY = "$course$/top/"
_PREFIXED = ("source", "difficulty", "typos", "accents", "scale", "source-check-ignore")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item)


def carries(q: QuestionBase) -> str | None:
    if any(_NOT_XML.search(text) for text in _strings(q.model_dump())):
        return "the text holds control characters that XML cannot carry"
    return None


# ------------------------------------------------------------------------------ export

def _tags(q: QuestionBase) -> list[str]:
    data = q.answer_data()
    tags = [f"source:{c}" for c in q.source] + list(q.tags) + [f"difficulty:{q.difficulty}"]
    tags += [f"{flag}:true" for flag in ("typos", "accents") if data.get(flag)]
    if data.get("scale"):  # Moodle grades by the unit "billion US dollars"; we read it back
        tags.append(f"scale:{data['scale']}")
    if q.source_check_ignore:
        tags.append(f"source-check-ignore:{q.source_check_ignore}")
    return tags


def _answers(element: ET.Element, q: QuestionBase) -> None:
    registry.get(q.type).moodle_answers(element, q.answer_data())


def export_moodle_xml(header: BankHeader, questions: list[QuestionBase]) -> bytes:
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", {"type": "category"})
    _text(category, "category", CATEGORY + header.title.replace("/", "//"))
    _text(category, "info", header.description, markdown=True)
    ET.SubElement(category, "idnumber").text = header.slug
    for q in questions:
        element = ET.SubElement(quiz, "question", {"type": registry.get(q.type).moodle_name})
        _text(element, "name", q.key)
        _text(element, "questiontext", q.prompt, markdown=True)
        _text(element, "generalfeedback", q.explanation, markdown=True)
        ET.SubElement(element, "defaultgrade").text = "1"
        _answers(element, q)
        tags = ET.SubElement(element, "tags")
        for tag in _tags(q):
            ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag
    ET.indent(quiz)
    # A parser turns a raw carriage return into a line feed: write it as a reference.
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True).replace(b"\r", b"&#13;")


# ------------------------------------------------------------------------------ import

def _header(element: ET.Element) -> BankHeader | str:
    path = _read(element, "category/text").strip()
    title = path.removeprefix(CATEGORY) if path.startswith(CATEGORY) else \
        re.split(r"(?<!/)/(?!/)", path)[-1]
    title = title.replace("//", "/").strip()
    slug = (element.findtext("idnumber") or "").strip() or slugify(title, "imported")
    try:
        return BankHeader(slug=slug, title=title, description=_read(element.find("info")))
    except ValidationError as e:
        return f"bank header (category): {validation_reason(e)}"


def _fractions(element: ET.Element) -> list[tuple[float, str, ET.Element]]:
    answers = []
    for answer in element.findall("answer"):
        try:
            fraction = parse_number(answer.get("fraction", "0"))
        except ValueError:
            raise Reject(f"answer fraction {excerpt(answer.get('fraction'))} "
                         "is not a number") from None
        answers.append((fraction, _read(answer), answer))
    return answers


def _answer_fields(kind: str, element: ET.Element) -> dict[str, Any]:
    """The type's fields, read by the type Moodle calls `kind` (multichoice: by <single>)."""
    qtype = registry.for_moodle(kind, single=_single(element))
    if qtype is None:
        raise Reject(f"Moodle {excerpt(kind)} questions have no quizapp type", skip=True)
    return {"type": qtype.name, **qtype.moodle_read(element, _fractions(element))}


def _single(element: ET.Element) -> bool:
    return (element.findtext("single") or "true").strip().lower() in ("true", "1")


def _meta(element: ET.Element) -> dict[str, Any]:
    meta: dict[str, Any] = {"source": [], "tags": []}
    for tag in (t.text or "" for t in element.findall("tags/tag/text")):
        prefix, _, value = tag.partition(":")
        if prefix in _PREFIXED and value:
            if prefix == "source":
                meta["source"].append(value.strip())
            elif prefix in ("typos", "accents"):
                meta[prefix] = parse_flag(value.strip())
            else:
                meta[prefix.replace("-", "_")] = value.strip()
        elif tag.strip():
            meta["tags"].append(tag.strip())
    return meta


def _question(kind: str, element: ET.Element, number: int, traced: bool) -> dict[str, Any]:
    name = _read(element.find("name")).strip()
    data = {"key": slugify(name, f"question-{number}"),
            "prompt": _read(element.find("questiontext")),
            "explanation": _read(element.find("generalfeedback")),
            **_answer_fields(kind, element)}
    meta = _meta(element)
    if traced and not meta["source"]:
        raise Reject("needs a source citation (add a tag source:article#n)")
    if not meta["tags"]:
        raise Reject("needs at least one topic tag (add a tag such as venue)")
    if traced and not data["explanation"].strip():
        raise Reject("needs an explanation (the general feedback is empty)")
    scale = meta.get("scale")
    if scale and isinstance(data.get("unit"), str):  # our export: the unit names the scale
        first, _, rest = data["unit"].strip().partition(" ")
        if first == scale:
            data["unit"] = rest.strip() or None
    return data | meta


def parse_moodle_xml(text: str, filename: str, traced: bool = True) -> ImportResult:
    try:
        root = SafeET.fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise FormatError("XML with entity declarations is refused (a DOCTYPE, entity or "
                          "external reference); export the questions from Moodle again") from None
    except ET.ParseError as e:
        line, column = e.position
        raise FormatError(f"{filename}: not well-formed XML at line {line}, column {column + 1}"
                          ) from None
    if root.tag != "quiz":
        raise FormatError(f"{filename} is not Moodle XML: the root element is <{root.tag}>, "
                          "not <quiz>")
    collect = Collector(traced=traced)
    for number, element in enumerate(root.findall("question"), 1):
        kind = element.get("type", "")
        key = slugify(_read(element.find("name")).strip(), f"question-{number}")
        if kind == "category":
            header = _header(element)
            if isinstance(header, str):
                collect.reject(None, None, header)
            elif collect.result.header is None:
                collect.result.header = header
            continue
        if registry.for_moodle(kind, single=_single(element)) is None:
            collect.skip(None, key, f"question #{number}: Moodle {excerpt(kind)} questions have no "
                                    "quizapp type")
            continue
        try:
            collect.add(_question(kind, element, number, traced))
        except Reject as e:
            collect.reject(None, key, f"question #{number}: {e}")
    return collect.result
