"""Anki .apkg export and import: one note per question, any of the eight types.

Export: the note type ("quizapp: <bank title>") has the fields Front, Back, Explanation,
Source and Quizapp. Front is the prompt, with the options listed for choice questions, the
items (in alphabetical order) for ordering, both columns for matching and _____ for each
cloze gap; Back is the right answer. Text is HTML-escaped (Anki fields are HTML; the Markdown
is shown as written). Quizapp holds the whole question as compact JSON (`snapshot`); the
cards do not show it. The note's tags are the question's tags. GUIDs come from
`genanki.guid_for(bank slug, key)` and the note type and deck ids from the bank slug, so
importing a newer export of the same bank updates the notes already in Anki instead of
adding copies.

Import (read safely by `anki_package`): a note with a Quizapp field is exactly that question
(edits made in Anki to its other fields are not read). Any other note whose type has Front
and Back fields (Anki's Basic types) is a short answer: Front is the prompt, Back the one
answer, both as plain text; an Explanation field is the explanation, a Source field holds
the citations (minsk-talks#2) and the note's tags are the tags (an Anki _ is a quizapp -).
Its key comes from the note's GUID. Other note types (Cloze, Image Occlusion...) are
skipped. The bank header comes from the deck: its title and description, a slug made from
the title.
"""

import hashlib
import html
import io
import itertools
import json
import re
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import genanki
import nh3
from pydantic import ValidationError

from quizapp.domain.bank_file import BankHeader
from quizapp.domain.messages import excerpt
from quizapp.domain.questions import QuestionBase, snapshot
from quizapp.qtypes import registry
from quizapp.qtypes.common.formats import anki_html as _html
from quizapp.qtypes.registry import SCHEMAS

from .anki_package import Deck, Note, read_package
from .base import Collector, ImportResult, Reject, slugify

TYPES = frozenset(SCHEMAS)
FIELDS = ("Front", "Back", "Explanation", "Source", "Quizapp")
CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; }
.explanation { margin-top: 1em; font-size: 16px; }
.source { margin-top: 1em; font-size: 12px; color: #666; }"""
ANSWER = ('{{FrontSide}}<hr id="answer">{{Back}}'
          '<div class="explanation">{{Explanation}}</div><div class="source">{{Source}}</div>')


def stable_id(*parts: str) -> int:
    """A deterministic id in genanki's recommended range [2**30, 2**31)."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def front(q: QuestionBase) -> str:
    return registry.get(q.type).anki_front(q, q.answer_data())


def back(q: QuestionBase) -> str:
    return registry.get(q.type).anki_back(q, q.answer_data())


def _note(model: genanki.Model, slug: str, q: QuestionBase) -> genanki.Note:
    return genanki.Note(
        model=model,
        fields=[front(q), back(q), _html(q.explanation), _html(", ".join(q.source)),
                html.escape(json.dumps(snapshot(q), ensure_ascii=False, separators=(",", ":")),
                            quote=False)],
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


# ---------------------------------------------------------------------------- import

_BREAK = re.compile(r"<br\s*/?>|</(?:div|p|li)\s*>", re.IGNORECASE)
_CITATION = re.compile(r"(?<![\w-])[a-z0-9][a-z0-9-]*#[1-9][0-9]{0,3}(?![\w#])")


def plain_text(field: str) -> str:
    """An Anki field's HTML as plain text: tags dropped, entities read, <br> a line break."""
    text = html.unescape(nh3.clean(_BREAK.sub("\n", field), tags=set())).replace("\xa0", " ")
    text = "\n".join(line.strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _label(note: Note) -> str:
    """The start of the note's first field, to find it in Anki: ' "What is…"'."""
    first = plain_text(note.fields[0]).replace("\n", " ") if note.fields else ""
    return f' "{first[:40]}…"' if len(first) > 40 else f' "{first}"' if first else ""


def _key(guid: str) -> str:
    return "anki-" + hashlib.sha1(guid.encode(), usedforsecurity=False).hexdigest()[:16]


def _fields(note: Note) -> dict[str, str]:
    """The note's fields by lower-case name."""
    if note.note_type is None:
        raise Reject("its note type is missing from the collection")
    name, names = note.note_type.name, note.note_type.fields
    if note.fields is None or len(note.fields) != len(names):
        raise Reject(f"its fields do not match its note type {excerpt(name)}")
    return {n.lower(): value for n, value in zip(names, note.fields, strict=True)}


def _basic(note: Note, fields: dict[str, str], traced: bool) -> dict[str, Any]:
    """A short answer from a Front/Back note."""
    note_type = note.note_type.name if note.note_type else ""
    if "front" not in fields or "back" not in fields:
        kind = "a cloze type" if note.note_type and note.note_type.cloze else "not Front/Back"
        raise Reject(f"note type {excerpt(note_type)} is {kind}: only notes with Front and Back "
                     "fields "
                     "(like Anki's Basic) can be imported", skip=True)
    explanation = plain_text(fields.get("explanation", ""))
    if traced and not explanation:
        where = "fill its Explanation field" if "explanation" in fields else \
            f"the note type {excerpt(note_type)} has no Explanation field"
        raise Reject(f"needs an explanation ({where})")
    source = list(dict.fromkeys(_CITATION.findall(plain_text(fields.get("source", "")))))
    if traced and not source:
        raise Reject("needs a source citation (write one like minsk-talks#2 in a Source field)")
    if not note.tags:
        raise Reject("needs at least one topic tag (tag the note in Anki, e.g. venue)")
    return {"key": _key(note.guid), "type": registry.from_moodle("shortanswer"),
            "prompt": plain_text(fields["front"]),
            "answers": [plain_text(fields["back"])], "explanation": explanation,
            "source": source,
            "tags": list(dict.fromkeys(tag.lower().replace("_", "-") for tag in note.tags))}


def _question(note: Note, traced: bool) -> dict[str, Any]:
    fields = _fields(note)
    stored = fields.get("quizapp", "").strip()
    if not stored:
        return _basic(note, fields, traced)
    try:
        data = json.loads(html.unescape(stored))
    except (ValueError, RecursionError):
        raise Reject("the Quizapp field is not valid JSON") from None
    if not isinstance(data, dict):
        raise Reject("the Quizapp field is not a JSON object")
    return data


def _header(deck: Deck | None) -> BankHeader | None:
    if deck is None:
        return None
    try:
        return BankHeader(slug=slugify(deck.name, "anki-deck"), title=deck.name[:200],
                          description=plain_text(deck.description)[:5000])
    except ValidationError:
        return None


def parse_apkg(data: bytes, filename: str, traced: bool = True) -> ImportResult:
    collection = read_package(data, filename)
    collect = Collector(_header(collection.deck), traced=traced)
    for note in collection.notes:
        where = f"note #{note.number}{_label(note)}: "
        try:
            collect.add(_question(note, traced), where=where)
        except Reject as e:
            (collect.skip if e.skip else collect.reject)(None, None, where + e.reason)
    return collect.result
