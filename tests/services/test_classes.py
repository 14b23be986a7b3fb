"""Classes: roster and join codes, linked banks, assignments, the report in SQL, grades."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Card, Enrolment, Review, User
from quizapp.models.classes import ClassMember, SchoolClass
from quizapp.services import classes, quizzes
from quizapp.services.errors import Conflict, Forbidden, NotFound, ServiceError
from quizapp.unit_of_work import unit
from tests.conftest import NOW


def u(user_id):
    return db.session.get(User, user_id)


@pytest.fixture
def setup(app, make_user, make_bank, make_question):
    teacher = make_user(role="instructor")
    bank = make_bank(owner=teacher)
    qs = [make_question(bank, "true_false", key=f"k{i}", tags=["venue" if i % 2 else "agenda"])
          for i in range(4)]
    with app.app_context(), unit():
        klass = classes.create_class(u(teacher.id), name="History 1", time_zone="Europe/Paris")
        classes.link_bank(klass.id, u(teacher.id), bank.id)
        class_id, code = klass.id, klass.join_code
    return {"teacher": teacher, "bank": bank, "questions": qs, "class_id": class_id,
            "code": code}


def test_learner_joins_with_code_in_any_case_and_twice_is_once(app, setup, make_user):
    learner = make_user()
    with app.app_context():
        with unit():
            classes.join(u(learner.id), setup["code"].lower(), NOW)
        with unit():
            classes.join(u(learner.id), " " + setup["code"] + " ", NOW)
        assert db.session.scalar(select(func.count()).select_from(ClassMember).where(
            ClassMember.user_id == learner.id)) == 1


@pytest.mark.parametrize("code", ["", "nope", "ZZZZZZZZ", "x" * 200, "'; drop table x;--"])
def test_wrong_code_says_the_same_thing(app, setup, make_user, code):
    learner = make_user()
    with app.app_context(), pytest.raises(ServiceError) as error, unit():
        classes.join(u(learner.id), code, NOW)
    assert str(error.value) == classes.BAD_CODE


def test_expired_and_regenerated_codes_are_refused_with_the_same_message(app, setup, make_user):
    learner = make_user()
    teacher = setup["teacher"]
    with app.app_context():
        with unit():
            new = classes.regenerate_code(setup["class_id"], u(teacher.id),
                                          expires_at=NOW + timedelta(days=1))
        for code, when in ((setup["code"], NOW), (new, NOW + timedelta(days=2))):
            with pytest.raises(ServiceError) as error, unit():
                classes.join(u(learner.id), code, when)
            assert str(error.value) == classes.BAD_CODE
        with unit():
            classes.join(u(learner.id), new, NOW)


def test_capacity_refuses_the_next_learner(app, make_user):
    teacher, a, b = make_user(role="instructor"), make_user(), make_user()
    with app.app_context():
        with unit():
            klass = classes.create_class(u(teacher.id), name="Small", capacity=1)
            code = klass.join_code
        with unit():
            classes.join(u(a.id), code, NOW)
        with pytest.raises(Conflict), unit():
            classes.join(u(b.id), code, NOW)


def test_only_instructors_create_and_only_teachers_manage(app, setup, make_user):
    learner, other = make_user(), make_user(role="instructor")
    with app.app_context():
        with pytest.raises(Forbidden), unit():
            classes.create_class(u(learner.id), name="Mine")
        with unit():
            classes.join(u(learner.id), setup["code"], NOW)
        with pytest.raises(Forbidden), unit():
            classes.regenerate_code(setup["class_id"], u(learner.id))
        with pytest.raises(NotFound), unit():
            classes.regenerate_code(setup["class_id"], u(other.id))
        with pytest.raises(ServiceError), unit():
            classes.create_class(u(other.id), name="X", time_zone="Mars/Olympus")


def test_add_coteacher_and_learner_by_username_then_remove_keeps_cards(app, setup, make_user):
    co, learner = make_user(role="instructor"), make_user()
    teacher = setup["teacher"]
    with app.app_context():
        with unit():
            classes.add_by_username(setup["class_id"], u(teacher.id), co.username.upper(),
                                    role="teacher")
        with unit():
            classes.add_by_username(setup["class_id"], u(co.id), learner.username)
        with pytest.raises(ServiceError), unit():
            classes.add_by_username(setup["class_id"], u(teacher.id), learner.username,
                                    role="teacher")  # a learner is no co-teacher
        with pytest.raises(ServiceError), unit():
            classes.add_by_username(setup["class_id"], u(teacher.id), "nobody-here")
        db.session.add(Card(user_id=learner.id, question_id=setup["questions"][0].id))
        db.session.commit()
        with unit():
            classes.remove_member(setup["class_id"], u(co.id), learner.id)
        assert classes.membership(setup["class_id"], learner.id) is None
        assert db.session.scalar(select(func.count()).select_from(Card).where(
            Card.user_id == learner.id)) == 1
        with pytest.raises(ServiceError), unit():
            classes.remove_member(setup["class_id"], u(co.id), teacher.id)


def test_leave_and_delete_class_keep_study_data(app, setup, make_user):
    learner = make_user()
    teacher = setup["teacher"]
    with app.app_context():
        with unit():
            classes.join(u(learner.id), setup["code"], NOW)
            classes.create_study(setup["class_id"], u(teacher.id), title="Learn",
                                 bank_id=setup["bank"].id, tags=[], goal=0.8,
                                 due_at=NOW + timedelta(days=14))
        assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
        with unit():
            classes.leave(setup["class_id"], u(learner.id))
        with unit():
            classes.delete_class(setup["class_id"], u(teacher.id))
        assert db.session.get(SchoolClass, setup["class_id"]) is None
        assert db.session.scalar(select(func.count()).select_from(Card).where(
            Card.user_id == learner.id)) == 4  # the assigned bank's cards, made on assigning
        assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))


def test_assignments_refuse_unlinked_banks_and_bad_settings(app, setup, make_bank):
    teacher = setup["teacher"]
    other_bank = make_bank(owner=teacher)
    with app.app_context():
        base = {"title": "Quiz", "bank_id": setup["bank"].id, "tags": [], "types": [],
                "count": 3, "mode": "test", "time_limit_min": 10, "attempts": 1,
                "counts": "best", "opens_at": None, "due_at": NOW + timedelta(days=1),
                "refuse_late": True}
        for change in ({"bank_id": other_bank.id}, {"count": 0}, {"mode": "exam"},
                       {"attempts": 0}, {"counts": "median"}, {"tags": ["no-such-topic"]},
                       {"time_limit_min": 999}, {"title": ""},
                       {"opens_at": NOW + timedelta(days=2)}):
            with pytest.raises(ServiceError), unit():
                classes.create_quiz(setup["class_id"], u(teacher.id), **{**base, **change})


def quiz(setup, **kw):
    args = {"title": "Quiz", "bank_id": setup["bank"].id, "tags": [], "types": [],
            "count": 2, "mode": "test", "time_limit_min": None, "attempts": 2,
            "counts": "best", "opens_at": NOW - timedelta(hours=1),
            "due_at": NOW + timedelta(days=1), "refuse_late": True, **kw}
    with unit():
        return classes.create_quiz(setup["class_id"], u(setup["teacher"].id), **args).id


def test_a_quiz_on_chosen_questions_or_types_draws_only_those(app, setup, make_user,
                                                              make_question):
    learner = make_user()
    short = make_question(setup["bank"], "short_answer", key="short", tags=["venue"])
    chosen = [setup["questions"][0], setup["questions"][3]]
    with app.app_context():
        with unit():
            classes.join(u(learner.id), setup["code"], NOW)
        named = quiz(setup, count=10, question_keys=[q.key for q in chosen])
        typed = quiz(setup, title="Typed", count=10, types=["short_answer"])
        with unit():
            drawn = classes.start_quiz(named, u(learner.id), NOW).selection["question_ids"]
        assert sorted(drawn) == sorted(q.id for q in chosen)  # all of them: count >= 2
        with unit():
            drawn = classes.start_quiz(typed, u(learner.id), NOW).selection["question_ids"]
        assert drawn == [short.id]
        for change, field in (({"question_keys": ["k0", "no-such-key"]}, "questions"),
                              ({"types": ["essay-ish"]}, "types"),
                              ({"types": ["matching"]}, "tags")):  # no question of that type
            with pytest.raises(ServiceError) as refused, unit():
                quiz(setup, title="Refused", **change)
            assert refused.value.field == field, change


def test_quiz_assignment_attempts_late_and_scores(app, setup, make_user):
    learner, outsider = make_user(), make_user()
    with app.app_context():
        with unit():
            classes.join(u(learner.id), setup["code"], NOW)
        qid = quiz(setup)
        late_ok = quiz(setup, title="Late marked", refuse_late=False, attempts=1)
        with pytest.raises(NotFound), unit():
            classes.start_quiz(qid, u(outsider.id), NOW)
        with pytest.raises(Conflict), unit():
            classes.start_quiz(qid, u(learner.id), NOW - timedelta(hours=2))  # not open
        with unit():
            attempt = classes.start_quiz(qid, u(learner.id), NOW)
            attempt_id = attempt.id
        with unit():
            quizzes.finish_attempt(learner.id, attempt_id, NOW)
        with unit():
            classes.start_quiz(qid, u(learner.id), NOW)
        with pytest.raises(Conflict, match="every attempt"), unit():
            classes.start_quiz(qid, u(learner.id), NOW)
        with pytest.raises(Conflict, match="closed"), unit():
            classes.start_quiz(qid, u(learner.id), NOW + timedelta(days=2))
        with unit():
            classes.start_quiz(late_ok, u(learner.id), NOW + timedelta(days=2))
        klass = db.session.get(SchoolClass, setup["class_id"])
        header, rows = classes.grades(klass, NOW)
        assert header[0] == "Username" and len(header) == 3
        assert rows[0]["Username"] == learner.username
        assert rows[0][header[1]] == 0.0  # finished with no answers
        listed = classes.learner_assignments(u(learner.id), NOW)
        assert [x["status"] for x in listed] == ["2 of 2 attempts", "1 of 1 attempts"]


def test_report_predicts_recall_in_sql_like_the_domain(app, setup, make_user):
    from quizapp.domain.scheduling import (
        CardState,
        SchedulerSettings,
        retrievability,
    )
    learner, idle = make_user(), make_user()
    teacher = setup["teacher"]
    with app.app_context():
        for who in (learner, idle):
            with unit():
                classes.join(u(who.id), setup["code"], NOW)
        with unit():
            classes.create_study(setup["class_id"], u(teacher.id), title="Goal",
                                 bank_id=setup["bank"].id, tags=["venue"], goal=0.5,
                                 due_at=NOW + timedelta(days=3))
        for i, q in enumerate(setup["questions"]):
            card = db.session.scalar(select(Card).where(Card.user_id == learner.id,
                                                        Card.question_id == q.id))
            if card is None:
                card = Card(user_id=learner.id, question_id=q.id)
                db.session.add(card)
            card.state, card.stability, card.difficulty, card.reps = 2, 2.0 + 10 * i, 5.0, 1
            card.last_review, card.due = NOW - timedelta(days=1), NOW
        db.session.commit()
        at = NOW + timedelta(days=14)
        klass = db.session.get(SchoolClass, setup["class_id"])
        data = classes.report(klass, at)
        rows = {r.username: r for r in data["learners"]}
        expected = []
        for card in db.session.scalars(select(Card).where(Card.user_id == learner.id)):
            state = CardState(state=2, step=None, stability=card.stability,
                              difficulty=card.difficulty, due=NOW, last_review=card.last_review)
            expected.append(retrievability(state, at, SchedulerSettings()))
        assert rows[learner.username].cards_studied == 4
        assert rows[learner.username].mean_recall == pytest.approx(
            sum(expected) / 4, abs=1e-6)
        assert rows[idle.username].cards_studied == 0
        # agenda (the less stable cards) is the likelier forgotten
        assert [name for name, _, _ in data["topics"]] == ["agenda", "venue"]
        # labelled as the class's bank labels them (from the slugs here)
        assert data["topic_labels"] == {"venue": "Venue", "agenda": "Agenda"}
        assert {row.username for row, _ in data["behind"]} == {idle.username}
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_report_counts_a_card_once_per_learner_and_once_under_each_of_its_topics(
        app, setup, make_user, make_question):
    """One pass groups cards by learner and by their question's set of topics: a question
    with two topics is one card for its learner and one card under each topic; a goal on a
    topic counts only that topic's cards, mastered when due within their stability."""
    teacher, bank = setup["teacher"], setup["bank"]
    both = make_question(bank, "true_false", key="both", tags=["venue", "agenda"])
    learner = make_user()
    with app.app_context():
        with unit():
            classes.join(u(learner.id), setup["code"], NOW)
        with unit():
            goal = classes.create_study(setup["class_id"], u(teacher.id), title="Venue",
                                        bank_id=bank.id, tags=["venue"], goal=0.5,
                                        due_at=NOW + timedelta(days=10))
            goal_id = goal.id
        # stability 30 days: mastered on the due date (10 days on); 5: not; one card unseen
        stabilities = {setup["questions"][0].id: 30.0, setup["questions"][1].id: 5.0,
                       both.id: 30.0}
        for qid, stability in stabilities.items():
            card = db.session.scalar(select(Card).where(Card.user_id == learner.id,
                                                        Card.question_id == qid))
            if card is None:
                card = Card(user_id=learner.id, question_id=qid)
                db.session.add(card)
            card.state, card.stability, card.difficulty, card.reps = 2, stability, 5.0, 1
            card.last_review, card.due = NOW, NOW
        db.session.commit()
        data = classes.report(db.session.get(SchoolClass, setup["class_id"]), NOW)
        [row] = [r for r in data["learners"] if r.username == learner.username]
        assert row.cards_studied == 3  # the two-topic card once
        assert row.mean_recall == pytest.approx(1.0)  # reviewed just now
        topics = {tag: n for tag, n, _recall in data["topics"]}
        # questions 0 and 2 are agenda, 1 and 3 venue (the fixture); "both" is in each
        assert topics == {"agenda": 2, "venue": 2}
        # venue: questions 1, 3 and both: 1 has stability 5 (not by day 10), 3 unseen, both
        # mastered: 1 of 3
        assert row.goals[goal_id] == pytest.approx(1 / 3)


