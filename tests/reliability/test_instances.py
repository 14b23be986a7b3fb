"""Two gunicorn instances on one PostgreSQL database and one Redis that the test owns, as an
operator runs them behind a balancer. Faults are made on those alone: the test's Redis
process is stopped, hung and started again; the database's connections are terminated with
pg_terminate_backend or refused; a worker and a whole instance are killed. In every case
each request is served or answered with a quick 503 and Retry-After (never a 500 or a
hang), the app recovers by itself, and no acknowledged review is lost or applied twice.
Loops are bounded in count and time; everything is on loopback."""

import os
import signal
import threading
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, Card, Question, Review
from quizapp.services import accounts, study
from quizapp.services.banks import add_revision, apply_spec
from tests.conftest import (
    CLOSE,
    NOW,
    PASSWORD,
    REOPEN,
    TERMINATE,
    admin_sql,
    make_test_app,
    sample_question,
    scratch_database,
)
from tests.redis_server import own_redis
from tests.reliability.server import Client, gunicorn

pytestmark = pytest.mark.slow
CLIENTS, REVIEWS, CARDS = 8, 25, 5


def _shared_bank(questions: int) -> int:
    bank = Bank(slug="shared", title="Shared", created_at=NOW, published_at=NOW)
    db.session.add(bank)
    db.session.flush()
    for n in range(questions):
        question = Question(bank_id=bank.id, revision=1, archived=False, position=n)
        apply_spec(question, sample_question("numeric", key=f"shared-{n}"))
        add_revision(question, author_id=None, message="created", now=NOW)
        db.session.add(question)
    db.session.commit()
    return bank.id


