"""Class pages: create, join (code and link), roster, assignments, the class page, grades."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.models.classes import Assignment, SchoolClass
from quizapp.services import classes
from quizapp.unit_of_work import unit
from tests.conftest import NOW


@pytest.fixture
def klass(app, make_user, make_bank, make_question):
    teacher = make_user(role="instructor")
    bank = make_bank(owner=teacher, title="Talks")
    for i in range(3):
        make_question(bank, "true_false", key=f"k{i}", tags=["venue"])
    with app.app_context(), unit():
        k = classes.create_class(db.session.get(User, teacher.id), name="History 1")
        classes.link_bank(k.id, db.session.get(User, teacher.id), bank.id)
        return {"teacher": teacher, "bank": bank, "id": k.id, "code": k.join_code}


def test_instructor_creates_a_class_and_a_learner_cannot(app, client, auth, make_user):
    teacher, learner = make_user(role="instructor"), make_user()
    auth.login(teacher.username)
    response = client.post("/classes/new", data={"name": "Term 2", "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert b"Term 2" in page.data and b"Join code" in page.data
    assert (
        client.post("/classes/new", data={"name": "X", "time_zone": "Nowhere/Land"}).status_code
        == 400
    )
    auth.logout()
    auth.login(learner.username)
    assert client.post("/classes/new", data={"name": "Mine"}).status_code == 403


def test_join_with_code_link_and_wrong_code(app, client, auth, make_user, klass):
    learner = make_user()
    auth.login(learner.username)
    form = client.get(f"/classes/join/{klass['code'].lower()}")
    assert klass["code"].encode() in form.data
    wrong = client.post("/classes/join", data={"code": "AAAAAAAA"})
    assert wrong.status_code == 400 and b"not valid" in wrong.data
    short = client.post("/classes/join", data={"code": "x"})
    assert short.data.count(b"not valid") == wrong.data.count(b"not valid")
    ok = client.post("/classes/join", data={"code": klass["code"]})
    assert ok.status_code == 302
    page = client.get(f"/classes/{klass['id']}")
    assert b"Leave this class" in page.data and b"Roster" not in page.data
    assert client.get(f"/classes/{klass['id']}/grades.csv").status_code == 403


def test_teacher_assigns_and_exports_grades(app, client, auth, make_user, klass):
    learner = make_user()
    with app.app_context(), unit():
        classes.join(db.session.get(User, learner.id), klass["code"], NOW)
    auth.login(klass["teacher"].username)
    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        f"/classes/{klass['id']}/assignments/study",
        data={
            "study-title": "Learn venue",
            "study-bank_id": klass["bank"].id,
            "study-tags": "venue",
            "study-goal": "80",
            "study-due_at": due,
            "study-extra_new_per_day": "10",
        },
    )
    assert r.status_code == 302, r.data
    r = client.post(
        f"/classes/{klass['id']}/assignments/quiz",
        data={
            "quiz-title": "Quiz 1",
            "quiz-bank_id": klass["bank"].id,
            "quiz-tags": "",
            "quiz-count": "2",
            "quiz-mode": "test",
            "quiz-time_limit_min": "10",
            "quiz-attempts": "1",
            "quiz-counts": "best",
            "quiz-due_at": due,
            "quiz-late": "refuse",
        },
    )
    assert r.status_code == 302, r.data
    bad = client.post(
        f"/classes/{klass['id']}/assignments/quiz",
        data={
            "quiz-title": "Quiz 2",
            "quiz-bank_id": klass["bank"].id,
            "quiz-count": "0",
            "quiz-mode": "test",
            "quiz-attempts": "1",
            "quiz-counts": "best",
            "quiz-due_at": due,
            "quiz-late": "refuse",
        },
    )
    assert bad.status_code == 400 and b"1 to 100" in bad.data
    chosen = client.post(
        f"/classes/{klass['id']}/assignments/quiz",
        data={"quiz-title": "Two named", "quiz-bank_id": klass["bank"].id,
              "quiz-questions": "k0, k2", "quiz-types": ["true_false"], "quiz-count": "5",
              "quiz-mode": "practice", "quiz-attempts": "1", "quiz-counts": "best",
              "quiz-due_at": due, "quiz-late": "refuse"})
    assert chosen.status_code == 302, chosen.data
    unknown = client.post(
        f"/classes/{klass['id']}/assignments/quiz",
        data={"quiz-title": "Unknown", "quiz-bank_id": klass["bank"].id,
              "quiz-questions": "k0, nope", "quiz-count": "5", "quiz-mode": "practice",
              "quiz-attempts": "1", "quiz-counts": "best", "quiz-due_at": due,
              "quiz-late": "refuse"})
    assert unknown.status_code == 400 and b"not in the bank: nope" in unknown.data
    with app.app_context():
        named = db.session.scalar(select(Assignment).where(Assignment.title == "Two named"))
        assert named.settings["types"] == ["true_false"]
        assert len(named.settings["question_ids"]) == 2
        goal = db.session.scalar(select(Assignment).where(Assignment.title == "Learn venue"))
        assert goal.extra_new_per_day == 10
    page = client.get(f"/classes/{klass['id']}?on=2030-01-01")
    assert page.status_code == 200 and learner.username.encode() in page.data
    assert b"Behind on a study goal" in page.data
    csv = client.get(f"/classes/{klass['id']}/grades.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.decode().splitlines()[0].startswith("Username,Learn venue [")
    data = client.get(f"/classes/{klass['id']}/grades.json").get_json()
    assert data["rows"][0]["Username"] == learner.username
    with app.app_context():
        quiz_id = db.session.scalar(select(Assignment.id).where(Assignment.title == "Quiz 1"))
    auth.logout()
    auth.login(learner.username)
    home = client.get("/classes/")
    assert b"Quiz 1" in home.data and b"Learn venue" in home.data
    start = client.post(f"/classes/assignments/{quiz_id}/start")
    assert start.status_code == 302 and "/quiz/" in start.headers["Location"]
    again = client.post(f"/classes/assignments/{quiz_id}/start")
    assert again.status_code == 409


def test_remove_member_and_delete_class(app, client, auth, make_user, klass):
    learner = make_user()
    with app.app_context(), unit():
        classes.join(db.session.get(User, learner.id), klass["code"], NOW)
    auth.login(klass["teacher"].username)
    assert client.post(f"/classes/{klass['id']}/members/{learner.id}/remove").status_code == 302
    assert (
        client.post(
            f"/classes/{klass['id']}/members", data={"username": "ghost", "role": "learner"}
        ).status_code
        == 400
    )
    assert client.post(f"/classes/{klass['id']}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(SchoolClass, klass["id"]) is None


def test_a_new_code_can_expire_and_a_class_can_have_a_capacity(app, client, auth, klass,
                                                                 make_user):
    auth.login(klass["teacher"].username)
    past = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(f"/classes/{klass['id']}/code", data={"expires_at": past})
    assert refused.status_code == 400 and b"still to come" in refused.data
    soon = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/classes/{klass['id']}/code", data={"expires_at": soon}
                       ).status_code == 302
    page = client.get(f"/classes/{klass['id']}")
    assert b"This code works until" in page.data and b"until you make" not in page.data
    with app.app_context():
        stored = db.session.get(SchoolClass, klass["id"])
        assert stored.join_code != klass["code"] and stored.code_expires_at is not None
    made = client.post("/classes/new", data={"name": "Small", "time_zone": "UTC",
                                             "capacity": "1"})
    assert made.status_code == 302
    assert b"holds up to 1 learner." in client.get(made.headers["Location"]).data
    assert client.post("/classes/new", data={"name": "None", "capacity": "0"}
                       ).status_code == 400


def test_the_item_analysis_page_of_a_quiz_assignment(app, client, auth, klass, make_user):
    with app.app_context(), unit():
        teacher = db.session.get(User, klass["teacher"].id)
        quiz = classes.create_quiz(
            klass["id"], teacher, title="Quiz A", bank_id=klass["bank"].id, tags=[], types=[],
            count=3, mode="practice", time_limit_min=None, attempts=1, counts="best",
            opens_at=None, due_at=NOW + timedelta(days=400), refuse_late=True)
        study = classes.create_study(klass["id"], teacher, title="Goal", bank_id=klass["bank"].id,
                                     tags=[], goal=0.5, due_at=NOW + timedelta(days=400))
        quiz_id, study_id = quiz.id, study.id
    auth.login(klass["teacher"].username)
    page = client.get(f"/classes/{klass['id']}")
    assert f"/classes/{klass['id']}/assignments/{quiz_id}/items".encode() in page.data
    items = client.get(f"/classes/{klass['id']}/assignments/{quiz_id}/items")
    assert items.status_code == 200 and b"Quiz A" in items.data and b"No answers yet" in items.data
    assert client.get(f"/classes/{klass['id']}/assignments/{study_id}/items").status_code == 404