def test_item_analysis_of_a_quiz_assignment_counts_its_attempts_only(app, setup, make_user):
    """Facility over the assignment's attempts: a quiz the learner took on the same bank
    outside the assignment is not in it; another class's assignment is not found."""
    strong, weak = make_user(), make_user()
    teacher = setup["teacher"]
    chosen = setup["questions"][:2]
    with app.app_context():
        for who in (strong, weak):
            with unit():
                classes.join(u(who.id), setup["code"], NOW)
        assignment_id = quiz(setup, count=2, attempts=1, question_keys=[q.key for q in chosen])
        for who, answer in ((strong, True), (weak, False)):
            with unit():
                attempt = classes.start_quiz(assignment_id, u(who.id), NOW)
                attempt_id, order = attempt.id, attempt.selection["question_ids"]
            for position, _qid in enumerate(order):
                with unit():
                    quizzes.submit_answer(who.id, attempt_id, position, answer, NOW)
        with unit():  # the weak learner, right this time, but outside the assignment
            free = quizzes.start_attempt(weak.id, bank_ids=[setup["bank"].id], tags=[],
                                         types=[], count=4, mode="practice", now=NOW)
            free_id, order = free.id, free.selection["question_ids"]
        for position, _qid in enumerate(order):
            with unit():
                quizzes.submit_answer(weak.id, free_id, position, True, NOW)
        analysis = classes.item_analysis(setup["class_id"], assignment_id, u(teacher.id))
        assert {q.key for q in analysis.questions} == {q.key for q in chosen}
        assert {q.attempts for q in analysis.questions} == {2}
        assert all(q.facility == pytest.approx(0.5) for q in analysis.questions)
        assert analysis.can_edit
        with pytest.raises(NotFound):
            classes.item_analysis(setup["class_id"] + 999, assignment_id, u(teacher.id))
        with pytest.raises(Forbidden):
            classes.item_analysis(setup["class_id"], assignment_id, u(strong.id))