@pytest.fixture
def cluster(tmp_path):
    """(database url, learner's card ids, app for checks, the test's Redis)."""
    url = scratch_database("instances")
    app = make_test_app("postgresql", tmp_path, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        learner = accounts.create_user("loaded", PASSWORD, now=NOW)
        accounts.create_user("victim", PASSWORD, now=NOW)
        db.session.commit()
        bank_id = _shared_bank(CARDS)
        study.enrol(learner.id, bank_id, [], NOW)
        db.session.commit()  # services flush; the caller commits
        cards = list(db.session.scalars(select(Card.id).where(Card.user_id == learner.id)))
        db.session.remove()
    with own_redis(tmp_path) as redis_server:
        yield url, cards, app, redis_server
    admin_sql(url, REOPEN)
    with app.app_context():
        db.engine.dispose()


@contextmanager
def two_instances(url: str, redis_url: str | None, workers: int = 2):
    env = {"SECRET_KEY": "shared-by-both", "QUIZAPP_DB_CONNECT_TIMEOUT": "2",
           "QUIZAPP_RETRY_AFTER": "1"}
    if redis_url:
        env |= {"REDIS_URL": redis_url, "QUIZAPP_REDIS_RETRY_SECONDS": "1"}
    with ExitStack() as stack:
        yield [stack.enter_context(gunicorn(url, workers=workers, env=env)) for _ in range(2)]


class Browser(Client):
    """A learner's device behind the balancer: each request may reach either instance."""

    def __init__(self, servers, start: int = 0):
        super().__init__(servers[start % len(servers)])
        self.servers, self.turn = servers, start

    def next_instance(self) -> None:
        self.turn += 1
        self.server = self.servers[self.turn % len(self.servers)]
        self.close()
        self.conn = None

    def login_anywhere(self, username: str, attempts: int = 20) -> None:
        for _ in range(attempts):
            try:
                # Logged in, and holding the new session's CSRF token (read from a page
                # that was served, not from a 503 page): as a browser after the redirect.
                if self.login(username, PASSWORD) == 302 and \
                        self.request("GET", "/")[0] == 200:
                    return
            except OSError:
                pass
            self.next_instance()
            time.sleep(0.2)
        raise AssertionError(f"{username} could not log in through either instance")


def review_load(servers, cards, *, clients=CLIENTS, reviews=REVIEWS, during=None):
    """Each device logs in and sends its reviews, alternating instances, retrying a 503 or a
    dropped connection with the same submission id (as review.js does). `during` runs while
    the load runs. Returns acknowledged ids and a count of every answer seen."""
    acked: list[str] = []
    seen: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + 240

    def device(n: int) -> None:
        browser = Browser(servers, n)
        browser.login_anywhere("loaded")
        for i in range(reviews):
            submission = {"card_id": cards[(n + i) % len(cards)], "rating": 3,
                          "submission_id": f"device{n:02d}-review{i:03d}"}
            for _ in range(60):
                if time.monotonic() > deadline:
                    break
                try:
                    status, body = browser.post_json("/study/review", submission)
                except OSError:
                    status, body = "dropped", {}
                with lock:
                    seen[status] += 1
                if status == 200:
                    with lock:
                        acked.append(submission["submission_id"])
                    break
                if status == 503:
                    assert body.get("retry_safe") is True
                browser.next_instance()
                time.sleep(0.1)
            browser.next_instance()
        browser.close()

    threads = [threading.Thread(target=device, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    if during:
        during()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a device hung"
    return acked, seen


def assert_nothing_lost_or_doubled(app, acked, seen):
    assert not [s for s in seen if isinstance(s, int) and s >= 500 and s != 503], seen
    with app.app_context():
        ids = list(db.session.scalars(select(Review.submission_id)))
        rows = dict(db.session.execute(
            select(Review.card_id, func.count()).group_by(Review.card_id)).all())
        reps = dict(db.session.execute(select(Card.id, Card.reps)).all())
        db.session.remove()
    assert len(ids) == len(set(ids))  # no submission applied twice
    assert set(acked) <= set(ids)  # nothing acknowledged is missing
    assert {card: n for card, n in reps.items() if n} == rows  # each card moved once a review
    assert len(set(acked)) == CLIENTS * REVIEWS, seen  # every device got through in the end


def test_sessions_and_csrf_tokens_work_on_either_instance(cluster):
    url, cards, app, _ = cluster
    with two_instances(url, None) as (first, second):
        browser = Browser([first, second])
        assert browser.login("loaded", PASSWORD) == 302  # logged in on the first
        for i in range(6):  # every request on the other instance from the one before
            browser.next_instance()
            status, body = browser.post_json("/study/review", {
                "card_id": cards[i % CARDS], "rating": 3, "submission_id": f"across-{i:04d}"})
            assert status == 200 and body["applied"] is True
        browser.close()


@pytest.mark.parametrize("throttle", ["database", "redis"])
def test_parallel_guesses_let_exactly_the_limit_through(cluster, throttle):
    """40 wrong passwords at once through 2 instances x 4 workers: exactly 5 are checked
    (answered 400), the other 35 are refused before any check (429)."""
    url, _, _, redis_server = cluster
    with two_instances(url, redis_server.url if throttle == "redis" else None,
                       workers=4) as servers:
        browsers = [Browser(servers, n) for n in range(40)]
        for browser in browsers:
            browser.request("GET", "/auth/login")
        start = threading.Barrier(len(browsers))
        statuses: list[int] = []

        def guess(browser: Browser) -> None:
            body = urlencode({"username": "victim", "password": "not the password",
                              "csrf_token": browser.token}).encode()
            start.wait(timeout=60)
            status, _, _ = browser.request(
                "POST", "/auth/login", body,
                {"Content-Type": "application/x-www-form-urlencoded"})
            statuses.append(status)

        threads = [threading.Thread(target=guess, args=(b,)) for b in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert Counter(statuses) == {400: 5, 429: 35}


def test_redis_stopped_hung_and_back(cluster):
    """Logins and reviews go on while the test's Redis is down or hung (the throttle counts
    in the database meanwhile); readiness says so, then recovers without a restart."""
    url, cards, app, redis_server = cluster
    with two_instances(url, redis_server.url) as servers:
        def faults():
            time.sleep(0.5)
            redis_server.hang()
            _logins_work(servers)
            _ready(servers, 503)
            redis_server.resume()
            _ready(servers, 200)
            redis_server.stop()
            _logins_work(servers)
            _ready(servers, 503)
            redis_server.start()
            _ready(servers, 200)

        acked, seen = review_load(servers, cards, during=faults)
    assert_nothing_lost_or_doubled(app, acked, seen)


def test_database_connections_terminated_and_refused(cluster):
    """Every connection of both instances killed three times under load, then the database
    closed to new connections for a moment: quick 503s, no 500, recovery by itself."""
    url, cards, app, _ = cluster
    with two_instances(url, None) as servers:
        watcher = Browser(servers)
        watcher.login_anywhere("loaded")

        def faults():
            for _ in range(3):
                time.sleep(0.7)
                admin_sql(url, TERMINATE)
            admin_sql(url, CLOSE, TERMINATE)
            _ready(servers, 503)
            for _ in servers:
                status, headers, page = watcher.request("GET", "/study/")
                assert status == 503 and int(headers["Retry-After"]) > 0
                assert b"Temporarily unavailable" in page
                watcher.next_instance()
            time.sleep(1)
            admin_sql(url, REOPEN)
            _ready(servers, 200)
            assert watcher.request("GET", "/study/")[0] == 200

        acked, seen = review_load(servers, cards, during=faults)
    assert_nothing_lost_or_doubled(app, acked, seen)


def test_a_killed_worker_and_a_killed_instance(cluster):
    url, cards, app, _ = cluster
    with two_instances(url, None) as servers:
        def faults():
            time.sleep(0.7)
            os.kill(servers[0].worker_pids()[0], signal.SIGKILL)
            time.sleep(0.7)
            workers = servers[1].worker_pids()
            servers[1].process.send_signal(signal.SIGKILL)  # the whole second instance
            for pid in workers:
                os.kill(pid, signal.SIGKILL)

        acked, seen = review_load(servers, cards, during=faults)
    assert_nothing_lost_or_doubled(app, acked, seen)


def _ready(servers, expected: int, within: float = 20) -> None:
    """Wait (bounded) until every instance's /readyz answers `expected`."""
    deadline = time.monotonic() + within
    while True:
        answers = []
        for server in servers:
            try:
                answers.append(Client(server).request("GET", "/readyz")[0])
            except OSError:
                answers.append("down")
        if all(answer == expected for answer in answers):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"/readyz answered {answers}, expected {expected}")
        time.sleep(0.2)


def _logins_work(servers) -> None:
    for n in range(4):
        browser = Browser(servers, n)
        assert browser.login("loaded", PASSWORD) == 302
        browser.close()
