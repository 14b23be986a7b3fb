"""The pages a learner and an instructor open most send as many SQL statements with 3 of
everything as with 30: a count that grows with the data is an N+1 query.

Every statement the engine sends during the second load of a page is counted
(`before_cursor_execute`); the first load warms per-process caches. The data grows on
every axis a page lists: banks, questions, topics, cards, reviews, quiz attempts and
learners.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from quizapp.domain.passwords import new_session_token
from quizapp.extensions import db
from quizapp.models import (
    Bank,
    BankSource,
    Card,
    Question,
    QuizAttempt,
    Review,
    Role,
    SourceArticle,
    SourceParagraph,
    User,
)
from quizapp.services import accounts, quizzes, study, topics
from quizapp.services.banks import add_revision, apply_spec
from tests.conftest import NOW, PASSWORD, make_test_app, sample_question, scratch_database

SMALL, LARGE = 3, 30
# topic slugs as the two shipped banks use them
TOPICS = sorted([
    "venue", "participants", "agenda", "outcome", "balancing", "economy", "implications",
    "global-picture", "victim-statistics", "routes", "assistance", "un-milestones",
    "international", "motives", "people",
])


@dataclass
class World:
    """Who and what the pages show; `grow(n)` brings every list to n entries."""

    app: Flask
    teacher: str = "teacher"
    learner: str = "learner"
    big_bank: int = 0
    size: int = 0
    class_id: int = 0

    def setup(self) -> None:
        with self.app.app_context():
            teacher = accounts.create_user(self.teacher, PASSWORD, role=Role.INSTRUCTOR, now=NOW)
            learner = accounts.create_user(self.learner, PASSWORD, now=NOW)
            teacher.first_login_at = learner.first_login_at = NOW
            db.session.commit()

    def grow(self, n: int) -> None:
        with self.app.app_context():
            teacher = accounts.find_user(self.teacher)
            learner = accounts.find_user(self.learner)
            assert teacher is not None and learner is not None
            for i in range(self.size, n):
                bank = Bank(slug=f"bank-{i}", title=f"Bank {i}", owner_id=teacher.id,
                            created_at=NOW, published_at=NOW)
                db.session.add(bank)
                db.session.flush()
                if i == 0:
                    self.big_bank = bank.id
                self._question(bank.id, i, 0)
                self._question(self.big_bank, i, 1)
                source = SourceArticle(slug=f"source-{i}", title=f"Source {i}", paragraphs=[
                    SourceParagraph(number=n, section="", text=f"Invented {n}.")
                    for n in (1, 2)])
                db.session.add(source)
                db.session.flush()
                db.session.add(BankSource(bank_id=self.big_bank, source_article_id=source.id,
                                          position=i))
                db.session.add(User(
                    username=f"other{i}", password_hash=learner.password_hash,
                    role=Role.LEARNER, created_at=NOW, settings={},
                    session_token=new_session_token(), first_login_at=NOW))
                db.session.commit()
                study.enrol(learner.id, bank.id, [], NOW)
            study.enrol(learner.id, self.big_bank, [], NOW)
            others = db.session.scalars(select(User.id).where(User.username.like("other%"))
                                        .order_by(User.id)).all()
            for user_id in others[self.size:n]:
                study.enrol(user_id, self.big_bank, [], NOW)
            db.session.commit()
            self._review_new_cards(learner.id)
            for user_id in others[self.size:n]:
                self._review_new_cards(user_id)
            for i in range(self.size, n):
                self._quiz(learner.id, i)
            self._suspend_one_card_per_bank(learner.id, n)
            self._class(teacher, learner, others[self.size:n])
            self.size = n

    def _class(self, teacher: User, learner: User, new_learners: list[int]) -> None:
        """A class on the big bank with a study goal and a quiz; every learner is in it."""
        from datetime import timedelta

        from quizapp.services import classes
        if not self.class_id:
            klass = classes.create_class(teacher, name="Class")
            classes.link_bank(klass.id, teacher, self.big_bank)
            classes.add_by_username(klass.id, teacher, learner.username)
            classes.create_study(klass.id, teacher, title="Goal", bank_id=self.big_bank,
                                 tags=[], goal=0.8, due_at=NOW + timedelta(days=7))
            classes.create_quiz(klass.id, teacher, title="Quiz", bank_id=self.big_bank,
                                tags=[], types=[], count=1, mode="practice",
                                time_limit_min=None, attempts=3, counts="best",
                                opens_at=None, due_at=NOW + timedelta(days=3650),
                                refuse_late=True)
            self.class_id = klass.id
        for user_id in new_learners:
            classes.add_by_username(self.class_id, teacher,
                                    db.session.get(User, user_id).username)
        db.session.commit()

    def _question(self, bank_id: int, i: int, k: int) -> None:
        question = Question(bank_id=bank_id, revision=1, archived=False, position=i)
        topic = TOPICS[(2 * i + k) % len(TOPICS)]
        apply_spec(question, sample_question(key=f"q{i}-{k}", tags=[topic]))
        add_revision(question, author_id=None, message="created", now=NOW)
        topics.ensure_topics(bank_id, [topic])
        db.session.add(question)
        db.session.flush()

    def _review_new_cards(self, user_id: int) -> None:
        cards = db.session.scalars(select(Card.id).where(Card.user_id == user_id,
                                                         Card.reps == 0)).all()
        for n, card_id in enumerate(cards):
            study.answer_card(user_id, card_id, 1 if n % 3 == 0 else 3, NOW,
                              submission_id=f"s-{user_id}-{card_id}-{n}")
        db.session.commit()

    def _suspend_one_card_per_bank(self, user_id: int, n: int) -> None:
        """The study bank list shows suspended cards with their fronts: n // 3 of them."""
        cards = db.session.scalars(select(Card.id).where(Card.user_id == user_id)
                                   .order_by(Card.id)).all()
        for card_id in cards[:n // 3]:
            study.set_suspended(user_id, card_id, True)
        db.session.commit()

    def _quiz(self, user_id: int, i: int) -> None:
        attempt = quizzes.start_attempt(user_id, bank_ids=[self.big_bank], tags=[], types=[],
                                        count=1, mode="practice", now=NOW, seed=i)
        quizzes.submit_answer(user_id, attempt.id, 0, i % 3, NOW)
        quizzes.finish_attempt(user_id, attempt.id, NOW)
        db.session.commit()


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_of(app: Flask, client: FlaskClient, path: str) -> list[str]:
    assert client.get(path).status_code == 200, path  # warm: templates, per-process caches
    with counting(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements


PAGES: dict[str, tuple[str, Callable[[World], str]]] = {
    "bank sources": ("teacher", lambda w: f"/sources/banks/{w.big_bank}"),
    "dashboard": ("learner", lambda w: "/progress/"),
    "study home": ("learner", lambda w: "/study/"),
    "study bank list": ("learner", lambda w: "/study/banks"),
    "quiz start": ("learner", lambda w: "/quiz/"),
    "author bank list": ("teacher", lambda w: "/author/"),
    "author question list": ("teacher", lambda w: f"/author/banks/{w.big_bank}/questions"),
    "author topics": ("teacher", lambda w: f"/author/banks/{w.big_bank}/topics"),
    "class progress list": ("teacher", lambda w: "/progress/class"),
    "class progress": ("teacher", lambda w: f"/progress/class/{w.big_bank}"),
    "home with assignments": ("learner", lambda w: "/"),
    "classes list": ("learner", lambda w: "/classes/"),
    "class page": ("teacher", lambda w: f"/classes/{w.class_id}"),
}


def _app(database: str, tmp_path: Path) -> Flask:
    """An app on a database of this module's own (the pages' data lives across its tests)."""
    uri = scratch_database("counts") if database == "postgresql" \
        else f"sqlite:///{tmp_path / 'counts.sqlite3'}"
    app = make_test_app(database, tmp_path, SQLALCHEMY_DATABASE_URI=uri)
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def page_counts(request, tmp_path_factory) -> Iterator[dict[str, dict[int, list[str]]]]:
    """Per page, the statements of one load at each size: the world grown once per
    database, every page loaded at 3 and again at 30."""
    app = _app(request.param, tmp_path_factory.mktemp("counts"))
    world = World(app)
    world.setup()
    clients = {}
    for who in ("learner", "teacher"):
        clients[who] = app.test_client()
        response = clients[who].post("/auth/login", data={"username": getattr(world, who),
                                                          "password": PASSWORD})
        assert response.status_code == 302, who
    counts: dict[str, dict[int, list[str]]] = {page: {} for page in PAGES}
    for size in (SMALL, LARGE):
        world.grow(size)
        for page, (who, path_of) in PAGES.items():
            counts[page][size] = statements_of(app, clients[who], path_of(world))
    yield counts
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("page", PAGES)
def test_page_statement_count_does_not_grow_with_the_data(page_counts, page):
    small, large = page_counts[page][SMALL], page_counts[page][LARGE]
    assert len(large) == len(small), (
        f"{page} sends {len(small)} statements with {SMALL} of everything and {len(large)} "
        f"with {LARGE}; the statements with {LARGE}:\n" + "\n".join(large))


def test_counting_sees_a_query_per_row(app):
    """The negative control: a loop of one query per card is counted as growing."""
    world = World(app)
    world.setup()
    counts = []
    for size in (SMALL, LARGE):
        world.grow(size)
        with counting(app) as statements, app.app_context():
            for card_id in db.session.scalars(select(Card.id)).all():
                db.session.get(Card, card_id)
        counts.append(len(statements))
    assert counts[1] > counts[0]
    with app.app_context():
        learner = accounts.find_user(world.learner)
        assert learner is not None
        large = _sizes(learner.id)
    # the world grew on every axis the pages list, tenfold (learners: 2 + 30)
    assert large == {"banks": 30, "questions": 60, "cards": 60, "reviews": large["reviews"],
                     "attempts": 30, "learners": 32, "suspended": 10}
    assert large["reviews"] >= 60


def _sizes(learner_id: int) -> dict[str, int]:
    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {"banks": count(Bank), "questions": count(Question),
            "cards": count(Card, Card.user_id == learner_id),
            "suspended": count(Card, Card.user_id == learner_id, Card.suspended.is_(True)),
            "reviews": count(Review, Review.user_id == learner_id),
            "attempts": count(QuizAttempt, QuizAttempt.user_id == learner_id),
            "learners": count(User)}
