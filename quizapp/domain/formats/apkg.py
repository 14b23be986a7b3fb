"""Anki .apkg export (no import): one note per question, any of the eight types.

The note type ("quizapp") has the fields Front, Back, Explanation and Source. Front is the
prompt, with the options listed for choice questions, the items (in alphabetical order) for
ordering, both columns for matching and _____ for each cloze gap; Back is the right answer.
Text is HTML-escaped (Anki fields are HTML; the Markdown is shown as written). The note's
tags are the question's tags. GUIDs come from `genanki.guid_for(bank slug, key)` and the
note type and deck ids from the bank slug, so importing a newer export of the same bank
updates the notes already in Anki instead of adding copies.
"""

import hashlib
import html
import io
import itertools
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

import genanki

from quizapp.domain.bank_file import BankHeader
from quizapp.domain.questions import GAP_RE, QUESTION_TYPES, QuestionBase

from .base import format_number

TYPES = frozenset(QUESTION_TYPES)
FIELDS = ("Front", "Back", "Explanation", "Source")
CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; }
.explanation { margin-top: 1em; font-size: 16px; }
.source { margin-top: 1em; font-size: 12px; color: #666; }"""
ANSWER = ('{{FrontSide}}<hr id="answer">{{Back}}'
          '<div class="explanation">{{Explanation}}</div><div class="source">{{Source}}</div>')


def stable_id(*parts: str) -> int:
    """A deterministic id in genanki's recommended range [2**30, 2**31)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def _html(text: str) -> str:
    return html.escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def _list(items: list[str], tag: str = "ul") -> str:
    items_html = "".join(f"<li>{_html(item)}</li>" for item in items)
    return f"<{tag}>{items_html}</{tag.split()[0]}>"


def front(q: QuestionBase) -> str:
    data = q.answer_data()
    if q.type == "cloze":
        return _html(GAP_RE.sub("_____", q.prompt))
    prompt = _html(q.prompt)
    if q.type in ("single_choice", "multiple_choice"):
        hint = "" if q.type == "single_choice" else "<br><i>(Select all that apply.)</i>"
        return prompt + hint + _list([o["text"] for o in data["options"]], "ol type=\"a\"")
    if q.type == "ordering":
        return prompt + _list(sorted(data["items"], key=str.casefold))
    if q.type == "matching":
        rights = sorted((p["right"] for p in data["pairs"]), key=str.casefold)
        return prompt + _list([p["left"] for p in data["pairs"]]) + _list(rights)
    if q.type == "true_false":
        return prompt + "<br><i>(True or false?)</i>"
    return prompt


def back(q: QuestionBase) -> str:
    data = q.answer_data()
    match q.type:
        case "single_choice" | "multiple_choice":
            return _list([o["text"] for o in data["options"] if o["correct"]])
        case "true_false":
            return "True" if data["answer"] else "False"
        case "short_answer":
            return " / ".join(_html(a) for a in data["answers"])
        case "numeric":
            tolerance = f" ± {format_number(data['tolerance'])}" if data["tolerance"] else ""
            unit = f" {data['unit']}" if data.get("unit") else ""
            return _html(f"{format_number(data['value'])}{tolerance}{unit}")
        case "ordering":
            return _list(data["items"], "ol")
        case "matching":
            return _list([f"{p['left']} → {p['right']}" for p in data["pairs"]])
    parts, last = [], 0
    for match in GAP_RE.finditer(q.prompt):
        answers = " / ".join(data["gaps"][int(match.group(1)) - 1])
        parts += [_html(q.prompt[last : match.start()]), f"<b>{_html(answers)}</b>"]
        last = match.end()
    return "".join([*parts, _html(q.prompt[last:])])


def _note(model: genanki.Model, slug: str, q: QuestionBase) -> genanki.Note:
    return genanki.Note(
        model=model,
        fields=[front(q), back(q), _html(q.explanation), _html(", ".join(q.source))],
        tags=[tag.replace(" ", "_") for tag in q.tags],
        guid=genanki.guid_for(slug, q.key),
    )


def export_apkg(header: BankHeader, questions: list[QuestionBase]) -> bytes:
    model = genanki.Model(
        stable_id("quizapp-model", header.slug), f"quizapp: {header.title}",
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": ANSWER}], css=CSS,
    )
    deck = genanki.Deck(stable_id("quizapp-deck", header.slug), header.title,
                        description=_html(header.description))
    for q in questions:
        deck.add_note(_note(model, header.slug, q))
    package = genanki.Package(deck)
    timestamp = time.time()
    # genanki.Package.write_to_file leaves its temporary database behind; write it here.
    with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as tmp:
        path = Path(tmp) / "collection.anki2"
        connection = sqlite3.connect(path)
        try:
            package.write_to_db(connection.cursor(), timestamp,
                                itertools.count(int(timestamp * 1000)))
            connection.commit()
        finally:
            connection.close()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "collection.anki2")
            archive.writestr("media", "{}")
    return out.getvalue()
