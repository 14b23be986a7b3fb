"""Two devices of one learner racing on one quiz attempt: an answer sent twice, an answer
against Finish, an answer against the time limit's expiry. Each race runs ROUNDS times
(one fresh attempt a round) in two processes that start every round together; each test has
a negative control, the same race without the locks, that shows the test would see the bug.
"""

import multiprocessing
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import unit_of_work
from quizapp.domain import quiz as rules
from quizapp.extensions import db
from quizapp.models import AttemptAnswer, QuizAttempt, Review
from quizapp.services import quizzes, study
from tests.conftest import NOW
from tests.reliability.processes import collect
from tests.reliability.workers_quiz import device

pytestmark = pytest.mark.slow
ROUNDS = 25
# Finish or the expiry starts this much after the answer in successive rounds: without it the
# shorter request nearly always wins, and the other order of the race would go untested.
STAGGER = (0, 0.01, 0.02, 0.04, 0.08)


def staggered(steps: list[tuple]) -> list[tuple]:
    return [("after", STAGGER[n % len(STAGGER)], step) for n, step in enumerate(steps)]


@pytest.fixture
def learner(app, make_user, make_bank, make_question):
    """A learner studying a bank of numeric questions (all answered right by "5063")."""
    user = make_user("racer")
    bank = make_bank()
    for n in range(3):
        make_question(bank, "numeric", key=f"n{n}")
    with app.app_context(), unit_of_work.unit():
        study.enrol(user.id, bank.id, [], NOW)
    return user, bank


def new_attempts(app, user, bank, *, size: int, answered: int = 0, **kw) -> list[int]:
    """ROUNDS attempts of `size` questions, the first `answered` of them answered right."""
    ids = []
    with app.app_context():
        for _ in range(ROUNDS):
            with unit_of_work.unit():
                attempt = quizzes.start_attempt(
                    user.id, bank_ids=[bank.id], tags=[], types=[], count=size,
                    mode=kw.get("mode", "test"), now=kw.get("now", NOW),
                    time_limit_s=kw.get("time_limit_s"))
            for position in range(answered):
                with unit_of_work.unit():
                    quizzes.submit_answer(user.id, attempt.id, position, "5063",
                                          kw.get("now", NOW))
            ids.append(attempt.id)
    return ids


