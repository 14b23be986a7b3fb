"""One learner starting the last allowed attempt of a quiz assignment from two devices at
once: one attempt starts, the other is a clear 409, never two attempts. The negative control
runs the same race with the locks off (QUIZAPP_LOCKING False in the children) and shows the
failure the test would catch."""

import multiprocessing
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import QuizAttempt, User
from quizapp.models.classes import AssignmentAttempt
from quizapp.services import classes
from tests.conftest import NOW
from tests.reliability.processes import collect
from tests.reliability.workers_quiz import device

pytestmark = pytest.mark.slow
ROUNDS = 6


@pytest.fixture
def scene(app, make_user, make_bank, make_question):
    teacher, learner = make_user(role="instructor"), make_user("racer")
    bank = make_bank(owner=teacher)
    for n in range(3):
        make_question(bank, "numeric", key=f"n{n}")
    ids = []
    with app.app_context():
        with unit_of_work.unit():
            klass = classes.create_class(db.session.get(User, teacher.id), name="Race")
            classes.link_bank(klass.id, db.session.get(User, teacher.id), bank.id)
            classes.add_by_username(klass.id, db.session.get(User, teacher.id), "racer")
            class_id = klass.id
        for n in range(ROUNDS):
            with unit_of_work.unit():
                ids.append(classes.create_quiz(
                    class_id, db.session.get(User, teacher.id), title=f"Q{n}",
                    bank_id=bank.id, tags=[], types=[], count=1, mode="practice",
                    time_limit_min=None, attempts=1, counts="best", opens_at=None,
                    due_at=NOW + timedelta(days=3650), refuse_late=True).id)
    return learner, ids


def race(app, learner, ids, *, locking: bool):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    steps = [("post", f"/classes/assignments/{i}/start", {}) for i in ids]
    children = [ctx.Process(target=device, args=(uri, locking, learner.username, steps,
                                                 barrier, results, name))
                for name in "ab"]
    outcomes = dict(collect(children, results, timeout=600))
    for name in "ab":
        assert len(outcomes[name]) == len(ids), outcomes[name][-1]
    with app.app_context():
        made = [db.session.scalar(select(func.count()).select_from(AssignmentAttempt)
                                  .where(AssignmentAttempt.assignment_id == i)) for i in ids]
        attempts = db.session.scalar(select(func.count()).select_from(QuizAttempt))
    return outcomes["a"], outcomes["b"], made, attempts


def test_the_last_attempt_started_twice_at_once_starts_once(app, scene):
    learner, ids = scene
    a, b, made, attempts = race(app, learner, ids, locking=True)
    for (sa, _), (sb, _) in zip(a, b, strict=True):
        assert sorted((sa, sb)) == [302, 409]
    assert made == [1] * ROUNDS
    assert attempts == ROUNDS  # the refused start left no quiz attempt behind


def test_negative_control_without_locks_the_race_fails(app, scene):
    learner, ids = scene
    a, b, made, attempts = race(app, learner, ids, locking=False)
    assert made == [1] * ROUNDS  # the unique constraint still holds...
    assert 500 in {status for status, _ in a + b}, "expected a crashed request without locks"
