"""A bank's topics: create, rename (questions follow the slug), merge, delete refused in use."""

import pytest
from sqlalchemy import select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Question, QuestionRevision, QuestionTag, Topic
from quizapp.services import topics
from quizapp.services.errors import NotFound, ServiceError
from tests.conftest import NOW


def in_unit(function, *args, **kwargs):
    with unit_of_work.unit():
        return function(*args, **kwargs)


def topic_id(bank_id: int, slug: str) -> int:
    return db.session.scalar(select(Topic.id).where(Topic.bank_id == bank_id, Topic.slug == slug))


def test_make_question_gives_the_bank_the_topics_its_questions_use(app, make_bank,
                                                                  make_question):
    bank = make_bank()
    make_question(bank, tags=["venue", "people"])
    make_question(bank, tags=["venue"])
    with app.app_context():
        assert topics.labels(bank.id) == {"venue": "Venue", "people": "People"}
        assert topics.usage(bank.id) == {"venue": 2, "people": 1}


def test_create_then_rename_keeps_the_questions_on_the_slug(app, make_bank, make_question):
    bank = make_bank()
    question = make_question(bank, tags=["venue"])
    with app.app_context():
        created = in_unit(topics.create_topic, bank.id, "  Economy   and trade ")
        assert (created.slug, created.label) == ("economy-and-trade", "Economy and trade")
        in_unit(topics.rename_topic, bank.id, topic_id(bank.id, "venue"), "Where they met")
        assert topics.labels(bank.id)["venue"] == "Where they met"
        assert db.session.get(Question, question.id).tags == ["venue"]


def test_rename_to_an_existing_label_is_refused(app, make_bank, make_question):
    bank = make_bank()
    make_question(bank, tags=["venue", "people"])
    with app.app_context():
        with pytest.raises(ServiceError, match="already named “people”; merge"):
            in_unit(topics.rename_topic, bank.id, topic_id(bank.id, "venue"), "people")
        assert topics.labels(bank.id) == {"venue": "Venue", "people": "People"}


@pytest.mark.parametrize("label", ["", "   ", "x" * 121])
def test_a_bad_label_is_refused(app, make_bank, label):
    bank = make_bank()
    with app.app_context(), pytest.raises(ServiceError):
        in_unit(topics.create_topic, bank.id, label)


def test_a_duplicate_or_bad_slug_is_refused(app, make_bank, make_question):
    bank = make_bank()
    make_question(bank, tags=["venue"])
    with app.app_context():
        with pytest.raises(ServiceError, match="key “venue”"):
            in_unit(topics.create_topic, bank.id, "Somewhere", slug="venue")
        with pytest.raises(ServiceError, match="lower-case"):
            in_unit(topics.create_topic, bank.id, "Somewhere", slug="Bad Slug")


def test_merge_moves_the_questions_with_a_revision_each(app, make_bank, make_question):
    bank = make_bank()
    both = make_question(bank, tags=["venue", "people"])
    only = make_question(bank, tags=["venue"])
    other = make_question(bank, tags=["people"])
    with app.app_context():
        moved = in_unit(topics.merge_topics, bank.id, topic_id(bank.id, "venue"),
                        topic_id(bank.id, "people"), author_id=None, now=NOW)
        assert moved == 2
        assert topics.labels(bank.id) == {"people": "People"}
        assert db.session.get(Question, both.id).tags == ["people"]
        assert db.session.get(Question, only.id).tags == ["people"]
        rows = db.session.execute(select(QuestionTag.question_id, QuestionTag.tag)
                                  .order_by(QuestionTag.question_id)).all()
        assert rows == [(both.id, "people"), (only.id, "people"), (other.id, "people")]
        revisions = db.session.execute(
            select(QuestionRevision.question_id, QuestionRevision.number,
                   QuestionRevision.message)
            .where(QuestionRevision.number == 2).order_by(QuestionRevision.question_id)).all()
        assert revisions == [(both.id, 2, "topic “Venue” merged into “People”"),
                             (only.id, 2, "topic “Venue” merged into “People”")]
        assert db.session.get(Question, other.id).revision == 1
        assert db.session.get(Question, only.id).revision == 2


def test_merge_into_itself_or_another_banks_topic_is_refused(app, make_bank, make_question):
    bank, other = make_bank(), make_bank()
    make_question(bank, tags=["venue"])
    make_question(other, tags=["people"])
    with app.app_context():
        venue = topic_id(bank.id, "venue")
        with pytest.raises(ServiceError, match="two different"):
            in_unit(topics.merge_topics, bank.id, venue, venue, author_id=None, now=NOW)
        with pytest.raises(NotFound):
            in_unit(topics.merge_topics, bank.id, venue, topic_id(other.id, "people"),
                    author_id=None, now=NOW)
        assert topics.labels(bank.id) == {"venue": "Venue"}


def test_delete_is_refused_while_in_use_and_says_how_many(app, make_bank, make_question):
    bank = make_bank()
    make_question(bank, tags=["venue"])
    make_question(bank, tags=["venue"])
    with app.app_context():
        unused = in_unit(topics.create_topic, bank.id, "Unused").id
        with pytest.raises(ServiceError, match="2 questions use the topic “Venue”; merge"):
            in_unit(topics.delete_topic, bank.id, topic_id(bank.id, "venue"))
        in_unit(topics.delete_topic, bank.id, unused)
        assert topics.labels(bank.id) == {"venue": "Venue"}


def test_ensure_topics_adds_only_the_missing_ones(app, make_bank, make_question):
    bank = make_bank()
    make_question(bank, tags=["venue"])
    with app.app_context():
        created = in_unit(topics.ensure_topics, bank.id, ["venue", "un-milestones"],
                          {"un-milestones": "UN milestones"})
        assert [t.slug for t in created] == ["un-milestones"]
        assert topics.labels(bank.id) == {"venue": "Venue", "un-milestones": "UN milestones"}


def test_loading_a_bank_file_gives_the_bank_its_topics(app, tmp_path):
    from tests.domain.test_bank_file import question
    from tests.services.test_banks import load, write

    path = write(tmp_path / "demo.yaml", question("numeric", key="a", tags=["venue"]),
                 question("cloze", key="b", tags=["un-milestones"]))
    with app.app_context():
        load([path])
        load([path])  # idempotent: no second set of topics
        [bank_id] = db.session.scalars(select(Question.bank_id).distinct())
        # the file declares no topics: labels are made from the slugs
        assert topics.labels(bank_id) == {"venue": "Venue", "un-milestones": "Un milestones"}
