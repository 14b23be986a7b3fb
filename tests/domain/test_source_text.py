"""Splitting pasted/uploaded sources into numbered paragraphs, cleaning HTML, matching versions.

All text here is invented for the tests.
"""

import pytest

from quizapp.domain.articles import ArticleFormatError
from quizapp.domain.source_text import html_to_text, match_paragraphs, slugify, split_text


def _paras(article):
    return [(p.number, p.section, p.text) for p in article.paragraphs.values()]


@pytest.mark.parametrize(
    ("text", "title", "paragraphs"),
    [
        ("One.\n\nTwo.", "", [(1, "", "One."), (2, "", "Two.")]),
        ("# Owls\n\nOne.\n\n## Night\n\nTwo.", "", [(1, "", "One."), (2, "Night", "Two.")]),
        ("One\nwrapped.\r\n\r\nTwo.", "", [(1, "", "One wrapped."), (2, "", "Two.")]),
        ("[3] Three.\n\n[7] Seven.", "", [(3, "", "Three."), (7, "", "Seven.")]),
        (  # shared/articles layout: one [n] per line inside a block
            "# T\n[1] A.\n## S\n[2] B.",
            "",
            [(1, "", "A."), (2, "S", "B.")],
        ),
        ("\n\n  One.  \n\n\n\nTwo.\n\n", "", [(1, "", "One."), (2, "", "Two.")]),
        ("# Heading\n\nOne.", "Given", [(1, "Heading", "One.")]),
        ("[1] Marked.\n\nUnmarked.", "", [(1, "", "[1] Marked."), (2, "", "Unmarked.")]),
    ],
)
def test_split_text(text, title, paragraphs):
    assert _paras(split_text("s", text, title)) == paragraphs


def test_split_text_title():
    assert split_text("s", "# Owls at night\n\nOne.").title == "Owls at night"
    assert split_text("s", "One.", "Given").title == "Given"
    assert split_text("s", "One.").title == "s"


@pytest.mark.parametrize(
    "text", ["", "   \n\n  ", "# Only a title", "## A\n\n## B", "[1] A.\n\n[1] B."]
)
def test_split_text_refuses(text):
    with pytest.raises(ArticleFormatError):
        split_text("s", text)


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One.</p><p>Two.</p>", "One.\n\nTwo."),
        ("<h1>T</h1><h2>S</h2><p>A <b>bold</b> word.</p>", "# T\n\n## S\n\nA bold word."),
        ("<h3>Deep</h3><p>x</p>", "## Deep\n\nx"),
        ("<script>alert(1)</script><p>Safe &amp; sound</p>", "Safe & sound"),
        ("<style>p{}</style><ul><li>a</li><li>b</li></ul>", "a\n\nb"),
        ("<p>line<br>break</p>", "line break"),
        ('<p onclick="x()">a<img src=x onerror=y></p>', "a"),
        ("<div><p>nested</p></div>", "nested"),
    ],
)
def test_html_to_text(markup, text):
    assert html_to_text(markup) == text


def test_html_then_split_keeps_headings_as_sections():
    article = split_text("s", html_to_text("<h1>T</h1><p>A.</p><h2>S</h2><p>B.</p>"))
    assert article.title == "T"
    assert _paras(article) == [(1, "", "A."), (2, "S", "B.")]


@pytest.mark.parametrize(
    ("title", "taken", "slug"),
    [
        ("Owls at Night!", set(), "owls-at-night"),
        ("Owls at Night", {"owls-at-night"}, "owls-at-night-2"),
        ("Owls", {"owls", "owls-2"}, "owls-3"),
        ("???", set(), "source"),
        ("Ünïcode café", set(), "n-code-caf"),
        ("x" * 100, set(), "x" * 60),
    ],
)
def test_slugify(title, taken, slug):
    assert slugify(title, taken) == slug


OLD = {
    1: "Owls hunt at night using their hearing.",
    2: "Their feathers are soft, so flight is almost silent.",
    3: "Most owls swallow small prey whole.",
}


def _moves(old, new):
    return {n: (m.new, m.exact) for n, m in match_paragraphs(old, new).items()}


@pytest.mark.parametrize(
    ("new", "moves"),
    [
        ({1: OLD[1], 2: OLD[2], 3: OLD[3]}, {1: (1, True), 2: (2, True), 3: (3, True)}),
        (  # insert at start: every paragraph moved by one, all exact
            {1: "A new opening paragraph.", 2: OLD[1], 3: OLD[2], 4: OLD[3]},
            {1: (2, True), 2: (3, True), 3: (4, True)},
        ),
        ({1: OLD[1], 2: OLD[3]}, {1: (1, True), 2: (None, False), 3: (2, True)}),  # delete
        (  # edit: a close match, not exact
            {1: OLD[1], 2: "Their feathers are soft, so the flight is nearly silent.", 3: OLD[3]},
            {1: (1, True), 2: (2, False), 3: (3, True)},
        ),
        ({1: OLD[3], 2: OLD[1], 3: OLD[2]}, {1: (2, True), 2: (3, True), 3: (1, True)}),  # reorder
        (  # rewritten beyond recognition: vanished
            {1: OLD[1], 2: "Completely different content about rivers.", 3: OLD[3]},
            {1: (1, True), 2: (None, False), 3: (3, True)},
        ),
        ({}, {1: (None, False), 2: (None, False), 3: (None, False)}),
        (  # whitespace only differences count as exact
            {1: "Owls  hunt at night\nusing their hearing.", 2: OLD[2], 3: OLD[3]},
            {1: (1, True), 2: (2, True), 3: (3, True)},
        ),
    ],
)
def test_match_paragraphs(new, moves):
    assert _moves(OLD, new) == moves


def test_duplicate_paragraphs_match_the_nearest_and_each_once():
    old = {1: "Same.", 2: "Other.", 3: "Same."}
    new = {1: "Inserted.", 2: "Same.", 3: "Other.", 4: "Same."}
    assert _moves(old, new) == {1: (2, True), 2: (3, True), 3: (4, True)}
