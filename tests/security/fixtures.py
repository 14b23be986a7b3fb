"""Shared by the access-matrix and CSRF tests: a small world of users and their objects,
a valid request for every POST route, and a snapshot of every table in the database."""

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from io import BytesIO
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import JSON, null, select, text
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from quizapp.domain import passwords
from quizapp.extensions import db
from quizapp.models import (
    Bank,
    BankSource,
    Card,
    Job,
    Question,
    Role,
    SourceArticle,
    SourceParagraph,
    Topic,
    User,
)
from quizapp.models.types import utcnow
from quizapp.services import accounts, authoring, classes, password_reset, quizzes, study
from quizapp.services import transfer as transfer_service
from tests.conftest import PASSWORD, make_test_app, sample_question

# The roles every route is checked as. The other learner and the other instructor (owner
# of bank B) are there to own objects that these roles must not reach.
ROLES = ("anonymous", "learner", "instructor", "editor", "admin")
LOGIN = "login"  # expected status: 302 to the login page
REFUSALS = (LOGIN, 403, 404)
NEW_PASSWORD = "another horse battery"
NUMERIC_ANSWER = "5063"  # the right answer of the numeric sample question


@dataclass(frozen=True)
class Person:
    id: int
    username: str


@dataclass
class World:
    users: dict[str, Person]  # by role, plus "other_learner" and "other_instructor"
    bank_a: int  # owned by "instructor"; "editor" is named its editor
    bank_b: int  # owned by "other_instructor"
    question_a: int  # numeric, in bank A, two revisions
    question_b: int  # numeric, in bank B
    topic_a: int  # bank A's unused topic "spare" (its questions use "venue")
    topic_b: int  # bank B's unused topic "spare"
    attempts: dict[str, int]  # each user's open practice attempt on question_a
    cards: dict[str, int]  # each user's card of question_a, reviewed once
    finished_attempt: int  # the learner's, answered and finished
    expired_attempt: int  # the learner's timed test whose time ran out, never finished
    reset_token: str  # an unused password-reset link of the learner's
    jobs: dict[str, int]  # each user's failed "optimise my schedule" job (it can be retried)
    exports: dict[str, int]  # each user's finished export job, its file ready to download
    class_a: int = 0  # owner "instructor", co-teacher "editor", learners "learner", "other_learner"
    class_b: int = 0  # owner "other_instructor"; nobody else
    class_code: str = ""  # class A's join code
    quiz_assignment: int = 0  # class A's open quiz on bank A (attempts to spare)

    def who(self, role: str) -> str:
        """Whose objects a role acts on: anonymous tries the learner's."""
        return "learner" if role == "anonymous" else role

    def own(self, role: str) -> dict[str, Any]:
        """The value of every route argument (and of card_id) for `role`'s own objects."""
        who = self.who(role)
        return {"bank_id": self.bank_a, "question_id": self.question_a, "topic_id": self.topic_a,
                "attempt_id": self.attempts[who], "position": 0, "card_id": self.cards[who],
                # An admin manages someone else's account: the last admin may not disable or
                # delete their own.
                "user_id": self.users["other_learner" if who == "admin" else who].id,
                "slug": "minsk-talks", "kind": "reviews", "fmt": "csv",
                "filename": "css/app.css", "token_owner": who, "token": self.reset_token,
                "job_id": self.jobs[who], "export_id": self.exports[who],
                "class_id": self.class_a, "member_id": self.users["other_learner"].id,
                "code": self.class_code, "assignment_id": self.quiz_assignment}


USERS = {"learner": ("lena", Role.LEARNER), "other_learner": ("oscar", Role.LEARNER),
         "instructor": ("ingrid", Role.INSTRUCTOR), "other_instructor": ("otto", Role.INSTRUCTOR),
         "editor": ("edith", Role.INSTRUCTOR), "admin": ("ada", Role.ADMIN)}


