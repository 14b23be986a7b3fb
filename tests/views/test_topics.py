"""The topics page of a bank: add, rename, merge, delete; bad input is a 400 with a message.
And every page shows a bank's own topic labels."""

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question, Topic, User


@pytest.fixture
def owner(make_user):
    return make_user("owner", role="instructor")


@pytest.fixture
def bank(make_bank, make_question, owner):
    bank = make_bank(title="Topical", owner=owner)
    make_question(bank, key="one", tags=["venue"])
    make_question(bank, key="two", tags=["venue", "people"])
    return bank


def topic(app, bank_id, slug):
    with app.app_context():
        return db.session.scalar(select(Topic).where(Topic.bank_id == bank_id,
                                                     Topic.slug == slug))


def labels(app, bank_id):
    with app.app_context():
        return list(db.session.scalars(select(Topic.label).where(Topic.bank_id == bank_id)
                                       .order_by(Topic.position, Topic.id)))


@pytest.mark.parametrize(("who", "status"), [(None, 302), ("learner", 403), ("stranger", 403),
                                             ("owner", 200), ("editor", 200), ("admin", 200)])
def test_who_sees_the_topics_page(app, client, auth, make_user, bank, who, status):
    make_user("learner")
    make_user("stranger", role="instructor")
    make_user("admin", role="admin")
    editor = make_user("editor", role="instructor")
    with app.app_context():
        owned = db.session.get(Bank, bank.id)
        owned.editors.append(db.session.get(User, editor.id))
        db.session.commit()
    if who:
        auth.login(who)
    response = client.get(f"/author/banks/{bank.id}/topics")
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert "Venue" in page and "People" in page


def test_add_rename_merge_delete(app, client, auth, bank):
    auth.login("owner")
    base = f"/author/banks/{bank.id}/topics"
    assert client.post(base, data={"label": "Agenda of the day"}).status_code == 302
    assert labels(app, bank.id) == ["Venue", "People", "Agenda of the day"]
    venue = topic(app, bank.id, "venue")
    assert client.post(f"{base}/{venue.id}/rename",
                       data={"label": "Where"}).status_code == 302
    assert labels(app, bank.id)[0] == "Where"
    people = topic(app, bank.id, "people")
    response = client.post(f"{base}/{venue.id}/merge", data={"into": str(people.id)})
    assert response.status_code == 302
    assert "2 questions moved" in client.get(base).get_data(as_text=True)
    with app.app_context():
        assert {q.key: q.tags for q in db.session.scalars(select(Question))} == {
            "one": ["people"], "two": ["people"]}
    agenda = topic(app, bank.id, "agenda-of-the-day")
    assert client.post(f"{base}/{agenda.id}/delete").status_code == 302
    assert labels(app, bank.id) == ["People"]


