"""Issue 13: a free bank, with no citations and no explanations, can be created, written,
imported into and studied; a traced bank still refuses such a question, saying why; the bank
page shows what it holds and the work left."""

import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Card, Question
from tests.views.test_author import form_for
from tests.views.test_transfer import upload


def _bare(qtype: str, key: str) -> dict:
    return {**form_for(qtype, key=key), "explanation": "", "source": "", "tags": ["poets"]}


def _bank_with_topic(client, slug: str, policy: str) -> int:
    response = client.post("/author/banks/new", data={"slug": slug, "title": slug.title(),
                                                      "policy": policy})
    assert response.status_code == 302
    bank_id = int(re.search(r"/banks/(\d+)/", response.location).group(1))
    assert client.post(f"/author/banks/{bank_id}/topics",
                       data={"label": "Poets", "slug": "poets"}).status_code == 302
    return bank_id


def _bank_row(client, title: str) -> list[str]:
    """The cells of `title`'s row in the bank list, as text."""
    page = client.get("/author/").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if f">{title}</a>" in r)
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def test_the_bank_list_counts_a_traced_banks_missing_citations(app, client, auth, make_user,
                                                               make_bank, make_question):
    owner = make_user("teacher", role="instructor")
    bank = make_bank(title="Rivers", owner=owner)
    make_question(bank, "true_false", key="cited")
    bare = make_question(bank, "true_false", key="bare")
    with app.app_context():  # as a question written while the bank was free is left
        row = db.session.get(Question, bare.id)
        row.sources, row.explanation = [], ""
        db.session.commit()
    auth.login("teacher")
    row = _bank_row(client, "Rivers")
    assert row[1] == "2" and "traced" in row[7]
    assert row[4] == "1 without an explanation, 1 without a citation"


def test_a_free_bank_from_the_editor_to_a_learners_quiz(app, client, auth, make_user):
    make_user("teacher", role="instructor")
    make_user("lena")
    auth.login("teacher")
    bank_id = _bank_with_topic(client, "poems", "free")
    for qtype, key in (("true_false", "pushkin-born"), ("short_answer", "who-wrote")):
        response = client.post(f"/author/banks/{bank_id}/questions/new", data=_bare(qtype, key))
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(f"/author/banks/{bank_id}/questions").get_data(as_text=True)
    assert "Draft · free bank" in page
    assert "2 questions: " in page
    assert "By topic: Poets 2." in page
    assert "2 without an explanation" in page and "without a citation" not in page
    row = _bank_row(client, "Poems")
    assert [cell for cell in row[1:4]] == ["2", "1", "0"]  # questions, topics, sources
    assert row[4] == "2 without an explanation" and "free" in row[7]
    assert client.post(f"/author/banks/{bank_id}/publish").status_code == 302
    auth.logout()

    auth.login("lena")
    assert client.post("/study/banks", data={"bank_id": bank_id}).status_code == 302
    with app.app_context():
        cards = db.session.scalars(select(Card.id)).all()
    assert len(cards) == 2
    review = client.get("/study/")
    assert review.status_code == 200 and "Question?" in review.get_data(as_text=True)
    response = client.post("/quiz/", data={"banks": [str(bank_id)], "count": "2",
                                           "mode": "practice"})
    assert response.status_code == 302
    attempt = int(re.search(r"/quiz/(\d+)/", response.location).group(1))
    answered = client.post(f"/quiz/{attempt}/q/0", data={"answer": "true"},
                           follow_redirects=True)
    text = answered.get_data(as_text=True)
    assert answered.status_code == 200 and 'class="verdict"' in text  # feedback shown
    assert "<h3>Why</h3>" not in text and "<h3>Source</h3>" not in text


def test_a_traced_bank_refuses_a_bare_question_and_keeps_nothing(app, client, auth,
                                                                 make_user):
    make_user("teacher", role="instructor")
    auth.login("teacher")
    bank_id = _bank_with_topic(client, "traced-poems", "traced")
    response = client.post(f"/author/banks/{bank_id}/questions/new",
                           data=_bare("true_false", "bare"))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "a traced bank explains every answer" in text
    assert "a traced bank cites a paragraph for every question" in text
    with app.app_context():
        assert db.session.scalars(select(Question)).all() == []


def test_switching_a_free_bank_to_traced_lists_the_work_left(app, client, auth, make_user):
    make_user("teacher", role="instructor")
    auth.login("teacher")
    bank_id = _bank_with_topic(client, "switching", "free")
    assert client.post(f"/author/banks/{bank_id}/questions/new",
                       data=_bare("true_false", "bare")).status_code == 302
    assert client.post(f"/author/banks/{bank_id}", data={
        "slug": "switching", "title": "Switching", "policy": "traced"}).status_code == 302
    page = client.get(f"/author/banks/{bank_id}/questions").get_data(as_text=True)
    assert "1 without an explanation" in page
    assert "1 without a citation (a traced bank cites one for each)" in page


GIFT = b"// tags: poets\n::pushkin-born:: Pushkin was born in Moscow. {T}\n"


def test_a_free_bank_imports_gift_without_sources(app, client, auth, make_user):
    make_user("teacher", role="instructor")
    auth.login("teacher")
    free = _bank_with_topic(client, "imported", "free")
    traced = _bank_with_topic(client, "imported-traced", "traced")
    free_page = upload(client, free, GIFT, "gift", "poets.gift").get_data(as_text=True)
    assert "1 added" in free_page and "0 rejected" in free_page
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', free_page).group(1)
    assert client.post(f"/author/banks/{free}/transfer/apply",
                       data={"token": token}).status_code == 302
    with app.app_context():
        [imported] = db.session.scalars(select(Question).where(Question.bank_id == free))
        assert (imported.key, imported.explanation, imported.sources) == ("pushkin-born", "", [])
    traced_page = upload(client, traced, GIFT, "gift", "poets.gift").get_data(as_text=True)
    assert "0 added" in traced_page and "needs an explanation" in traced_page


def test_the_dry_run_lists_the_topics_an_import_brings(app, client, auth, make_user):
    make_user("teacher", role="instructor")
    auth.login("teacher")
    bank_id = _bank_with_topic(client, "topics-coming", "free")
    gift = (b"// tags: poets\n::a:: Pushkin was a poet. {T}\n\n"
            b"// tags: novelists poets\n::b:: Tolstoy wrote novels. {T}\n")
    page = upload(client, bank_id, gift, "gift", "mixed.gift").get_data(as_text=True)
    assert "2 added" in page
    assert "1 new topic for this bank: <code>novelists</code>" in page


def test_a_free_banks_yaml_export_says_free_and_imports_back_as_free(app, client, auth,
                                                                    make_user):
    make_user("teacher", role="instructor")
    auth.login("teacher")
    bank_id = _bank_with_topic(client, "round-trip", "free")
    assert client.post(f"/author/banks/{bank_id}/questions/new",
                       data=_bare("true_false", "bare")).status_code == 302
    exported = client.get(f"/author/banks/{bank_id}/export?format=yaml")
    assert exported.status_code == 200
    text = exported.get_data(as_text=True)
    assert "policy: free" in text
    from quizapp.domain.bank_file import parse_bank
    parsed = parse_bank(text)
    assert parsed.errors == [] and parsed.header.policy == "free"
