"""Two tabs or devices grading the same card at once: no review lost or applied twice."""

import multiprocessing

import pytest
from sqlalchemy import func, select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Card, Review
from quizapp.services import study
from tests.reliability.workers_study import grade_card
from tests.services.test_study import MORNING

pytestmark = pytest.mark.slow
PROCESSES = 4
EACH = 10


@pytest.fixture
def card(app, make_user, make_bank, make_question):
    learner = make_user()
    bank = make_bank()
    make_question(bank, "numeric", key="shared")
    with app.app_context():
        with unit_of_work.unit():
            study.enrol(learner.id, bank.id, [], MORNING)
        return learner.id, db.session.scalar(select(Card.id))


def run(app, user_id, card_id, ids_per_process):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        return pool.starmap(grade_card, [(uri, user_id, card_id, ids) for ids in ids_per_process])


def test_distinct_submissions_are_all_applied(app, card):
    user_id, card_id = card
    applied = run(app, user_id, card_id,
                  [[f"p{p}-review-{n}" for n in range(EACH)] for p in range(PROCESSES)])
    assert sum(applied) == PROCESSES * EACH
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == PROCESSES * EACH
        assert db.session.get(Card, card_id).reps == PROCESSES * EACH


def test_the_same_submission_from_every_process_is_applied_once(app, card):
    user_id, card_id = card
    ids = [f"shared-review-{n}" for n in range(EACH)]
    applied = run(app, user_id, card_id, [ids] * PROCESSES)
    assert sum(applied) == EACH
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == EACH
        assert db.session.get(Card, card_id).reps == EACH