def build_world(app: Flask) -> World:
    """Six users and their banks, questions, enrolments, cards, reviews and attempts."""
    now = utcnow()
    earlier = now - timedelta(days=2)
    with app.app_context():
        users = {name: accounts.create_user(username, PASSWORD, role=role, now=earlier)
                 for name, (username, role) in USERS.items()}
        for user in users.values():  # they have logged in before: no getting-started page
            user.first_login_at = earlier
        users["learner"].email = "lena@example.org"
        reset_token = password_reset.issue(users["learner"].id, now).token
        minsk = SourceArticle(slug="minsk-talks", title="The Minsk talks", paragraphs=[
            SourceParagraph(number=n, section="Talks", text=f"Paragraph {n}.")
            for n in (1, 2, 3)])
        db.session.add(minsk)
        bank_a = Bank(slug="bank-a", title="Bank A", article="minsk-talks", created_at=earlier,
                      published_at=earlier, owner_id=users["instructor"].id,
                      editors=[users["editor"]])
        bank_b = Bank(slug="bank-b", title="Bank B", created_at=earlier, published_at=earlier,
                      owner_id=users["other_instructor"].id)
        db.session.add_all([bank_a, bank_b])
        db.session.flush()
        db.session.add(BankSource(bank_id=bank_a.id, source_article_id=minsk.id, position=0))
        db.session.commit()

        def add(bank: Bank, qtype: str, key: str, **fields: Any) -> Question:
            return authoring.save_question(bank.id, sample_question(qtype, key=key, **fields),
                                           author_id=bank.owner_id, now=earlier).question

        question_a = add(bank_a, "numeric", "a-numeric")
        add(bank_a, "single_choice", "a-choice")
        add(bank_a, "cloze", "a-cloze")
        question_b = add(bank_b, "numeric", "b-numeric")
        authoring.save_question(bank_a.id, sample_question("numeric", key="a-numeric",
                                                           prompt="How many, edited?"),
                                author_id=users["editor"].id, now=earlier, message="edit",
                                question_id=question_a.id, expected_revision=1)
        spare = {bank.id: Topic(bank_id=bank.id, slug="spare", label="Spare", position=9)
                 for bank in (bank_a, bank_b)}
        db.session.add_all(spare.values())
        db.session.commit()  # services flush; the fixture is its own unit of work
        attempts, cards = {}, {}
        for name, user in users.items():
            study.enrol(user.id, bank_a.id, [], earlier)
            cards[name] = _card_of(user.id, question_a.id)
            study.answer_card(user.id, cards[name], 3, now - timedelta(days=1),
                              submission_id=f"seed-{name}")
            attempts[name] = quizzes.start_attempt(
                user.id, bank_ids=[], tags=[], types=[], count=1, mode="practice", now=now,
                question_ids=[question_a.id], seed=1).id
        learner = users["learner"].id
        study.enrol(learner, bank_b.id, [], now)
        study.set_suspended(learner, _card_of(learner, question_b.id), True)
        db.session.commit()  # services flush; the caller commits
        finished = quizzes.start_attempt(learner, bank_ids=[bank_a.id], tags=[], types=[],
                                         count=3, mode="test", now=now, seed=2)
        first = quizzes.revision_at(finished, 0).snapshot
        quizzes.submit_answer(learner, finished.id, 0, _right_answer(first), now)
        quizzes.finish_attempt(learner, finished.id, now)
        expired = quizzes.start_attempt(
            learner, bank_ids=[bank_a.id], tags=[], types=[], count=2, mode="test",
            now=now - timedelta(hours=3), time_limit_s=600, seed=3)
        jobs, exports = {}, {}
        for name, user in users.items():
            job = Job(user_id=user.id, kind="optimise", state="failed", progress=5,
                      message="Failed", error="Too few reviews.", params={}, attempts=1,
                      created_at=earlier, finished_at=earlier)
            export = Job(user_id=user.id, kind="export", state="done", progress=100,
                         message="Done", params={"bank_id": bank_a.id, "format": "yaml"},
                         result={"bank_id": bank_a.id, "filename": "bank-a.yaml",
                                 "media_type": "application/yaml", "bytes": 5,
                                 "left_out": [], "left_out_count": 0},
                         payload=b"bank:", attempts=1, created_at=earlier, finished_at=earlier)
            db.session.add_all([job, export])
            db.session.flush()
            jobs[name], exports[name] = job.id, export.id
        db.session.commit()
        class_a, class_b, class_code, quiz_assignment = _classes(users, bank_a.id, now)
        return World(users={n: Person(u.id, u.username) for n, u in users.items()},
                     bank_a=bank_a.id, bank_b=bank_b.id, question_a=question_a.id,
                     question_b=question_b.id, topic_a=spare[bank_a.id].id,
                     topic_b=spare[bank_b.id].id, attempts=attempts, cards=cards,
                     finished_attempt=finished.id, expired_attempt=expired.id,
                     reset_token=reset_token, jobs=jobs, exports=exports, class_a=class_a,
                     class_b=class_b, class_code=class_code, quiz_assignment=quiz_assignment)


