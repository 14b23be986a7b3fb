"""Against gunicorn with 4 workers on loopback, on SQLite and PostgreSQL: no lost reviews,
no double-applied submissions, a killed worker loses nothing acknowledged, and login
throttling is shared by the workers. Loops are bounded in count and time."""

import os
import signal
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Card, Review, User
from quizapp.services import study
from tests.conftest import NOW, PASSWORD
from tests.reliability.server import Client, gunicorn
from tests.security.test_login_throttle import redis_or_skip, redis_prefix

pytestmark = pytest.mark.slow
CLIENTS, REVIEWS, CARDS = 16, 50, 5


@pytest.fixture
def learner_cards(app, make_user, make_bank, make_question):
    learner = make_user("loaded")
    bank = make_bank()
    for n in range(CARDS):
        make_question(bank, "numeric", key=f"shared-{n}")
    with app.app_context():
        study.enrol(learner.id, bank.id, [], NOW)
        db.session.commit()  # services flush; the caller commits
        cards = list(db.session.scalars(select(Card.id).where(Card.user_id == learner.id)))
    return learner, cards


def run_clients(server, cards, submissions_for, clients=CLIENTS):
    """Each client logs in and posts its submissions; returns acknowledged ids and statuses."""
    acked: list[str] = []
    statuses: Counter = Counter()
    lock = threading.Lock()

    def work(n: int) -> None:
        client = Client(server)
        login_status = None
        for _ in range(3):  # a worker killed mid-login drops the connection: log in again
            try:
                login_status = client.login("loaded", PASSWORD)
                break
            except OSError:
                client.close()
                client.conn = None
        if login_status != 302:
            with lock:
                statuses[f"login {login_status}"] += 1
            return
        for submission_id, card_id, rating in submissions_for(n):
            try:
                status, _ = client.post_json("/study/review", {
                    "card_id": card_id, "rating": rating, "submission_id": submission_id})
            except OSError:
                status = "dropped"
                client.close()
                client.conn = None
            with lock:
                statuses[status] += 1
                if status == 200:
                    acked.append(submission_id)
        client.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return acked, statuses


def stored(app) -> tuple[set[str], dict[int, int], dict[int, int]]:
    """Submission ids stored; review rows per card; reps per card."""
    with app.app_context():
        ids = set(db.session.scalars(select(Review.submission_id)))
        rows = dict(db.session.execute(
            select(Review.card_id, func.count()).group_by(Review.card_id)).all())
        reps = dict(db.session.execute(select(Card.id, Card.reps)).all())
        db.session.remove()
    return ids, rows, reps


def distinct_load(cards):
    def submissions_for(n):
        return [(f"client{n:02d}-review{i:03d}", cards[(n + i) % len(cards)], 3)
                for i in range(REVIEWS)]
    return submissions_for


def test_no_review_is_lost_under_load(app, learner_cards):
    _, cards = learner_cards
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"]) as server:
        acked, statuses = run_clients(server, cards, distinct_load(cards))
    ids, rows, reps = stored(app)
    assert not [s for s in statuses if isinstance(s, int) and s >= 500], statuses
    assert len(acked) == CLIENTS * REVIEWS, statuses
    assert ids == set(acked)
    assert rows == reps  # every review applied to its card exactly once


def test_concurrent_copies_of_a_submission_apply_once(app, learner_cards):
    _, cards = learner_cards

    def submissions_for(n):  # 8 clients send each of 100 ids
        return [(f"duplicate-{i:04d}", cards[i % len(cards)], 3) for i in range(100)]

    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"]) as server:
        acked, statuses = run_clients(server, cards, submissions_for, clients=8)
    ids, rows, reps = stored(app)
    assert statuses[200] == 800
    assert len(ids) == 100 and sum(rows.values()) == 100
    assert rows == reps


def test_a_killed_worker_loses_nothing_acknowledged(app, learner_cards):
    _, cards = learner_cards
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"]) as server:
        killer = threading.Timer(1.0, lambda: os.kill(server.worker_pids()[0], signal.SIGKILL))
        killer.start()
        acked, statuses = run_clients(server, cards, distinct_load(cards))
        killer.join()
    ids, rows, reps = stored(app)
    assert set(acked) <= ids  # nothing acknowledged is missing
    assert rows == reps  # no card moved without its review row, nor the reverse
    assert len(acked) > 0


def test_negative_control_without_locking_loses_updates(app, learner_cards):
    """With row locks switched off the same load loses card updates, and the check sees it."""
    _, cards = learner_cards
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"],
                  env={"QUIZAPP_UNSAFE_NO_LOCKING": "1"}) as server:
        acked, statuses = run_clients(server, cards, distinct_load(cards))
    ids, rows, reps = stored(app)
    assert sum(reps.values()) < sum(rows.values()), "expected lost updates without locking"


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_login_throttle_is_shared_by_four_workers(app, make_user, backend):
    make_user("victim")
    env = {}
    if backend == "redis":
        env = {"REDIS_URL": redis_or_skip(), "QUIZAPP_REDIS_PREFIX": redis_prefix()}
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], env=env) as server:
        statuses, retry = [], None
        for _ in range(8):
            client = Client(server)  # a new connection each time: any worker may answer
            client.request("GET", "/auth/login")
            status, headers, _ = client.request(
                "POST", "/auth/login",
                f"username=victim&password=wrong+one+x&csrf_token={client.token}".encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
            statuses.append(status)
            retry = headers.get("Retry-After", retry)
            client.close()
    assert statuses[:5] == [400] * 5
    assert statuses[5:] == [429] * 3
    assert retry is not None and 0 < int(retry) <= 60
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "victim"))
