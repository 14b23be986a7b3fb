"""Markdown for prompts and explanations: markdown-it-py with raw HTML off, then nh3.

Rendering is cached by text: a question's prompt is the same on every page that shows it
until a new revision changes it, so each revision's text is rendered once per worker instead
of on every view (the fields are capped too: see `questions.MAX_PROMPT`).
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "br",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
CACHE_SIZE = 4096  # texts per worker; a Markdown field is at most 10,000 characters


@lru_cache(maxsize=CACHE_SIZE)
def render_markdown(text: str) -> str:
    """Safe HTML for `text`: nothing executable survives, whatever the input."""
    html = _md.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@lru_cache(maxsize=CACHE_SIZE)
def render_inline(text: str) -> str:
    """Like render_markdown, for one line inside other markup (no surrounding <p>)."""
    html = _md.renderInline(text or "")
    return nh3.clean(html, tags={"em", "strong", "code"}, attributes={})