@pytest.mark.parametrize(("path", "data", "message"), [
    ("", {"label": ""}, "This field is required"),
    ("", {"label": "People"}, "already has a topic named"),
    ("", {"label": "Fine", "slug": "Not A Slug"}, "lower-case"),
    ("", {"label": "x" * 500}, "120"),
    ("/{venue}/rename", {"label": "people"}, "merge the two topics instead"),
    ("/{venue}/rename", {"label": ""}, "new name"),
    ("/{venue}/merge", {"into": "{venue}"}, "two different"),
    ("/{venue}/merge", {"into": "abc"}, "Pick the topic"),
    ("/{venue}/merge", {"into": "9" * 40}, "Pick the topic"),
    ("/{venue}/merge", {}, "Pick the topic"),
    ("/{venue}/delete", {}, "2 questions use the topic “Venue”; merge it"),
])
def test_bad_input_is_a_400_with_a_message_and_changes_nothing(app, client, auth, bank, path,
                                                               data, message):
    auth.login("owner")
    venue = topic(app, bank.id, "venue")
    fill = {"venue": venue.id}
    data = {k: v.format(**fill) for k, v in data.items()}
    before = labels(app, bank.id)
    response = client.post(f"/author/banks/{bank.id}/topics" + path.format(**fill), data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert labels(app, bank.id) == before


def test_another_banks_topic_is_not_found(app, client, auth, bank, make_bank, make_question):
    other = make_bank()
    make_question(other, tags=["people"])
    auth.login("owner")
    foreign = topic(app, other.id, "people")
    response = client.post(f"/author/banks/{bank.id}/topics/{foreign.id}/rename",
                           data={"label": "Mine now"})
    assert response.status_code == 404
    assert labels(app, other.id) == ["People"]


def test_a_bank_on_any_subject_tags_its_questions_with_its_own_topics(app, client, auth,
                                                                      make_bank, owner):
    """A new bank has no topics: the editor says to add them; once added, a question carries
    them, and a topic the bank does not have (even one of the shipped banks') is refused."""
    bank = make_bank(title="Cell biology", owner=owner)
    auth.login("owner")
    editor = f"/author/banks/{bank.id}/questions/new"
    assert "This bank has no topics yet" in client.get(editor).get_data(as_text=True)
    assert client.post(f"/author/banks/{bank.id}/topics",
                       data={"label": "Membranes and transport"}).status_code == 302
    page = client.get(editor).get_data(as_text=True)
    assert "no topics yet" not in page and 'value="membranes-and-transport"' in page
    form = {"key": "osmosis", "type": "true_false", "prompt": "Water crosses membranes?",
            "explanation": "By osmosis.", "source": "minsk-talks#2", "answer": "true",
            "difficulty": "2", "save": "Save"}
    refused = client.post(editor, data=form | {"tags": ["venue"]})
    assert refused.status_code == 400 and "not a valid choice" in refused.get_data(as_text=True)
    assert client.post(editor, data=form | {"tags": ["membranes-and-transport"]}
                       ).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Question.tags).where(Question.key == "osmosis")) == [
            "membranes-and-transport"]
    listing = client.get(f"/author/banks/{bank.id}/questions").get_data(as_text=True)
    assert "Membranes and transport" in listing


# --- every page shows the bank's label -------------------------------------------------------

@pytest.fixture
def site_bank(app, bank):
    """The bank labels its topic "venue" "Conference site"; another bank keeps "Venue"."""
    with app.app_context():
        db.session.scalar(select(Topic).where(Topic.bank_id == bank.id,
                                              Topic.slug == "venue")).label = "Conference site"
        db.session.commit()
    return bank


def test_pages_show_the_banks_own_topic_label(app, client, auth, make_user, make_bank,
                                              make_question, site_bank):
    from quizapp.services import study
    from tests.conftest import NOW

    other = make_bank(title="Zulu")  # after "Topical": the quiz picker shows its label
    make_question(other, key="elsewhere", tags=["venue"])
    learner = make_user("lena")
    with app.app_context():
        study.enrol(learner.id, site_bank.id, [], NOW)
        db.session.commit()
    auth.login("lena")
    for url in ("/", "/study/banks", "/quiz/", "/progress/"):
        page = client.get(url).data.decode()
        assert "Conference site" in page, url
    # the enrolment form offers the bank's topics under its labels
    assert '>Conference site</label>' in client.get("/study/banks").data.decode()
    auth.logout()
    auth.login("owner")
    page = client.get(f"/author/banks/{site_bank.id}/questions").data.decode()
    assert page.count("Conference site") >= 3  # the filter and the two questions' rows


def test_the_quiz_picker_orders_topics_by_bank_title_then_position(app, client, auth,
                                                                   make_user, make_bank,
                                                                   make_question, site_bank):
    """`site_bank` is "Topical": "Another" comes first, so its "venue" label wins."""
    other = make_bank(title="Another")
    make_question(other, key="later", tags=["routes"])
    make_question(other, key="earlier", tags=["venue"])
    make_user("lena")
    auth.login("lena")
    page = client.get("/quiz/").data.decode()
    offered = re.findall(r'name="tags"[^>]*value="([^"]+)"', page) or \
        re.findall(r'value="([^"]+)"[^>]*name="tags"', page)
    assert offered == ["routes", "venue", "people"]
    assert "Conference site" not in page
