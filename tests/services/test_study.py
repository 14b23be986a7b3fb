"""Flashcard study with the database: queue, limits, reviews once, undo, bury, suspend."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Card, Question, Review, User
from quizapp.models.classes import class_bank
from quizapp.services import accounts, study
from quizapp.services.banks import load_paths
from quizapp.services.errors import Conflict, NotFound, ServiceError
from tests.domain.test_bank_file import bank_text, question

MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def learner(app, make_user):
    return make_user()


@pytest.fixture
def enrolled(app, learner, make_bank, make_question):
    """A learner enrolled in a bank of 5 questions."""
    bank = make_bank()
    for n in range(5):
        make_question(bank, "numeric", key=f"n{n}", tags=["venue"])
    with app.app_context(), unit_of_work.unit():
        study.enrol(learner.id, bank.id, [], MORNING)
    return bank


def user(learner_id) -> User:
    return db.session.get(User, learner_id)


def test_enrolment_creates_one_new_card_per_question(app, learner, enrolled):
    with app.app_context():
        cards = db.session.scalars(select(Card).where(Card.user_id == learner.id)).all()
        assert len(cards) == 5 and {c.state for c in cards} == {0}
        study.enrol(learner.id, enrolled.id, [], MORNING)  # again: nothing doubles
        assert db.session.scalar(select(func.count()).select_from(Card)) == 5


def test_topics_limit_the_cards(app, learner, make_bank, make_question):
    bank = make_bank()
    make_question(bank, "numeric", key="a", tags=["venue"])
    make_question(bank, "numeric", key="b", tags=["economy"])
    with app.app_context():
        study.enrol(learner.id, bank.id, ["economy"], MORNING)
        keys = db.session.scalars(select(Question.key).join(Card)).all()
        assert keys == ["b"]


def test_queue_counts_and_order(app, learner, enrolled):
    with app.app_context():
        queue = study.queue(user(learner.id), MORNING)
        assert (queue.counts.new, queue.counts.learning, queue.counts.review) == (5, 0, 0)
        first = queue.card
        study.answer_card(learner.id, first.id, 3, MORNING, submission_id="s-000001")
        queue = study.queue(user(learner.id), MORNING)
        assert (queue.counts.new, queue.counts.learning) == (4, 1)
        assert queue.card.id != first.id  # the learning card is due in 10 minutes
        later = study.queue(user(learner.id), MORNING + timedelta(minutes=11))
        assert later.card.id == first.id  # learning cards come first once due


def test_new_card_limit_resets_at_4am_in_the_learners_zone(app, learner, enrolled):
    with app.app_context():
        accounts.update_settings(learner.id, {"new_per_day": 2, "timezone": "Europe/Minsk"})
        # 00:30 UTC is 03:30 in Minsk: still the previous study day until 01:00 UTC.
        night = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
        for n in range(2):
            card = study.queue(user(learner.id), night).card
            study.answer_card(learner.id, card.id, 4, night, submission_id=f"night-{n}xx")
        assert study.queue(user(learner.id), night).counts.new == 0
        assert study.queue(user(learner.id), night + timedelta(minutes=20)).counts.new == 0
        after_rollover = datetime(2026, 3, 2, 1, 5, tzinfo=UTC)
        assert study.queue(user(learner.id), after_rollover).counts.new == 2


def test_review_limit(app, learner, enrolled):
    with app.app_context():
        accounts.update_settings(learner.id, {"reviews_per_day": 1})
        for card in db.session.scalars(select(Card)).all():
            study.answer_card(learner.id, card.id, 4, MORNING - timedelta(days=30),
                              submission_id=f"old-{card.id}xxx")
        queue = study.queue(user(learner.id), MORNING)
        assert queue.counts.review == 1
        study.answer_card(learner.id, queue.card.id, 3, MORNING, submission_id="today-1x")
        assert study.queue(user(learner.id), MORNING).card is None


def test_a_repeated_submission_is_acknowledged_not_applied(app, learner, enrolled):
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        first = study.answer_card(learner.id, card.id, 3, MORNING, submission_id="same-id-1")
        again = study.answer_card(learner.id, card.id, 1, MORNING, submission_id="same-id-1")
        assert first.applied and not again.applied
        assert again.review.id == first.review.id
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1
        assert db.session.get(Card, card.id).reps == 1


def test_review_log_keeps_state_before_and_recall(app, learner, enrolled):
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        study.answer_card(learner.id, card.id, 4, MORNING, submission_id="r1xxxxxx")
        later = MORNING + timedelta(days=3)
        study.answer_card(learner.id, card.id, 3, later, submission_id="r2xxxxxx")
        first, second = db.session.scalars(select(Review).order_by(Review.id)).all()
        assert first.previous_state == 0 and first.recall_probability is None
        assert second.previous_state == 2 and 0 < second.recall_probability < 1
        assert second.state_before["reps"] == 1


def test_undo_restores_the_card_and_removes_the_log(app, learner, enrolled):
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        before = (card.state, card.due, card.reps)
        study.answer_card(learner.id, card.id, 4, MORNING, submission_id="undo-me1")
        restored = study.undo_last(learner.id, MORNING).card
        assert restored.id == card.id
        assert (restored.state, restored.due, restored.reps) == before
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0
        with pytest.raises(ServiceError, match="no review to undo"):
            study.undo_last(learner.id, MORNING)


def test_bury_and_suspend(app, learner, enrolled):
    with app.app_context():
        first = study.queue(user(learner.id), MORNING).card
        study.bury(learner.id, first.id, MORNING)
        assert study.queue(user(learner.id), MORNING).card.id != first.id
        assert study.queue(user(learner.id), MORNING).counts.new == 4
        tomorrow = MORNING + timedelta(days=1)
        assert study.queue(user(learner.id), tomorrow).counts.new == 5
        study.set_suspended(learner.id, first.id, True)
        assert study.queue(user(learner.id), tomorrow).counts.new == 4


def test_done_screen_says_when_the_next_card_is_due(app, learner, enrolled):
    with app.app_context():
        accounts.update_settings(learner.id, {"new_per_day": 1})
        card = study.queue(user(learner.id), MORNING).card
        study.answer_card(learner.id, card.id, 4, MORNING, submission_id="easy-one")
        queue = study.queue(user(learner.id), MORNING)
        assert queue.card is None
        assert queue.next_due is not None and queue.next_due > MORNING


def test_another_learners_card_is_not_found(app, learner, enrolled, make_user):
    other = make_user()
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        for action in (lambda: study.answer_card(other.id, card.id, 3, MORNING),
                       lambda: study.bury(other.id, card.id, MORNING),
                       lambda: study.set_suspended(other.id, card.id, True)):
            with pytest.raises(NotFound):
                action()
        assert db.session.get(Card, card.id).reps == 0


def test_interval_labels_match_the_scheduler(app, learner, enrolled):
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        labels = study.interval_labels(user(learner.id), card, MORNING)
        assert labels[1] == "1m" and labels[3] == "10m"
        study.answer_card(learner.id, card.id, 3, MORNING, submission_id="lbl-xxxx")
        due = db.session.get(Card, card.id).due
        assert due - MORNING == timedelta(minutes=10)


def test_new_questions_in_a_loaded_bank_reach_enrolled_learners(app, learner, tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(bank_text(question("numeric", key="a")))
    with app.app_context(), unit_of_work.unit():
        [summary] = load_paths([path])
        bank_id = db.session.scalar(select(Question.bank_id))
        study.enrol(learner.id, bank_id, [], MORNING)
    path.write_text(bank_text(question("numeric", key="a"), question("cloze", key="b")))
    with app.app_context():
        load_paths([path])
        assert db.session.scalar(select(func.count()).select_from(Card)) == 2


def test_narrowing_the_topics_of_a_studied_bank_narrows_the_queue(app, learner, make_bank,
                                                                  make_question):
    bank = make_bank()
    make_question(bank, "numeric", key="a", tags=["venue"])
    make_question(bank, "numeric", key="b", tags=["economy"])
    with app.app_context():
        study.enrol(learner.id, bank.id, [], MORNING)
        assert study.queue(user(learner.id), MORNING).counts.new == 2
        study.enrol(learner.id, bank.id, ["economy"], MORNING)
        queue = study.queue(user(learner.id), MORNING)
        assert queue.counts.new == 1 and queue.card.question.key == "b"
        study.answer_card(learner.id, queue.card.id, 3, MORNING)
        study.enrol(learner.id, bank.id, ["venue"], MORNING)
        later = study.queue(user(learner.id), MORNING + timedelta(hours=1))
        assert (later.counts.new, later.counts.learning) == (1, 0)
        assert later.card.question.key == "a"


def quiz_answer(learner_id, question, score, correct, at=MORNING, n=1):
    return study.record_quiz_review(learner_id, question.id, score=score, correct=correct,
                                    now=at, submission_id=f"quiz-test-{question.id}-{n}")


@pytest.mark.parametrize(("score", "correct", "rating"),
                         [(1.0, True, 3), (0.5, False, 2), (0.0, False, 1)])
def test_a_quiz_answer_is_good_hard_or_again(app, learner, enrolled, score, correct, rating):
    with app.app_context():
        question = db.session.scalars(select(Question).order_by(Question.id)).first()
        review = quiz_answer(learner.id, question, score, correct)
        assert (review.origin, review.rating) == ("quiz", rating)


def test_quiz_answers_leave_cards_outside_the_learners_choice_alone(app, learner, make_bank,
                                                                    make_question):
    bank = make_bank()
    chosen = make_question(bank, "numeric", key="a", tags=["venue"])
    unticked = make_question(bank, "numeric", key="b", tags=["economy"])
    elsewhere = make_question(make_bank(), "numeric", key="c", tags=["venue"])
    with app.app_context():
        study.enrol(learner.id, bank.id, ["venue"], MORNING)
        assert quiz_answer(learner.id, chosen, 1.0, True) is not None
        assert quiz_answer(learner.id, unticked, 1.0, True) is None
        assert quiz_answer(learner.id, elsewhere, 1.0, True) is None
        cards = {c.question.key: c.state for c in db.session.scalars(select(Card))}
        assert cards == {"a": 1}
        queue = study.queue(user(learner.id), MORNING)
        assert (queue.counts.new, queue.counts.learning) == (0, 1)


def test_quiz_answers_introduce_new_cards_within_the_daily_limit(app, learner, enrolled):
    with app.app_context():
        accounts.update_settings(learner.id, {"new_per_day": 2})
        questions = db.session.scalars(select(Question).order_by(Question.id)).all()
        reviews = [quiz_answer(learner.id, q, 1.0, True) for q in questions[:3]]
        assert [r is not None for r in reviews] == [True, True, False]
        queue = study.queue(user(learner.id), MORNING)
        assert (queue.counts.new, queue.counts.learning) == (0, 2)
        started = db.session.scalar(select(func.count()).select_from(Card)
                                    .where(Card.user_id == learner.id, Card.state != 0))
        assert started == 2
        # A card already being learned is reviewed by a quiz whatever the limit.
        assert quiz_answer(learner.id, questions[0], 0.0, False, n=2).rating == 1


def graded(learner_id, card_id, n, at=MORNING, rating=3):
    return study.answer_card(learner_id, card_id, rating, at + timedelta(minutes=n),
                             submission_id=f"g-{card_id}-{n}-xxxx")


def test_undo_restores_every_field_of_the_state_before(app, learner, enrolled):
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        graded(learner.id, card.id, 0, rating=4)
        graded(learner.id, card.id, 60 * 24 * 5, rating=1)  # a lapse, five days later
        db.session.refresh(card)
        middle = study.card_state(card)
        graded(learner.id, card.id, 60 * 24 * 6, rating=3)
        restored = study.undo_last(learner.id, MORNING, submission_id="undo-field").card
        assert study.card_state(restored) == middle


def test_undo_after_a_quiz_answer_on_the_same_card_is_refused_and_changes_nothing(
        app, learner, enrolled):
    """The flashcard review came before a quiz answer on the card: undoing it would put the
    card back to "new" while the quiz's review stays in the log. It is refused (409)."""
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        graded(learner.id, card.id, 0)
        quiz_answer(learner.id, card.question, 1.0, True, at=MORNING + timedelta(minutes=15))
        db.session.refresh(card)
        after_quiz = study.card_state(card)
        with pytest.raises(Conflict, match="answered in a quiz"):
            study.undo_last(learner.id, MORNING)
        db.session.refresh(card)
        assert study.card_state(card) == after_quiz and card.reps == 2
        assert db.session.scalar(select(func.count()).select_from(Review)) == 2