def race(app, user, steps_a: list[tuple], steps_b: list[tuple], *, locking: bool):
    """Run the two devices' steps round by round; their outcomes, one per round each."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    children = [ctx.Process(target=device, args=(uri, locking, user.username, steps, barrier,
                                                 results, name))
                for name, steps in (("a", steps_a), ("b", steps_b))]
    outcomes = dict(collect(children, results, timeout=600))
    for name in "ab":
        assert len(outcomes[name]) == len(steps_a), outcomes[name][-1]
    return outcomes["a"], outcomes["b"]


def answers_of(attempt_id: int) -> list[AttemptAnswer]:
    return list(db.session.scalars(select(AttemptAnswer)
                                   .where(AttemptAnswer.attempt_id == attempt_id)))


# --- the same answer from two devices: recorded once, acknowledged twice ------------------

def send_twice(app, learner, *, locking: bool):
    user, bank = learner
    ids = new_attempts(app, user, bank, size=2, mode="practice")
    steps = [("post", f"/quiz/{i}/q/0", {"answer": "5063"}) for i in ids]
    a, b = race(app, user, steps, steps, locking=locking)
    with app.app_context():
        stored = [len(answers_of(i)) for i in ids]
        reviews = db.session.scalar(select(func.count()).select_from(Review))
    return ids, a, b, stored, reviews


def test_an_answer_sent_twice_at_once_is_recorded_once_and_acknowledged_twice(app, learner):
    ids, a, b, stored, reviews = send_twice(app, learner, locking=True)
    assert {status for status, _ in a + b} == {302}
    # both acknowledged: back to the question, which shows the feedback (practice mode)
    assert {location for _, location in a + b} == {f"/quiz/{i}/q/0" for i in ids}
    assert stored == [1] * ROUNDS
    assert reviews == ROUNDS  # the learner's card was fed once per attempt, not twice


def test_negative_control_an_answer_sent_twice_without_locks_fails(app, learner):
    _, a, b, stored, _ = send_twice(app, learner, locking=False)
    assert stored == [1] * ROUNDS  # the unique constraint still holds...
    assert 500 in {status for status, _ in a + b}, "expected a crashed request without locks"


# --- an answer against Finish, or against the time limit's expiry -------------------------

def answer_against_finish(app, learner, *, locking: bool):
    """Three questions, the first answered; one device answers the second while the other
    presses Finish."""
    user, bank = learner
    ids = new_attempts(app, user, bank, size=3, answered=1)
    answer = [("post", f"/quiz/{i}/q/1", {"answer": "5063"}) for i in ids]
    finish = staggered([("post", f"/quiz/{i}/finish", {}) for i in ids])
    answered, finished = race(app, user, answer, finish, locking=locking)
    assert finished == [(302, f"/quiz/{i}/results") for i in ids]
    # Recorded: on to the next question (test mode). Refused, the quiz being finished: the
    # results, or a 409 when Finish won the race only while the answer was being sent.
    recorded = (302, "/quiz/{}")
    refused = {(302, "/quiz/{}/results"), (409, None)}
    outcomes = [(status, location and location.replace(str(i), "{}", 1))
                for i, (status, location) in zip(ids, answered, strict=True)]
    assert set(outcomes) <= {recorded, *refused}, answered
    return ids, [outcome == recorded for outcome in outcomes]


def answer_against_expiry(app, learner, *, locking: bool):
    """A one-minute test with its first question answered: one device's answer to the
    second arrives inside the deadline's grace, the other's expiry check just after it."""
    user, bank = learner
    ids = new_attempts(app, user, bank, size=3, answered=1, time_limit_s=60)
    limit = NOW + timedelta(seconds=60)
    inside = (limit + timedelta(seconds=rules.DEADLINE_GRACE_S - 1)).isoformat()
    after = (limit + timedelta(seconds=rules.DEADLINE_GRACE_S + 1)).isoformat()
    answer = [("answer", user.id, i, 1, "5063", inside) for i in ids]
    expire = staggered([("expire", user.id, i, after) for i in ids])
    answered, expired = race(app, user, answer, expire, locking=locking)
    assert set(expired) == {"expired"}
    assert set(answered) <= {"recorded", "conflict"}, answered
    return ids, [outcome == "recorded" for outcome in answered]


def broken_rounds(app, ids: list[int], recorded: list[bool]) -> list[str]:
    """Rounds whose stored attempt breaks the rule: once finished, no answer is added and
    the score is the score of the answers recorded before; an acknowledged answer is kept."""
    broken = []
    with app.app_context():
        for attempt_id, acknowledged in zip(ids, recorded, strict=True):
            attempt = db.session.get(QuizAttempt, attempt_id)
            scores = [a.score for a in answers_of(attempt_id)]
            expected = rules.attempt_score(scores, quizzes.total(attempt))
            if attempt.finished_at is None:
                broken.append(f"{attempt_id}: not finished")
            elif attempt.score != pytest.approx(expected):
                broken.append(f"{attempt_id}: score {attempt.score} for answers {scores}")
            elif acknowledged != (len(scores) == 2):
                broken.append(f"{attempt_id}: acknowledged {acknowledged}, stored {scores}")
    return broken


RACES = {"finish": answer_against_finish, "expiry": answer_against_expiry}


@pytest.mark.parametrize("against", RACES)
def test_no_answer_is_recorded_after_the_attempt_ends(app, learner, against):
    ids, recorded = RACES[against](app, learner, locking=True)
    assert broken_rounds(app, ids, recorded) == []


@pytest.mark.parametrize("against", RACES)
def test_negative_control_without_locks_an_answer_lands_in_an_ended_attempt(app, learner,
                                                                           against):
    ids, recorded = RACES[against](app, learner, locking=False)
    assert broken_rounds(app, ids, recorded), "expected a lost or late answer without locks"
