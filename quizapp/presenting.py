"""Display data shared by the quiz and the flashcards: citations and card faces."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from markupsafe import Markup

from quizapp.domain import quiz as rules
from quizapp.domain.markdown import render_inline, render_markdown
from quizapp.domain.questions import GAP_RE
from quizapp.models import User
from quizapp.qtypes import registry
from quizapp.services import sources


def local_time(user: User, moment: datetime | None, fmt: str = "%a %d %b, %H:%M") -> str | None:
    """A stored UTC time as the learner reads it: in the time zone of their settings."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(user.setting("timezone"))).strftime(fmt)


def safe_markdown(text: str) -> Markup:
    """Markdown rendered and cleaned by nh3 (domain.markdown): safe to mark as HTML.

    The only two places that mark text as HTML; the stored-XSS suite checks them.
    """
    return Markup(render_markdown(text))  # nosec B704


def safe_inline(text: str) -> Markup:
    return Markup(render_inline(text))  # nosec B704


@dataclass
class Citation:
    label: str
    url: str | None
    section: str = ""
    excerpt: str = ""
    missing: bool = False  # the source text is not loaded on this site


def citations(snapshot: dict[str, Any], cited: list | None = None) -> list[Citation]:
    """Each cited paragraph, linked to its source page when the article is loaded. `cited`:
    `sources.cited_paragraphs` of this and other snapshots, fetched once for a whole page."""
    if cited is None:
        cited = sources.cited_paragraphs(snapshot["source"])
    found = {(slug, p.number): p for slug, p in cited}
    out = []
    for citation in snapshot["source"]:
        slug, _, number = citation.partition("#")
        paragraph = found.get((slug, int(number)))
        if paragraph is None:
            out.append(Citation(label=f"{slug}, paragraph {number}", url=None, missing=True))
        else:
            out.append(Citation(
                label=f"{paragraph.article.title}, paragraph {number}",
                url=url_for("sources.article", slug=slug, p=number, _anchor=f"p{number}"),
                section=paragraph.section,
                excerpt=paragraph.text,
            ))
    return out


def prompt_html(snapshot: dict[str, Any]) -> Markup:
    """The prompt as safe HTML; cloze gaps shown as blanks."""
    return safe_markdown(GAP_RE.sub("\\_\\_\\_", snapshot["prompt"]))


def cloze_parts(prompt: str) -> list[Markup | int]:
    """The prompt split into text pieces (inline Markdown) and gap indexes."""
    parts: list[Markup | int] = []
    last = 0
    for match in GAP_RE.finditer(prompt):
        parts.append(safe_inline(prompt[last:match.start()]))
        parts.append(int(match.group(1)) - 1)
        last = match.end()
    parts.append(safe_inline(prompt[last:]))
    return parts


@dataclass
class CardFaces:
    """A flashcard: the front asks, the back answers, explains and cites."""

    type: str
    type_label: str
    front: Markup
    options: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    explanation: Markup = Markup("")
    citations: list[Citation] = field(default_factory=list)


def card_faces(snapshot: dict[str, Any], seed: int = 0) -> CardFaces:
    kind = snapshot["type"]
    qtype = registry.get(kind)
    return CardFaces(
        type=kind,
        type_label=qtype.label,
        front=prompt_html(snapshot),
        options=qtype.card_options(snapshot, seed),
        answer=rules.correct_answer_text(snapshot),
        explanation=safe_markdown(snapshot["explanation"]),
        citations=citations(snapshot),
    )
