"""Two replaces of one source at once, in separate processes: with the source row locked
they run one after the other, both whole, and the question's citation still points at the
paragraph it cited. Negative control: the same race with the locks off (QUIZAPP_LOCKING
False in the children) leaves the citation pointing at the wrong or a missing paragraph."""

import multiprocessing

import pytest

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Question, QuestionRevision
from quizapp.services import sources
from tests.reliability.processes import collect
from tests.reliability.workers_sources import replace

pytestmark = pytest.mark.slow

P1, P2, P3 = ("Invented opening about owls.", "A second invented paragraph on feathers.",
              "The third invented paragraph says pellets.")
ORIGINAL = f"# Owls\n\n{P1}\n\n{P2}\n\n{P3}"
VERSIONS = {"insert": f"# Owls\n\nA new first paragraph.\n\n{P1}\n\n{P2}\n\n{P3}",
            "delete": f"# Owls\n\n{P2}\n\n{P3}"}


@pytest.fixture
def scene(app, make_bank, make_question):
    bank = make_bank()
    with app.app_context():
        with unit_of_work.unit():
            slug = sources.add_source(bank.id, sources.parse_source(ORIGINAL)).slug
    question = make_question(bank, key="pellets", source=[f"{slug}#3"])
    return bank.id, slug, question.id


def race(app, scene, *, locked: bool) -> dict[str, tuple]:
    bank_id, slug, _ = scene
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    children = [ctx.Process(target=replace, args=(
        app.config["SQLALCHEMY_DATABASE_URI"], locked, barrier, results, name, bank_id, slug,
        text)) for name, text in VERSIONS.items()]
    found = {name: (outcome, detail) for name, outcome, detail in
             collect(children, results, timeout=300)}
    failed = [d for o, d in found.values() if str(o).startswith("child failed")]
    assert not failed, failed
    return found


def cited_text(app, scene) -> tuple[str | None, int, list[int]]:
    bank_id, slug, question_id = scene
    with app.app_context():
        question = db.session.get(Question, question_id)
        cited = sources.cited_paragraphs(question.sources, bank_id)
        numbers = sorted(db.session.scalars(db.select(QuestionRevision.number).where(
            QuestionRevision.question_id == question_id)))
        return (cited[0][1].text if cited else None), question.revision, numbers


def test_two_replaces_of_one_source_run_one_after_the_other(app, scene):
    found = race(app, scene, locked=True)
    assert {outcome for outcome, _ in found.values()} == {"ok"}, found
    text, revision, numbers = cited_text(app, scene)
    assert text == P3  # still the paragraph it cited, whichever version won
    assert numbers == list(range(1, revision + 1)) and revision == 3  # renumbered twice
    with app.app_context():
        article = sources.get_article(scene[1])
        assert [p.text for p in article.paragraphs][-1] == P3
        assert len(article.paragraphs) in (2, 4)  # one whole version, not a mixture


def test_negative_control_without_locks_the_citations_end_inconsistent(app, scene):
    """Both read the original version; whichever writes second keeps the citation the
    other one renumbered (or fails half-way): the question no longer cites its paragraph."""
    found = race(app, scene, locked=False)
    text, _, _ = cited_text(app, scene)
    whole = {outcome for outcome, _ in found.values()} == {"ok"} and text == P3
    assert not whole, (found, text)