def _classes(users: dict[str, User], bank_id: int, now) -> tuple[int, int, str, int]:
    """Class A (instructor's, editor co-teaching, two learners) and class B (otto's)."""
    class_a = classes.create_class(users["instructor"], name="Class A")
    class_b = classes.create_class(users["other_instructor"], name="Class B")
    classes.link_bank(class_a.id, users["instructor"], bank_id)
    classes.add_by_username(class_a.id, users["instructor"], "edith", role="teacher")
    for name in ("learner", "other_learner"):
        classes.add_by_username(class_a.id, users["instructor"], users[name].username)
    quiz = classes.create_quiz(
        class_a.id, users["instructor"], title="Quiz A", bank_id=bank_id, tags=[], types=[],
        count=1, mode="practice", time_limit_min=None, attempts=20, counts="best",
        opens_at=None, due_at=now + timedelta(days=365), refuse_late=True)
    db.session.commit()
    return class_a.id, class_b.id, class_a.join_code, quiz.id


def _card_of(user_id: int, question_id: int) -> int:
    return db.session.scalar(select(Card.id).where(Card.user_id == user_id,
                                                   Card.question_id == question_id))


def _right_answer(snapshot: dict[str, Any]) -> Any:
    return {"numeric": NUMERIC_ANSWER, "single_choice": 0, "cloze": ["20"]}[snapshot["type"]]


WORLD = "tests.security.world"


