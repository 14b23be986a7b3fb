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


OWLS = "# Owls at night\n\nInvented first paragraph.\n\nInvented second paragraph."


def test_instructor_adds_and_replaces_a_source_in_the_browser(app, client, auth, make_user,
                                                               make_bank, make_question):
    from io import BytesIO

    from quizapp.models import SourceArticle

    owner = make_user("owner", role="instructor")
    bank = make_bank(owner=owner)
    auth.login("owner")
    base = f"/sources/banks/{bank.id}"
    assert "no sources yet" in client.get(base).data.decode()
    response = client.post(base, data={"title": "", "text": OWLS})
    assert response.status_code == 302 and response.location.endswith(f"{base}/owls-at-night")
    page = client.get(f"{base}/owls-at-night").data.decode()
    assert "[2]</span> Invented second paragraph." in page and "owls-at-night#2" in page
    make_question(bank, key="second", source=["owls-at-night#2"])
    page = client.post(f"{base}/owls-at-night", data={"text": OWLS.replace(
        "Invented first", "Inserted paragraph.\n\nInvented first")}).data.decode()
    assert "Renumbered" in page and "owls-at-night#2 → owls-at-night#3" in page
    app.config["SOURCE_MAX_BYTES"] = 1024  # small, so the upload is not spooled to a file
    for content, name, reason in [
            (b"\xff\xfe bad", "x.txt", "not UTF-8"), (b"text", "x.pdf", ".md, .txt or .html"),
            (b"a" * 2048, "x.md", "over the limit"),
            (b"   \n\n ", "x.md", "no paragraphs")]:
        response = client.post(f"{base}/owls-at-night", data={"file": (BytesIO(content), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 400 and reason in response.data.decode(), reason
        response = client.post(base, data={"title": "T", "file": (BytesIO(content), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 400 and reason in response.data.decode(), reason
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(SourceArticle)) == 1
        assert len(sources.get_article("owls-at-night").paragraphs) == 3  # the old one kept
    response = client.post(base, data={"file": (BytesIO(
        b"<h1>Web page</h1><script>x()</script><h2>Part</h2><p>One &amp; only.</p>"),
        "page.html")}, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(f"{base}/web-page").data.decode()
    assert "<h2>Part</h2>" in page and "One &amp; only." in page and "x()" not in page
    check = client.get(f"{base}/check").data.decode()
    assert "0 of 1 questions pass" in check and "<code>second</code>" in check  # no "Minsk"
    assert "no question cites web-page#1" in check  # the bank as a whole, per source
    assert "checked against its sources: 0% of questions pass" in client.get(base).data.decode()
    make_user("reader")
    auth.login("reader")
    assert client.get(base).status_code == 403


def test_bank_page_links_its_sources_and_shows_the_check(app, client, auth, make_user,
                                                         make_bank, make_question):
    owner = make_user("owner", role="instructor")
    bank = make_bank(owner=owner)
    make_question(bank, key="first", source=["owls-at-night#1"])
    auth.login("owner")
    page = client.get(f"/author/banks/{bank.id}/questions").data.decode()
    assert f'href="/sources/banks/{bank.id}"' in page
    assert "This bank has no sources yet" in page and "checked against its sources" not in page
    assert client.post(f"/sources/banks/{bank.id}", data={"title": "", "text": OWLS}
                       ).status_code == 302
    page = client.get(f"/author/banks/{bank.id}/questions").data.decode()
    assert "no sources yet" not in page
    assert "checked against its sources: " in page and f"/sources/banks/{bank.id}/check" in page


OWL_IMPORT = """bank:
  slug: owls
  title: Owls
questions:
  - key: cites-a-paragraph
    type: true_false
    prompt: The first paragraph of the source is a real one.
    explanation: It says it is invented.
    source: [owls-at-night#1]
    tags: [night]
    answer: false
  - key: cites-nothing-there
    type: true_false
    prompt: The source has a ninth paragraph.
    explanation: It does not.
    source: [owls-at-night#9]
    tags: [night]
    answer: false
"""


def test_an_import_into_a_traced_bank_runs_the_source_check(app, client, auth, make_user,
                                                            make_bank):
    """The dry run lists the questions that would fail the check against the bank's
    sources (a warning, as in the editor: they are imported all the same)."""
    from tests.views.test_transfer import upload

    owner = make_user("owner", role="instructor")
    bank = make_bank(owner=owner)
    auth.login("owner")
    assert client.post(f"/sources/banks/{bank.id}", data={"title": "", "text": OWLS}
                       ).status_code == 302
    page = upload(client, bank.id, OWL_IMPORT.encode(), "yaml", "owls.yaml").data.decode()
    assert "2 added" in page
    assert "1 of the questions to import would fail the source check" in page
    assert "<code>cites-nothing-there</code>: cites owls-at-night#9, which does not exist" in page
    assert "<code>cites-a-paragraph</code>:" not in page
    with app.app_context():
        bank_row = db.session.get(type(bank), bank.id)
        bank_row.policy = "free"
        db.session.commit()
    page = upload(client, bank.id, OWL_IMPORT.encode(), "yaml", "owls.yaml").data.decode()
    assert "2 added" in page and "would fail the source check" not in page
