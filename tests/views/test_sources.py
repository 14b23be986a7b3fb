from pathlib import Path

from quizapp.extensions import db
from quizapp.services import sources

ARTICLE = """# A demo article

[1] First paragraph about Minsk.

## A section

[2] Second paragraph with 5,063 victims.
"""


def test_source_load_and_page_highlight(app, runner, client, auth, make_user, tmp_path: Path):
    (tmp_path / "demo.md").write_text(ARTICLE)
    (tmp_path / "README.md").write_text("not an article")
    result = runner.invoke(args=["source", "load", str(tmp_path)])
    assert result.exit_code == 0 and "demo" in result.output
    runner.invoke(args=["source", "load", str(tmp_path)])  # reloading replaces, no duplicates
    with app.app_context():
        article = sources.get_article("demo")
        assert [(p.number, p.section) for p in article.paragraphs] == [(1, ""), (2, "A section")]
        assert [p.number for _, p in sources.cited_paragraphs(["demo#2", "demo#9", "x#1"])] == [2]
        db.session.remove()
    make_user("reader")
    auth.login("reader")
    page = client.get("/sources/demo?p=2").data.decode()
    assert "A demo article" in page and "<h2>A section</h2>" in page
    assert 'id="p2" class="paragraph highlighted"' in page
    assert client.get("/sources/nothing").status_code == 404


def test_feedback_citation_shows_the_paragraph_or_says_it_is_not_loaded(app, make_bank):
    from types import SimpleNamespace

    from flask import render_template_string

    from quizapp import unit_of_work
    from quizapp.presenting import citations

    bank = make_bank()
    with app.app_context():
        with unit_of_work.unit():
            slug = sources.add_source(bank.id, sources.parse_source(
                "Invented paragraph about owls.", "Owl notes")).slug
    with app.test_request_context():
        shown = citations({"source": [f"{slug}#1", "minsk-talks#21"]})
        fb = SimpleNamespace(correct=True, score=1, message="", yours=[], right=[],
                             explanation="", citations=shown)
        html = render_template_string(
            '{% from "quiz/_feedback.html" import feedback_block %}{{ feedback_block(fb) }}',
            fb=fb)
        assert "Invented paragraph about owls." in html
        assert ("minsk-talks, paragraph 21 – the source text is not loaded on this site"
                in html)
        back = render_template_string('{% include "study/_back.html" %}', view=SimpleNamespace(
            faces=SimpleNamespace(answer=[], explanation="", citations=shown)))
        assert "Invented paragraph about owls." in back and "not loaded on this site" in back
