"""The topics page of a bank: add, rename, merge, delete; bad input is a 400 with a message."""

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
