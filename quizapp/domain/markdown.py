"""Markdown for prompts and explanations: markdown-it-py with raw HTML off, then nh3."""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "br",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


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


def render_inline(text: str) -> str:
    """Like render_markdown, for one line inside other markup (no surrounding <p>)."""
    html = _md.renderInline(text or "")
    return nh3.clean(html, tags={"em", "strong", "code"}, attributes={})
