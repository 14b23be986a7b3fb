"""Quiz attempts: start, answer once, resume, finish, retry, revisions, tampering."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import AttemptAnswer, Card, Question, Review
from quizapp.services import quizzes, study
from quizapp.services.banks import add_revision
from quizapp.services.errors import Conflict, NotFound, ServiceError
from quizapp.unit_of_work import unit
from tests.conftest import NOW


@pytest.fixture
def bank_with_questions(make_bank, make_question):
    bank = make_bank()
    questions = [
        make_question(bank, "numeric", key="n1", tags=["victim-statistics"]),
        make_question(bank, "single_choice", key="s1", tags=["venue"]),
        make_question(bank, "true_false", key="t1", tags=["venue"]),
        make_question(bank, "cloze", key="c1", tags=["victim-statistics"]),
    ]
    return bank, questions


def start(user_id, bank, **kw):
    args = {"bank_ids": [bank.id], "tags": [], "types": [], "count": 10, "mode": "practice",
            "now": NOW, "seed": 42}
    with unit():
        return quizzes.start_attempt(user_id, **{**args, **kw})


def answer(user_id, attempt_id, position, response, now=NOW):
    """One answer as a request sends it: its own unit of work."""
    with unit():
        return quizzes.submit_answer(user_id, attempt_id, position, response, now)


def test_start_draws_matching_questions_in_a_seeded_order(app, make_user, bank_with_questions):
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        a = start(user.id, bank, tags=["victim-statistics"])
        b = start(user.id, bank, tags=["victim-statistics"])
        assert a.selection["question_ids"] == b.selection["question_ids"]
        keys = {db.session.get(Question, q).key for q in a.selection["question_ids"]}
        assert keys == {"n1", "c1"}
        assert len(a.selection["revision_ids"]) == 2


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"mode": "exam"}, "practice or test"),
        ({"count": 0}, "1 to 100"),
        ({"count": 101}, "1 to 100"),
        ({"tags": ["routes"]}, "No questions match"),
        ({"time_limit_s": 600}, "in test mode"),
        ({"time_limit_s": 5, "mode": "test"}, "1 to 240"),
    ],
)
def test_start_rejects_bad_choices(app, make_user, bank_with_questions, kw, message):
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context(), pytest.raises(ServiceError, match=message):
        start(user.id, bank, **kw)


def test_answer_is_graded_recorded_once_and_feeds_the_card(app, make_user, bank_with_questions):
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        with unit():
            study.enrol(user.id, bank.id, [], NOW)
        attempt = start(user.id, bank, types=["numeric"])
        first = answer(user.id, attempt.id, 0, "5,063", NOW)
        assert first.result.correct and not first.repeated
        again = answer(user.id, attempt.id, 0, "12", NOW)  # double click / back
        assert again.repeated and again.answer.correct
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 1
        review = db.session.scalar(select(Review))
        assert (review.origin, review.rating) == ("quiz", 3)
        card = db.session.get(Card, review.card_id)
        assert card.reps == 1 and card.state == 1
        # one question: the attempt finished itself
        assert db.session.get(type(attempt), attempt.id).finished_at == NOW


def test_wrong_answer_is_an_again_review(app, make_user, bank_with_questions):
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        with unit():
            study.enrol(user.id, bank.id, [], NOW)
        attempt = start(user.id, bank, types=["true_false"])
        outcome = answer(user.id, attempt.id, 0, False, NOW)
        assert not outcome.result.correct
        assert db.session.scalar(select(Review.rating)) == 1


def test_partly_right_is_a_hard_review(app, make_user, bank_with_questions, make_question):
    bank, _ = bank_with_questions
    make_question(bank, "multiple_choice", key="m1", tags=["venue"])
    user = make_user()
    with app.app_context():
        with unit():
            study.enrol(user.id, bank.id, [], NOW)
        attempt = start(user.id, bank, types=["multiple_choice"])
        outcome = answer(user.id, attempt.id, 0, [0], NOW)  # one of two right
        assert 0 < outcome.result.score < 1 and not outcome.result.correct
        assert db.session.scalar(select(Review.rating)) == 2


def test_a_quiz_outside_the_learners_flashcards_feeds_no_card(app, make_user,
                                                              bank_with_questions):
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        attempt = start(user.id, bank, types=["true_false"])
        outcome = answer(user.id, attempt.id, 0, True, NOW)
        assert outcome.result.correct
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 1
        assert db.session.scalar(select(func.count()).select_from(Card)) == 0
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_resume_finish_score_and_retry(app, make_user, bank_with_questions):
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        attempt = start(user.id, bank, types=["numeric", "true_false"], mode="test")
        order = [db.session.get(Question, q).type for q in attempt.selection["question_ids"]]
        right = {"numeric": "5063", "true_false": True}
        wrong = {"numeric": "1", "true_false": False}
        answer(user.id, attempt.id, 0, right[order[0]], NOW)
        resumed = quizzes.get_attempt(user.id, attempt.id)
        assert quizzes.next_position(resumed) == 1 and resumed.finished_at is None
        answer(user.id, attempt.id, 1, wrong[order[1]], NOW + timedelta(seconds=30))
        done = quizzes.get_attempt(user.id, attempt.id)
        assert done.score == pytest.approx(0.5)
        with unit():
            retry = quizzes.retry_missed(user.id, attempt.id, NOW)
        assert retry.selection["question_ids"] == [attempt.selection["question_ids"][1]]
        assert retry.mode == "test"


def test_unanswered_questions_count_zero_when_finished_early(app, make_user, bank_with_questions):
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        attempt = start(user.id, bank)
        answer(user.id, attempt.id, 0, _right_answer(attempt, 0), NOW)
        with unit():
            finished = quizzes.finish_attempt(user.id, attempt.id, NOW)
        assert finished.score == pytest.approx(1 / 4)
        with pytest.raises(Conflict, match="finished"):
            answer(user.id, attempt.id, 1, _right_answer(attempt, 1), NOW)


def _right_answer(attempt, position):
    snapshot = quizzes.revision_at(attempt, position).snapshot
    return {"numeric": "5063", "single_choice": 0, "true_false": True,
            "cloze": ["20"]}[snapshot["type"]]


def test_time_limit_finishes_the_attempt(app, make_user, bank_with_questions):
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        attempt = start(user.id, bank, mode="test", time_limit_s=60)
        inside_grace = NOW + timedelta(seconds=63)
        late = NOW + timedelta(seconds=90)
        with unit():
            assert not quizzes.expire_if_due(user.id, attempt.id, inside_grace)
        with pytest.raises(Conflict):
            answer(user.id, attempt.id, 0, _right_answer(attempt, 0), late)
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
        with unit():
            assert quizzes.expire_if_due(user.id, attempt.id, late)
        finished = quizzes.get_attempt(user.id, attempt.id)
        assert finished.finished_at == NOW + timedelta(seconds=60)
        assert finished.score == 0
        with unit():  # again: the stored end stays
            assert quizzes.expire_if_due(user.id, attempt.id, late + timedelta(hours=1))
        assert quizzes.get_attempt(user.id, attempt.id).finished_at == NOW + timedelta(seconds=60)


def test_a_locked_attempt_is_read_fresh(app, make_user, bank_with_questions):
    """An answer committed elsewhere after this session loaded the attempt (another device)
    is seen once the attempt is locked, so it is neither stored twice nor left out of the
    score of Finish."""
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        attempt = start(user.id, bank, types=["numeric", "true_false"], mode="test")
        stale = quizzes.get_attempt(user.id, attempt.id)
        assert stale.answers == []
        revision_id = stale.selection["revision_ids"][0]
        with db.engine.begin() as other:
            other.execute(AttemptAnswer.__table__.insert().values(
                attempt_id=attempt.id, position=0, question_revision_id=revision_id,
                response="5063", score=1.0, correct=True, answered_at=NOW))
        with unit():
            unit_of_work.write()
            fresh = quizzes.get_attempt(user.id, attempt.id, lock=True)
            assert [a.position for a in fresh.answers] == [0]
            finished = quizzes.finish_attempt(user.id, attempt.id, NOW)
            assert finished.score == pytest.approx(0.5)


def test_an_answer_keeps_the_revision_it_was_given_against(app, make_user, bank_with_questions):
    bank, questions = bank_with_questions
    user = make_user()
    with app.app_context():
        attempt = start(user.id, bank, types=["numeric"])
        question = db.session.get(Question, questions[0].id)
        question.data = {**question.data, "value": 4463}
        question.revision += 1
        add_revision(question, author_id=None, message="edit", now=NOW)
        db.session.commit()
        outcome = answer(user.id, attempt.id, 0, "5063", NOW)
        assert outcome.result.correct  # graded against the revision shown
        assert outcome.answer.revision.snapshot["value"] == 5063


@pytest.mark.parametrize(
    ("position", "response", "error", "message"),
    [
        (0, "lots", ServiceError, "Enter a number"),
        (7, "5063", NotFound, "not part of this quiz"),
        (-1, "5063", NotFound, "not part of this quiz"),
    ],
)
def test_tampered_answers_change_nothing(app, make_user, bank_with_questions, position, response,
                                         error, message):
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        attempt = start(user.id, bank, types=["numeric"])
        with pytest.raises(error, match=message):
            answer(user.id, attempt.id, position, response, NOW)
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_an_answer_that_cannot_be_graded_takes_no_write_lock(app, make_user,
                                                             bank_with_questions):
    """Its form is shown again with the message beside the field: rendered with no write
    transaction open (on SQLite, no BEGIN IMMEDIATE holding every other writer)."""
    bank, _ = bank_with_questions
    user = make_user()
    with app.app_context():
        attempt = start(user.id, bank, types=["numeric"])
        with unit():
            with pytest.raises(ServiceError, match="Enter a number") as refused:
                quizzes.submit_answer(user.id, attempt.id, 0, "lots", NOW)
            assert refused.value.field == "answer"
            assert not unit_of_work.writing()


def test_another_users_attempt_is_not_found(app, make_user, bank_with_questions):
    bank, _ = bank_with_questions
    owner, other = make_user(), make_user()
    with app.app_context():
        attempt = start(owner.id, bank)
        with pytest.raises(NotFound):
            quizzes.get_attempt(other.id, attempt.id)
        with pytest.raises(NotFound):
            answer(other.id, attempt.id, 0, "5063", NOW)
