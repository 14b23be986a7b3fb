"""Sources per bank: adding, replacing with renumbered citations, the check summary, links.

Every text here is invented for the tests."""

from pathlib import Path

import pytest
from sqlalchemy import select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import BankSource, Question, QuestionRevision, SourceArticle
from quizapp.services import sources
from quizapp.services.errors import NotFound, ServiceError
from tests.conftest import NOW

OWLS = """# Owls at night

Owls hunt at night using their hearing; a barn owl can find a mouse under snow.

## Flight

Their feathers are soft, so flight is almost silent.

Most owls swallow small prey whole and later cough up pellets.
"""
INSERTED = OWLS.replace("## Flight\n\n", "## Flight\n\nA new paragraph about owl wings.\n\n")


def add(bank_id, text=OWLS, title=""):
    with unit_of_work.unit():
        return sources.add_source(bank_id, sources.parse_source(text, title)).slug


def replace(bank_id, slug, text):
    with unit_of_work.unit():
        return sources.replace_source(bank_id, slug, sources.parse_source(text),
                                      author_id=None, now=NOW)


def test_add_source_numbers_paragraphs_and_links_it(app, make_bank):
    bank, other = make_bank(), make_bank()
    with app.app_context():
        assert add(bank.id) == "owls-at-night"
        assert add(other.id) == "owls-at-night-2"  # unique site-wide
        [article] = sources.bank_sources(bank.id)
        assert article.title == "Owls at night"
        assert [(p.number, p.section) for p in article.paragraphs] == [
            (1, ""), (2, "Flight"), (3, "Flight")]
        assert [p.number for _, p in sources.cited_paragraphs(
            ["owls-at-night#2", "owls-at-night-2#1"], bank.id)] == [2]


@pytest.mark.parametrize(("text", "title", "message"), [
    ("", "T", "no paragraphs"), ("## Only a heading", "T", "no paragraphs"),
    ("Some text.", "", "title")])
def test_add_source_refuses_and_stores_nothing(app, make_bank, text, title, message):
    bank = make_bank()
    with app.app_context():
        with pytest.raises(ServiceError, match=message):
            add(bank.id, text, title)
        assert db.session.scalar(select(SourceArticle.id)) is None


def test_replace_renumbers_moved_citations_and_lists_changed_and_vanished(
        app, make_bank, make_question):
    bank = make_bank()
    with app.app_context():
        slug = add(bank.id)
    moved = make_question(bank, key="moved", source=[f"{slug}#3", "elsewhere#4"])
    same = make_question(bank, key="same", source=[f"{slug}#1"])
    make_question(bank, key="gone", source=[f"{slug}#2"])
    edited = OWLS.replace("almost silent", "nearly silent").replace(
        "Most owls swallow small prey whole and later cough up pellets.",
        "A new paragraph about owl wings.\n\n"
        "Most owls swallow small prey whole and later cough up pellets.")
    with app.app_context():
        report = replace(bank.id, slug, INSERTED)
        assert report.renumbered == [("moved", f"{slug}#3", f"{slug}#4"),
                                     ("gone", f"{slug}#2", f"{slug}#3")]
        assert report.changed == report.vanished == []
        question = db.session.get(Question, moved.id)
        assert question.sources == [f"{slug}#4", "elsewhere#4"] and question.revision == 2
        revision = db.session.scalar(select(QuestionRevision).where(
            QuestionRevision.question_id == moved.id, QuestionRevision.number == 2))
        assert "renumbered" in revision.message and f"{slug}#3 -> {slug}#4" in revision.message
        assert db.session.get(Question, same.id).revision == 1  # untouched
        db.session.remove()
        report = replace(bank.id, slug, edited.replace(
            "Owls hunt at night using their hearing; a barn owl can find a mouse under snow.",
            "Rivers are wet."))
        assert report.vanished == [("same", f"{slug}#1")]
        assert report.changed == [("gone", f"{slug}#3", f"{slug}#2")]


def test_replace_refused_keeps_the_old_version(app, make_bank):
    bank, other = make_bank(), make_bank()
    with app.app_context():
        slug = add(bank.id)
        with pytest.raises(ServiceError):
            replace(bank.id, slug, "")
        with pytest.raises(NotFound):  # not a source of that bank
            replace(other.id, slug, INSERTED)
        assert len(sources.get_article(slug).paragraphs) == 3


def test_check_summary_uses_the_banks_own_sources(app, make_bank, make_question):
    bank = make_bank()
    with app.app_context():
        slug = add(bank.id, "# Numbers\n\nThe colony counted 42 owls in spring.")
    make_question(bank, qtype="numeric", key="ok", source=[f"{slug}#1"], value=42, tolerance=0)
    make_question(bank, qtype="numeric", key="bad", source=[f"{slug}#1"], value=7, tolerance=0)
    make_question(bank, qtype="numeric", key="nowhere", source=["other#1"], value=42,
                  tolerance=0)
    with app.app_context():
        summary = sources.check_summary(db.session.get(type(bank), bank.id))
        assert (summary.checked, summary.passing, summary.percent) == (3, 1, 33)
        assert [key for key, _ in summary.failing] == ["bad", "nowhere"]


def test_source_load_links_the_banks_citing_each_article(app, runner, make_bank,
                                                          make_question, tmp_path: Path):
    named, citing, unrelated = make_bank(article="demo"), make_bank(), make_bank()
    make_question(citing, source=["demo#1"])
    make_question(unrelated, source=["other#1"])
    (tmp_path / "demo.md").write_text("# Demo\n\n[1] Invented first paragraph.\n")
    for _ in range(2):  # loading twice links once
        assert runner.invoke(args=["source", "load", str(tmp_path)]).exit_code == 0
    with app.app_context():
        links = db.session.execute(select(BankSource.bank_id)).scalars().all()
        assert sorted(links) == sorted([named.id, citing.id])


def test_editor_warnings_check_against_the_banks_own_sources(app, make_bank):
    from quizapp.services.authoring import source_warnings

    mine, other = make_bank(), make_bank()
    with app.app_context():
        slug = add(mine.id, "# Numbers\n\nThe colony counted 42 owls in spring.")
        snapshot = {"key": "k", "type": "numeric", "prompt": "How many?", "explanation": "",
                    "source": [f"{slug}#1"], "value": 7, "tolerance": 0}
        assert [p.message for p in source_warnings(snapshot, mine.id)] == [
            f"the value 7 is not in {slug}#1"]
        assert source_warnings(snapshot, other.id) == []  # not that bank's source