def test_a_quiz_answer_on_another_card_does_not_block_undo(app, learner, enrolled):
    with app.app_context():
        first, second = db.session.scalars(select(Card).order_by(Card.id).limit(2)).all()
        graded(learner.id, first.id, 0)
        quiz_answer(learner.id, second.question, 1.0, True)
        assert study.undo_last(learner.id, MORNING).card.id == first.id
        db.session.refresh(first)
        assert (first.state, first.reps) == (0, 0)


def test_an_undo_sent_twice_undoes_once(app, learner, enrolled):
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        for n in range(3):
            graded(learner.id, card.id, n)
        first = study.undo_last(learner.id, MORNING, submission_id="undo-once-1")
        again = study.undo_last(learner.id, MORNING, submission_id="undo-once-1")
        assert first.applied and not again.applied and again.card.id == card.id
        assert db.session.get(Card, card.id).reps == 2
        assert study.undo_last(learner.id, MORNING, submission_id="undo-once-2").applied
        assert db.session.get(Card, card.id).reps == 1


def test_the_undo_stack_is_bounded_and_a_new_review_starts_it_again(app, learner, enrolled):
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        for n in range(study.UNDO_LIMIT + 2):
            graded(learner.id, card.id, n)
        for n in range(study.UNDO_LIMIT):
            assert study.undo_last(learner.id, MORNING, submission_id=f"bound-{n}xx").applied
        with pytest.raises(ServiceError, match=f"at most your last {study.UNDO_LIMIT}"):
            study.undo_last(learner.id, MORNING, submission_id="bound-over")
        assert db.session.get(Card, card.id).reps == 2
        graded(learner.id, card.id, 100)
        assert study.undo_last(learner.id, MORNING, submission_id="bound-again").applied
        assert study.undo_last(learner.id, MORNING, submission_id="bound-again2").applied
        assert db.session.get(Card, card.id).reps == 1


