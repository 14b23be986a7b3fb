"""Turning pasted or uploaded text into numbered paragraphs, and matching two versions.

Pure: plain strings in, plain values out. The numbering follows shared/articles:
`# title`, `## section` headings (not numbered), blank-line separated paragraphs
numbered from 1; a text that already carries `[n]` markers keeps its numbers.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import nh3
from rapidfuzz import fuzz

from quizapp.domain.articles import Article, ArticleFormatError, Paragraph

MARKER_RE = re.compile(r"^\[(\d+)\]\s+(.*\S)\s*$", re.DOTALL)
SLUG_STRIP_RE = re.compile(r"[^a-z0-9]+")
# A paragraph edited by a few words still scores well above this; an unrelated one does not.
CLOSE_MATCH = 80.0


def slugify(title: str, taken: set[str] = frozenset()) -> str:
    """A slug from the title (`^[a-z0-9][a-z0-9-]{0,63}$`), suffixed -2, -3 ... if taken."""
    base = SLUG_STRIP_RE.sub("-", title.lower()).strip("-")[:60].strip("-") or "source"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def html_to_text(markup: str) -> str:
    """Cleaned HTML as text: h1 becomes `# `, h2-h6 `## `, block elements blank-line separated."""
    cleaned = nh3.clean(
        markup,
        tags={"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "div", "br"},
        attributes={},
        clean_content_tags={"script", "style"},
        link_rel=None,
    )
    cleaned = re.sub(r"<br\s*/?>", " ", cleaned)
    cleaned = re.sub(r"<h1>", "\n\n# ", cleaned)
    cleaned = re.sub(r"<h[2-6]>", "\n\n## ", cleaned)
    cleaned = re.sub(r"</?(h[1-6]|p|li|blockquote|div)>", "\n\n", cleaned)
    text = html.unescape(cleaned)
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    return "\n\n".join(block for block in blocks if block)


def split_text(slug: str, text: str, title: str = "") -> Article:
    """Numbered paragraphs of a plain or Markdown text. Raises ArticleFormatError."""
    article = Article(slug=slug, title=title or slug)
    section = ""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    # One `[n]` per line (the shared articles' own format) splits further.
    pieces: list[str] = []
    for block in blocks:
        lines = block.split("\n")
        if len(lines) > 1 and all(
            MARKER_RE.match(line) or line.startswith("#") for line in lines if line.strip()
        ):
            pieces.extend(line.strip() for line in lines if line.strip())
        elif block:
            pieces.append(block)
    numbered = [p for p in pieces if not p.startswith("#")]
    keep_numbers = bool(numbered) and all(MARKER_RE.match(p) for p in numbered)
    next_number = 1
    for piece in pieces:
        if piece.startswith("#"):
            heading = piece.lstrip("#").strip()
            if piece.startswith("# ") and not title and article.title == slug:
                article.title = heading  # the first `# ` heading is the title
            else:
                section = heading
            continue
        if keep_numbers:
            match = MARKER_RE.match(piece)
            assert match
            number, body = int(match.group(1)), match.group(2)
        else:
            number, body = next_number, piece
        body = " ".join(body.split())
        if number in article.paragraphs:
            raise ArticleFormatError(f"paragraph [{number}] appears twice")
        article.paragraphs[number] = Paragraph(number, section, body)
        next_number = number + 1
    if not article.paragraphs:
        raise ArticleFormatError("the text has no paragraphs")
    return article


@dataclass(frozen=True)
class Match:
    """Where an old paragraph went: `new` is None when it vanished."""

    old: int
    new: int | None
    exact: bool


def match_paragraphs(old: dict[int, str], new: dict[int, str]) -> dict[int, Match]:
    """For each old paragraph number, its paragraph in the new version, matched by text.

    Exact text first (nearest number wins among duplicates), then the closest remaining
    paragraph by rapidfuzz ratio if it scores at least CLOSE_MATCH; otherwise it vanished.
    """
    result: dict[int, Match] = {}
    free = dict(new)
    by_text: dict[str, list[int]] = {}
    for number, text in new.items():
        by_text.setdefault(_norm(text), []).append(number)
    for number, text in sorted(old.items()):
        candidates = [n for n in by_text.get(_norm(text), []) if n in free]
        if candidates:
            best = min(candidates, key=lambda n: abs(n - number))
            del free[best]
            result[number] = Match(number, best, True)
    for number, text in sorted(old.items()):
        if number in result:
            continue
        scored = [
            (fuzz.ratio(_norm(text), _norm(candidate)), -abs(n - number), n)
            for n, candidate in free.items()
        ]
        best_score = max(scored, default=None)
        if best_score and best_score[0] >= CLOSE_MATCH:
            del free[best_score[2]]
            result[number] = Match(number, best_score[2], False)
        else:
            result[number] = Match(number, None, False)
    return result


def _norm(text: str) -> str:
    return " ".join(text.split())


UPLOAD_KINDS = {".md": "markdown", ".txt": "text", ".html": "html", ".htm": "html"}


def decode_upload(filename: str, data: bytes, max_bytes: int) -> str:
    """An uploaded file's text (HTML cleaned to text). Raises ArticleFormatError with the
    reason: a wrong extension, over `max_bytes`, not UTF-8."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in UPLOAD_KINDS:
        raise ArticleFormatError("Upload a .md, .txt or .html file.")
    if len(data) > max_bytes:
        raise ArticleFormatError(f"The file is over the limit of {max_bytes // 1024} KiB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArticleFormatError("The file is not UTF-8 text.") from None
    if "\x00" in text:
        raise ArticleFormatError("The file is not UTF-8 text.")
    return html_to_text(text) if UPLOAD_KINDS[suffix] == "html" else text