def world_app(request, tmp_path_factory, **config: Any) -> Iterator[Flask]:
    """One app and world per module and database (building them for each of several
    hundred requests would take minutes); the `world` fixture puts the rows back after
    every test that changed them.

    argon2id runs at its cheapest meanwhile: six users and their logins then cost
    milliseconds, not seconds. Hashing itself is tested in tests/domain."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher",
                      PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        # Mail is "configured" but kept in Flask-Mailman's in-memory outbox.
        app = make_test_app(request.param, tmp_path_factory.mktemp("world"),
                            MAIL_SERVER="mail.invalid", MAIL_BACKEND="locmem", **config)
        with app.app_context():
            if request.param == "sqlite":
                db.create_all()
            _empty(app)
        app.extensions[WORLD] = (build_world(app), rows(app))
        yield app
        with app.app_context():
            if request.param == "postgresql":  # as tests/conftest.py leaves it
                tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
                with db.engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(request, tmp_path_factory):
    yield from world_app(request, tmp_path_factory)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_with_csrf(request, tmp_path_factory):
    yield from world_app(request, tmp_path_factory, WTF_CSRF_ENABLED=True)


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    """The module's world; rows a test changed are put back afterwards."""
    yield app.extensions[WORLD][0]
    put_back(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client that keeps no request context after a request. pytest-flask's client keeps
    the last one, and with it a transaction that blocks the snapshots on SQLite."""
    return app.test_client()


def put_back(app: Flask) -> None:
    pristine = app.extensions[WORLD][1]
    if snapshot(app) != canonical(pristine):
        _restore(app, pristine)
        assert_unchanged(canonical(pristine), app, "restoring the world")


def _empty(app: Flask) -> None:
    with app.app_context(), db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _restore(app: Flask, saved: dict[str, list[dict[str, Any]]]) -> None:
    _empty(app)
    with app.app_context(), db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            for row in saved[table.name]:
                conn.execute(table.insert().values(row_values(table, row)))


def row_values(table, row: dict[str, Any]) -> dict[str, Any]:
    """A saved row as values to write back: None in a JSON column means SQL NULL here, not
    the JSON text 'null'."""
    return {k: null() if v is None and isinstance(table.c[k].type, JSON) else v
            for k, v in row.items()}


# --- the database, every table and row --------------------------------------------------

Snapshot = dict[str, list[str]]


def rows(app: Flask, names: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (or of the tables `names`), in primary-key order."""
    with app.app_context(), db.engine.connect() as conn:
        return {table.name: [dict(row._mapping) for row in conn.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables if names is None or table.name in names}


def canonical(saved: dict[str, list[dict[str, Any]]]) -> Snapshot:
    return {name: [json.dumps(row, sort_keys=True, default=str) for row in table_rows]
            for name, table_rows in saved.items()}


def snapshot(app: Flask) -> Snapshot:
    """Every row of every table as canonical JSON text: equal snapshots, equal databases."""
    return canonical(rows(app))


def changes(before: Snapshot, after: Snapshot) -> dict[str, dict[str, list[str]]]:
    """The tables whose rows differ, with the rows that went and came: {} if none."""
    found = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = Counter(before.get(name, [])), Counter(after.get(name, []))
        if old != new:
            found[name] = {"removed": sorted((old - new).elements()),
                           "added": sorted((new - old).elements())}
    return found


def describe(found: dict[str, dict[str, list[str]]]) -> str:
    return "; ".join(f"{name}: {len(diff['removed'])} row(s) went, {len(diff['added'])} came "
                     f"{(diff['added'] or diff['removed'])[:2]}" for name, diff in found.items())


def assert_unchanged(before: Snapshot, app: Flask, what: str) -> None:
    found = changes(before, snapshot(app))
    assert not found, f"{what} wrote: {describe(found)}"


# --- clients -----------------------------------------------------------------------------

def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, from the meta tag every page carries."""
    page = client.get("/").data.decode()
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)


def act_as(client: FlaskClient, world: World, role: str) -> None:
    """Log `role` in through the login form (with its token, so CSRF may be on)."""
    if role == "anonymous":
        return
    response = client.post("/auth/login", data={
        "username": world.users[role].username, "password": PASSWORD,
        "csrf_token": csrf_token(client)})
    assert response.status_code == 302, f"{role} could not log in"


def is_login_redirect(response: TestResponse) -> bool:
    return response.status_code == 302 and \
        urlsplit(response.location).path == "/auth/login"


def assert_status(response: TestResponse, expected: int | str, what: str) -> None:
    if expected == LOGIN:
        assert is_login_redirect(response), \
            f"{what}: expected a redirect to /auth/login, got {response.status_code} " \
            f"{response.location or ''}"
    else:
        assert response.status_code == expected, \
            f"{what}: expected {expected}, got {response.status_code} {response.location or ''}"


# --- requests ----------------------------------------------------------------------------

@dataclass
class Probe:
    method: str
    path: str
    data: dict[str, Any] | None = None
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, client: FlaskClient) -> TestResponse:
        data = {k: (BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v
                for k, v in (self.data or {}).items()}  # a fresh stream for each upload
        response = client.open(self.path, method=self.method, data=data or None,
                               json=self.json, headers=self.headers)
        response.get_data()  # buffer a streamed file, so that closing keeps the body
        response.close()
        return response

    def as_json(self) -> "Probe":
        """The same request as a JSON body (an upload's file left out)."""
        body = {k: v for k, v in (self.data or {}).items() if not isinstance(v, tuple)}
        return replace(self, data=None, json=self.json if self.json is not None else body)

    def as_form(self) -> "Probe":
        """The same request as a form post."""
        if self.json is None:
            return self
        return replace(self, json=None, data={k: str(v) for k, v in self.json.items()})

    def with_token(self, token: str) -> "Probe":
        if self.json is not None:
            return replace(self, headers={**self.headers, "X-CSRFToken": token})
        return replace(self, data={**(self.data or {}), "csrf_token": token})

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def rules_for(app: Flask, endpoint: str, method: str) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods]


def path_for(rule: Rule, objects: dict[str, Any], query: dict[str, Any] | None = None) -> str:
    missing = rule.arguments - objects.keys()
    assert not missing, f"{rule.rule}: say which object {sorted(missing)} stands for"
    _, path = rule.build({name: objects[name] for name in rule.arguments}, append_unknown=False)
    return path + (f"?{urlencode(query, doseq=True)}" if query else "")


# Query strings that make a GET meaningful (without them the page is a 400).
GET_QUERY: dict[str, dict[str, str]] = {"author.export": {"format": "yaml"}}


def get_probe(rule: Rule, objects: dict[str, Any]) -> Probe:
    return Probe("GET", path_for(rule, objects, GET_QUERY.get(rule.endpoint)))


@dataclass
class Ctx:
    app: Flask
    world: World
    role: str
    objects: dict[str, Any]
    rule: Rule


def _question_form(ctx: Ctx) -> dict[str, Any]:
    form = {"key": "fresh-numeric", "type": "numeric", "prompt": "How many victims?",
            "explanation": "The article says so.", "source": "minsk-talks#2",
            "tags": ["venue"], "difficulty": "2", "value": NUMERIC_ANSWER, "tolerance": "0",
            "unit": "victims", "save": "Save"}
    if "question_id" in ctx.rule.arguments:
        with ctx.app.app_context():
            question = db.session.get(Question, ctx.objects["question_id"])
            if question is not None:
                form.update(key=question.key, revision=str(question.revision),
                            message="tightened")
    return form


def _into_topic(ctx: Ctx) -> dict[str, Any]:
    """Merge into the "venue" topic of the bank in the path."""
    with ctx.app.app_context():
        into = db.session.scalar(select(Topic.id).where(Topic.bank_id == ctx.objects["bank_id"],
                                                        Topic.slug == "venue"))
        return {"into": str(into or 1)}


def _bank_slug(ctx: Ctx) -> str:
    with ctx.app.app_context():
        bank = db.session.get(Bank, ctx.objects["bank_id"])
        return bank.slug if bank else "no-such-bank"


def import_file(slug: str) -> bytes:
    return (f"bank:\n  slug: {slug}\n  title: Imported\nquestions:\n"
            "  - key: imported-tf\n    type: true_false\n    prompt: Imported?\n"
            "    answer: true\n    explanation: Because.\n    source: [minsk-talks#2]\n"
            "    tags: [venue]\n").encode()


def _staged_import(ctx: Ctx) -> dict[str, Any]:
    """An upload waiting for confirmation, staged (as setup) by `token_owner`."""
    owner = ctx.world.users[ctx.objects["token_owner"]].id
    with ctx.app.app_context():
        bank = db.session.get(Bank, ctx.objects["bank_id"])
        if bank is None:
            return {"token": "no-such-upload"}
        token, _ = transfer_service.stage(owner, bank, "yaml", "bank.yaml",
                                          import_file(bank.slug), utcnow(), cap=5)
        db.session.commit()
    return {"token": token}


def _username(ctx: Ctx) -> str:
    with ctx.app.app_context():
        user = db.session.get(User, ctx.objects["user_id"])
        return user.username if user else "nobody"


def _card(ctx: Ctx) -> dict[str, Any]:
    return {"card_id": ctx.objects["card_id"]}


# A request each POST route accepts from a role it serves (only the form or JSON body;
# the path comes from the rule). Refused roles get this same request: a missing check
# would then write, not merely fail validation.
VALID_POST: dict[str, Callable[[Ctx], dict[str, Any]]] = {
    "auth.login": lambda c: {"data": {"username": c.world.users[c.world.who(c.role)].username,
                                      "password": PASSWORD}},
    "auth.logout": lambda c: {"data": {}},
    "auth.register": lambda c: {"data": {"username": "newcomer", "password": NEW_PASSWORD,
                                         "confirm": NEW_PASSWORD}},
    "auth.change_password": lambda c: {"data": {"current": PASSWORD, "password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD}},
    "auth.set_email": lambda c: {"data": {"email-email": "someone@example.net",
                                          "email-password": PASSWORD}},
    "auth.forgot_password": lambda c: {"data": {"identifier": "lena@example.org"}},
    "auth.reset_password": lambda c: {"data": {"password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD}},
    "admin.set_role": lambda c: {"data": {f"u{c.objects['user_id']}-role": "admin"}},
    "admin.disable": lambda c: {"data": {}},
    "admin.enable": lambda c: {"data": {}},
    "admin.reset_link": lambda c: {"data": {}},
    "admin.delete_user": lambda c: {"data": {"username": _username(c)}},
    "author.new_bank": lambda c: {"data": {"slug": "new-bank", "title": "New bank"}},
    "author.edit_bank": lambda c: {"data": {"slug": _bank_slug(c), "title": "Renamed"}},
    "author.set_editors": lambda c: {"data": {"editors": "otto, ingrid"}},
    "author.archive_bank": lambda c: {"data": {}},
    "author.publish_bank": lambda c: {"data": {"unpublish": "1"}},
    "author.topics_page": lambda c: {"data": {"label": "A new topic"}},
    "author.rename_topic": lambda c: {"data": {"label": "Renamed topic"}},
    "author.merge_topic": lambda c: {"data": _into_topic(c)},
    "author.delete_topic": lambda c: {"data": {}},
    "author.editor": lambda c: {"data": _question_form(c)},
    "author.archive_question": lambda c: {"data": {}},
    "author.duplicate": lambda c: {"data": {}},
    "author.revert": lambda c: {"data": {"number": 1}},
    "author.transfer": lambda c: {"data": {"format": "yaml",
                                           "file": (import_file(_bank_slug(c)), "bank.yaml")}},
    "author.apply_import": lambda c: {"data": _staged_import(c)},
    "sources.bank_sources": lambda c: {"data": {"title": "Probe", "text": "A probe text."}},
    "sources.bank_source": lambda c: {"data": {"text": "[1] Paragraph 1.\n\n[2] Paragraph 2."
                                                       "\n\n[3] Paragraph 3."}},
    "progress.study_weak": lambda c: {"data": {}},
    "progress.delete_account": lambda c: {"data": {"confirm": "y", "password": PASSWORD}},
    "quiz.start": lambda c: {"data": {"banks": [str(c.world.bank_a)], "count": "1",
                                      "mode": "practice"}},
    "quiz.question": lambda c: {"data": {"answer": NUMERIC_ANSWER}},
    "quiz.finish": lambda c: {"data": {}},
    "quiz.retry": lambda c: {"data": {}},
    "study.banks": lambda c: {"data": {"bank_id": str(c.world.bank_b)}},
    "study.grade_card": lambda c: {"data": {**_card(c), "rating": 3,
                                            "submission_id": "probe-submission"}},
    "study.undo": lambda c: {"data": {}},
    "study.check": lambda c: {"json": {**_card(c), "answer": NUMERIC_ANSWER}},
    "study.bury": lambda c: {"data": _card(c)},
    "study.suspend": lambda c: {"data": _card(c)},
    "study.unsuspend": lambda c: {"data": _card(c)},
    "study.settings": lambda c: {"data": {"desired_retention": "0.85", "new_per_day": "10",
                                          "reviews_per_day": "100",
                                          "timezone": "Europe/Minsk"}},
    "study.optimise": lambda c: {"data": {}},
    "jobs.retry": lambda c: {"data": {}},
    "author.export": lambda c: {"data": {"format": "yaml"}},
    "classes.create": lambda c: {"data": {"name": "New class", "time_zone": "UTC"}},
    "classes.join": lambda c: {"data": {"code": c.world.class_code}},
    "classes.regenerate": lambda c: {"data": {}},
    "classes.add_member": lambda c: {"data": {"username": "oscar", "role": "learner"}},
    "classes.remove_member": lambda c: {"data": {}},
    "classes.leave": lambda c: {"data": {}},
    "classes.delete": lambda c: {"data": {}},
    "classes.link_bank": lambda c: {"data": {"bank_id": str(c.world.bank_a)}},
    "classes.assign_study": lambda c: {"data": {
        "study-title": "Study A", "study-bank_id": str(c.world.bank_a), "study-tags": "",
        "study-goal": "80",
        "study-due_at": "2099-01-01T12:00"}},
    "classes.assign_quiz": lambda c: {"data": {
        "quiz-title": "Quiz B", "quiz-bank_id": str(c.world.bank_a), "quiz-tags": "",
        "quiz-count": "1",
        "quiz-mode": "practice", "quiz-attempts": "1", "quiz-counts": "best",
        "quiz-due_at": "2099-01-01T12:00",
        "quiz-late": "refuse"}},
    "classes.start_quiz": lambda c: {"data": {}},
}


def valid_post(app: Flask, world: World, role: str, rule: Rule,
               swap: dict[str, Any] | None = None) -> Probe:
    """The valid POST to `rule` as `role`, with `swap` replacing some of its objects."""
    objects = {**world.own(role), **(swap or {})}
    assert rule.endpoint in VALID_POST, f"add a valid request for {rule.endpoint}"
    body = VALID_POST[rule.endpoint](Ctx(app, world, role, objects, rule))
    return Probe("POST", path_for(rule, objects), data=body.get("data"), json=body.get("json"))