def test_an_undo_is_per_learner(app, learner, enrolled, make_user):
    other = make_user()
    with app.app_context():
        card = study.queue(user(learner.id), MORNING).card
        graded(learner.id, card.id, 0)
        with pytest.raises(ServiceError, match="no review to undo"):
            study.undo_last(other.id, MORNING)
        assert db.session.get(Card, card.id).reps == 1


def test_an_open_study_assignment_raises_the_new_card_limit_until_it_is_due(
        app, learner, enrolled, make_user):
    from quizapp.services import classes
    teacher = make_user(role="instructor")
    bank_id = enrolled.id
    with app.app_context():
        accounts.update_settings(learner.id, {"new_per_day": 1})
        assert study.queue(user(learner.id), MORNING).counts.new == 1
        with unit_of_work.unit():
            klass = classes.create_class(user(teacher.id), name="Class")
            db.session.execute(insert(class_bank).values(class_id=klass.id, bank_id=bank_id))
            classes.add_by_username(klass.id, user(teacher.id), user(learner.id).username)
            for extra, days in ((2, 3), (1, 5), (50, -1)):  # the largest open one counts
                classes.create_study(klass.id, user(teacher.id), title=f"Goal {extra}",
                                     bank_id=bank_id, tags=[], goal=0.5,
                                     due_at=MORNING + timedelta(days=days),
                                     extra_new_per_day=extra)
        assert study.queue(user(learner.id), MORNING).counts.new == 3
        after = MORNING + timedelta(days=4)  # only the +1 goal is still open
        assert study.queue(user(learner.id), after).counts.new == 2
