"""Undo from several processes at once: a repeated undo takes back one review, and undos
racing grades leave every card exactly as its remaining review log says."""

import multiprocessing

import pytest
from sqlalchemy import func, select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Card, Review
from quizapp.services import study
from tests.reliability.processes import collect
from tests.reliability.workers_study import grade_card, meet_at_store, undo
from tests.services.test_study import MORNING

pytestmark = pytest.mark.slow
PROCESSES = 4
UNDOS = 5
ROUNDS = 40


@pytest.fixture
def cards(app, make_user, make_bank, make_question):
    """A learner with two cards."""
    learner = make_user()
    bank = make_bank()
    make_question(bank, "numeric", key="one")
    make_question(bank, "numeric", key="two")
    with app.app_context():
        with unit_of_work.unit():
            study.enrol(learner.id, bank.id, [], MORNING)
        return learner.id, db.session.scalars(select(Card.id).order_by(Card.id)).all()


def reviewed(app, user_id, card_id, times):
    grade_card(app.config["SQLALCHEMY_DATABASE_URI"], user_id, card_id,
               [f"before-{card_id}-{n}" for n in range(times)])


def count_reviews(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Review))


def undo_from_every_process(app, user_id, ids_per_process) -> int:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        return sum(pool.starmap(undo, [(uri, user_id, ids) for ids in ids_per_process]))


def test_the_same_undo_from_every_process_undoes_once(app, cards):
    user_id, (card_id, _) = cards
    reviewed(app, user_id, card_id, PROCESSES * UNDOS)
    ids = [f"undo-shared-{n}" for n in range(UNDOS)]
    applied = undo_from_every_process(app, user_id, [ids] * PROCESSES)
    assert applied == UNDOS
    assert count_reviews(app) == PROCESSES * UNDOS - UNDOS
    with app.app_context():
        assert db.session.get(Card, card_id).reps == PROCESSES * UNDOS - UNDOS


def test_negative_control_undos_without_a_shared_submission_id_each_apply(app, cards):
    """Each tab sending its own id (the protection removed): every repeat undoes again, so
    the test above would notice a repeat that is not recognised."""
    user_id, (card_id, _) = cards
    reviewed(app, user_id, card_id, PROCESSES * UNDOS)
    applied = undo_from_every_process(
        app, user_id, [[f"undo-p{p}-{n}" for n in range(UNDOS)] for p in range(PROCESSES)])
    assert applied > UNDOS
    assert count_reviews(app) < PROCESSES * UNDOS - UNDOS


def race_grades_and_undos(app, user_id, card_ids, *, locked: bool, rounds: int = ROUNDS):
    """Two processes grade the two cards while two undo. Returns the errors the processes
    met (a card left half one state, half another, fails its next grade) and (reps,
    reviews) per card: each review adds one rep and each undo takes its own back."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    errors = []
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        graders = [pool.apply_async(grade_card, (uri, user_id, card_id,
                                                 [f"race-{card_id}-{n}" for n in range(rounds)],
                                                 locked))
                   for card_id in card_ids]
        undoers = [pool.apply_async(undo, (uri, user_id, [None] * rounds, locked))
                   for _ in range(2)]
        for result in graders + undoers:
            try:
                result.get(timeout=600)
            except Exception as e:  # noqa: BLE001 - reported by the caller's assertion
                errors.append(repr(e))
    with app.app_context():
        return errors, [(db.session.get(Card, card_id).reps,
                         db.session.scalar(select(func.count()).select_from(Review)
                                           .where(Review.card_id == card_id)))
                        for card_id in card_ids]


def test_undos_racing_grades_leave_each_card_as_its_log_says(app, cards):
    user_id, card_ids = cards
    errors, outcome = race_grades_and_undos(app, user_id, card_ids, locked=True)
    assert errors == []
    assert all(reps == reviews for reps, reviews in outcome), outcome
    assert sum(reviews for _, reviews in outcome) > 0


def grade_meets_undo(app, user_id, card_id, *, locked: bool):
    """One grade of the card and one undo of its newest review, in two processes that
    meet after their reads (workers_study.meet_at_store). Returns each one's outcome and
    the card's (reps, reviews)."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    children = [ctx.Process(target=meet_at_store,
                            args=(uri, locked, barrier, results, role, user_id, card_id))
                for role in ("grade", "undo")]
    outcomes = dict(collect(children, results, timeout=120))
    assert not any(o.startswith("child failed") for o in outcomes.values()), outcomes
    with app.app_context():
        return outcomes, (db.session.get(Card, card_id).reps,
                          db.session.scalar(select(func.count()).select_from(Review)
                                            .where(Review.card_id == card_id)))


def test_a_grade_and_an_undo_that_meet_after_reading_go_one_by_one(app, cards):
    """With the locks, the second waits for the first before it reads: the card matches its
    log, whichever went first (an undo that came second finds the new review; a grade that
    came second grades the undone card)."""
    user_id, (card_id, _) = cards
    reviewed(app, user_id, card_id, 3)
    outcomes, (reps, reviews) = grade_meets_undo(app, user_id, card_id, locked=True)
    assert outcomes == {"grade": "applied", "undo": "applied"}
    assert reps == reviews == 3


def test_negative_control_without_locking_undo_and_grade_overwrite_each_other(app, cards):
    """The same meeting with the locks removed: both read the card before either writes,
    so one's state overwrites the other's and the card no longer matches its log."""
    user_id, (card_id, _) = cards
    reviewed(app, user_id, card_id, 3)
    outcomes, (reps, reviews) = grade_meets_undo(app, user_id, card_id, locked=False)
    assert reps != reviews, (outcomes, reps, reviews)
