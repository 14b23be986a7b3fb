"""Hostile input: hypothesis bends the valid request of every POST route and of every GET
route that reads its query string, 200 times on each database: fields missing, repeated or
sent as files, huge numbers, NUL bytes, lone surrogates, bytes that are not UTF-8, JSON of
the wrong shape, ids out of range. Never a 5xx; a 400 says what was wrong; a refused request
writes nothing; and a request no application may accept is refused.

Each example starts from the module's world: one that wrote is put back before the next."""

import inspect
import re
import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import and_, event
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import Rule
from werkzeug.test import TestResponse
from werkzeug.wrappers import Response

from quizapp.extensions import db
from tests.security import fixtures
from tests.security.fixtures import (
    NUMERIC_ANSWER,
    REFUSALS,
    ROLES,
    VALID_POST,
    Probe,
    World,
    act_as,
    canonical,
    changes,
    describe,
    path_for,
    put_back,
    row_values,
    rows,
    rules_for,
    snapshot,
    valid_post,
)
from tests.security.hostile import (
    REFUSED,
    SETTINGS,
    Base,
    Hostile,
    Upload,
    answer,
    hostile_requests,
    message_problem,
)
from tests.security.test_access_matrix import POLICY

shared, world = fixtures.shared, fixtures.world


@pytest.fixture
def app(shared):
    return shared


# Every GET route that reads its query string, with a query that makes it do so. A view that
# starts reading request.args needs a row here (test_every_query_reader_is_swept).
GET_QUERIES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "admin.users": lambda o: {"q": "a", "page": "1"},
    "auth.login": lambda o: {"next": "/study/"},
    "author.editor": lambda o: {"type": "cloze"},
    "author.export": lambda o: {"format": "yaml"},
    "author.history": lambda o: {"a": "1", "b": "2"},
    "classes.show": lambda o: {"on": "2030-01-01"},
    "author.questions": lambda o: {"status": "all", "q": "a", "type": "numeric",
                                   "tag": "venue"},
    "quiz.start": lambda o: {"tag": ["venue", "talks"]},
    "sources.article": lambda o: {"p": "2"},
    "study.review": lambda o: {"card": str(o["card_id"]), "show": "1",
                               "answer": NUMERIC_ANSWER},
}
TARGETS = [("POST", e) for e in sorted(VALID_POST)] + [("GET", e) for e in sorted(GET_QUERIES)]

# The endpoints review.js posts JSON to; and a few form endpoints that get JSON too.
JSON_ENDPOINTS = {"study.check", "study.grade_card", "study.bury", "study.suspend",
                  "study.unsuspend"}
JSON_TOO = {"auth.login", "study.settings", "author.new_bank", "quiz.question",
            "admin.set_role"}
# Fields that take a whole number: ASCII digits within a 32-bit integer, or a 400.
INTEGER_FIELDS = {
    "study.grade_card": {"card_id", "rating", "duration_ms"},
    "study.check": {"card_id"}, "study.bury": {"card_id"}, "study.suspend": {"card_id"},
    "study.unsuspend": {"card_id"}, "study.banks": {"bank_id"},
    "study.settings": {"new_per_day", "reviews_per_day"},
    "quiz.start": {"banks", "count", "time_limit"}, "author.revert": {"number"},
    "author.merge_topic": {"into"},
    "admin.users": {"page"},
}
ID_FIELDS = frozenset({"card_id", "bank_id"})  # <= 0 names nothing either

ANONYMOUS_FORMS = {"auth.login", "auth.register", "auth.forgot_password", "auth.reset_password"}
# After one of these succeeds the client's session is gone or another: log in afresh.
SESSION_CHANGERS = {"auth.login", "auth.register", "auth.logout", "auth.change_password",
                    "auth.reset_password", "progress.delete_account"}
# Failed logins, registrations and current-password checks are counted (services.throttle):
# a refused one may write that table only.
WRITES_ON_4XX = {endpoint: {"throttle_counter"} for endpoint in (
    "auth.login", "auth.register", "auth.change_password", "auth.set_email",
    "progress.delete_account")}


def sweep_role(endpoint: str, method: str) -> str:
    """The first role POLICY lets use the route: anonymous only for logging in and
    registering, the learner for study, quiz and progress, bank A's owner for author."""
    statuses = POLICY[endpoint][method]
    return next(r for r in ROLES if statuses[r] not in REFUSALS
                and (r != "anonymous" or endpoint in ANONYMOUS_FORMS))


def encodings(endpoint: str, method: str) -> tuple[str, ...]:
    if method == "GET":
        return ("query",)
    if endpoint in JSON_ENDPOINTS:
        return ("json",) * 3 + ("form",) * 2 + ("multipart",)
    return ("form",) * 4 + ("multipart",) + (("json",) if endpoint in JSON_TOO else ())


TABLES = [table.name for table in db.metadata.sorted_tables]  # parents first


class Writes:
    """The tables the statements since reset() may have changed: those an INSERT, UPDATE or
    DELETE names; every table after a DELETE (foreign keys cascade in the database) or any
    other statement that is not a plain read. An example that wrote nothing skips the
    snapshot; one that wrote reads only the tables it touched."""

    DML = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
    READ = re.compile(r"\s*(?:SELECT|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW)\b"
                      # a WITH query that only reads (PostgreSQL's may also write)
                      r"|\s*WITH\b(?!.*\b(?:INSERT|UPDATE|DELETE)\b)",
                      re.IGNORECASE | re.DOTALL)

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.tables: set[str] = set()
        self.everything = False

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if dml := self.DML.match(statement):
            self.tables.add(dml.group(1))
            self.everything |= statement.lstrip()[:6].upper() == "DELETE"
        elif not self.READ.match(statement):
            self.everything = True

    def touched(self) -> list[str]:
        return TABLES if self.everything else [n for n in TABLES if n in self.tables]


@pytest.fixture(scope="module")
def writes(shared):
    counter = Writes()
    with shared.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


class Sweep:
    """One target's state across the examples: its client, valid requests and the world."""

    def __init__(self, app: Flask, world: World, writes: Writes, method: str, endpoint: str):
        self.app, self.world, self.writes = app, world, writes
        self.method, self.endpoint = method, endpoint
        self.role = sweep_role(endpoint, method)
        self.rules = rules_for(app, endpoint, method)
        self.pristine = snapshot(app)
        self.bases: dict[str, tuple[Base, fixtures.Snapshot]] = {}
        self.client = None

    def base(self, rule: Rule) -> tuple[Base, fixtures.Snapshot]:
        """The valid request to `rule` and the database it starts from (building it may
        write: an import waiting for confirmation)."""
        if rule.rule not in self.bases:
            self.writes.reset()
            objects = self.world.own(self.role)
            if self.method == "GET":
                probe = Probe("GET", path_for(rule, objects),
                              data=GET_QUERIES[self.endpoint](objects))
            else:
                probe = valid_post(self.app, self.world, self.role, rule)
            base = Base.of(probe, rule, objects, encodings(self.endpoint, self.method),
                           int_fields=frozenset(INTEGER_FIELDS.get(self.endpoint, ())),
                           id_fields=ID_FIELDS)
            self.bases[rule.rule] = (base, snapshot(self.app) if self.writes.touched()
                                     else self.pristine)
        return self.bases[rule.rule]

    def run(self, request: Hostile, before: fixtures.Snapshot) -> None:
        if self.client is None:
            self.client = self.app.test_client()
            act_as(self.client, self.world, self.role)
        self.writes.reset()
        response = None
        try:
            with warnings.catch_warnings(record=True) as warned:
                warnings.simplefilter("always", ResourceWarning)
                try:
                    response = request.send(self.client)
                except Exception as e:
                    e.add_note(f"as {self.role}: {request}")
                    raise
            leaks = [str(w.message) for w in warned if issubclass(w.category, ResourceWarning)]
            assert not leaks, \
                f"the request left files open: {leaks}\n{self.what(request, response)}"
            self.check(request, response, before)
        finally:
            if self.endpoint in SESSION_CHANGERS and (response is None or
                                                      response.status_code < 400):
                self.client = None
            touched = self.writes.touched() if response is not None else TABLES
            if touched and restore_rows(self.app, touched):
                self.bases.clear()  # an import staged for confirmation went too

    def check(self, request: Hostile, response: TestResponse,
              before: fixtures.Snapshot) -> None:
        status = response.status_code
        assert status < 500, f"server error {self.what(request, response)}"
        if status == 400:
            problem = message_problem(response)
            assert problem is None, \
                f"a 400 without a message: {problem}\n{self.what(request, response)}"
        if 400 <= status < 500 and (touched := self.writes.touched()):
            found = changes({name: before[name] for name in touched},
                            canonical(rows(self.app, touched)))
            wrote = {table: diff for table, diff in found.items()
                     if table not in WRITES_ON_4XX.get(self.endpoint, ())}
            assert not wrote, f"refused with {status} but wrote: {describe(wrote)}\n" \
                              f"{self.what(request, response)}"
        reason = request.known_invalid()
        if reason:
            assert status in REFUSED, f"known-invalid ({reason}) but got {status}\n" \
                                      f"{self.what(request, response)}"

    def what(self, request: Hostile, response: TestResponse) -> str:
        return f"as {self.role}: {request}\n{answer(response)}"


def restore_rows(app: Flask, names: list[str]) -> bool:
    """fixtures.put_back for the tables an example touched, row by row: inserts what went
    (parents first), updates what changed, deletes what came (children first). The full
    put_back rewrites every table, several times slower; it still steps in if a constraint
    got in the way. True if anything differed."""
    pristine, current = app.extensions[fixtures.WORLD][1], rows(app, names)
    differ = [table for table in db.metadata.sorted_tables
              if current.get(table.name, []) != pristine[table.name] and table.name in names]
    if not differ:
        return False
    with app.app_context(), db.engine.connect() as conn:
        try:
            with conn.begin():
                for stage in ("insert", "update", "delete"):
                    for table in reversed(differ) if stage == "delete" else differ:
                        _put_back_table(conn, table, pristine[table.name],
                                        current[table.name], stage)
        except SQLAlchemyError:
            pass  # put_back restores in full
    names = [table.name for table in differ]
    if rows(app, names) != {name: pristine[name] for name in names}:
        put_back(app)
    return True


def _put_back_table(conn, table, pristine: list[dict], current: list[dict], stage: str):
    keys = list(table.primary_key.columns) or list(table.columns)

    def key(row: dict) -> tuple:
        return tuple(row[c.name] for c in keys)

    def where(k: tuple):
        return and_(*(c == v for c, v in zip(keys, k, strict=True)))

    old, new = {key(r): r for r in pristine}, {key(r): r for r in current}
    if stage == "insert":
        for k in old.keys() - new.keys():
            conn.execute(table.insert().values(row_values(table, old[k])))
    elif stage == "update":
        for k in old.keys() & new.keys():
            if old[k] != new[k]:
                conn.execute(table.update().where(where(k)).values(row_values(table, old[k])))
    else:
        for k in new.keys() - old.keys():
            conn.execute(table.delete().where(where(k)))


@pytest.fixture
def sweep(app, world, writes, method, endpoint) -> Sweep:
    return Sweep(app, world, writes, method, endpoint)


def test_every_post_route_is_swept(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts == {e for m, e in TARGETS if m == "POST"} == set(VALID_POST)


def test_every_query_reader_is_swept(app):
    readers = {endpoint for endpoint, view in app.view_functions.items()
               if "request.args" in inspect.getsource(inspect.unwrap(view))}
    assert readers == set(GET_QUERIES)
    for endpoint in GET_QUERIES:
        assert rules_for(app, endpoint, "GET"), f"{endpoint} takes no GET"


@pytest.mark.parametrize(("method", "endpoint"), TARGETS, ids=[f"{e}-{m}" for m, e in TARGETS])
@SETTINGS
@given(data=st.data())
def test_hostile_input(sweep, method, endpoint, data):
    rules = sweep.rules
    rule = data.draw(st.sampled_from(rules), label="rule") if len(rules) > 1 else rules[0]
    base, before = sweep.base(rule)
    sweep.run(data.draw(hostile_requests(base), label="request"), before)


# --- the checks themselves ----------------------------------------------------------------

def page(body: str, mimetype: str = "text/html") -> Response:
    return Response(body, status=400, mimetype=mimetype)


def test_a_400_without_a_message_is_caught():
    for bare in (page("<h1>Bad Request</h1><p>The browser sent a bad request.</p>"),
                 page('<p class="error" role="alert"> <b></b> </p>'),
                 page('{"error": ""}', "application/json"), page("[]", "application/json"),
                 page("Bad request", "text/plain")):
        assert message_problem(bare), bare.get_data()
    for told in (page('<p class="hint error">Choose a <b>format</b>.</p>'),
                 page('<p class="error" role="alert">Not valid UTF-8.</p>'),
                 page('{"error": "Send card_id (a number)."}', "application/json")):
        assert message_problem(told) is None, told.get_data()


def test_the_classifier_flags_what_no_application_may_accept():
    valid = Hostile("POST", "/study/review", fields=[("card_id", "5"), ("rating", "3")],
                    int_fields=frozenset({"card_id", "rating"}), id_fields=ID_FIELDS)
    assert valid.known_invalid() is None
    assert replace(valid, encoding="json").known_invalid() is None
    flagged = [
        ("a NUL character", replace(valid, fields=[("card_id", "5"), ("a\x00b", "1")])),
        ("not valid UTF-8", replace(valid, raw_tail=b"&x=%FF")),
        ("not valid UTF-8", replace(valid, raw_query=b"a=\xff")),
        ("a lone surrogate", replace(valid, encoding="multipart",
                                     fields=[("file", Upload(b"\xff", "\ud800.txt"))])),
        ("not an object", replace(valid, encoding="raw", raw_body=b"[1]")),
        ("invalid JSON", replace(valid, encoding="raw", raw_body=b'{"card_id": NaN}')),
        ("not text or a number", replace(valid, encoding="json", fields=[("card_id", 3.7)])),
        ("beyond a 32-bit integer", replace(valid, fields=[("card_id", str(2**31))])),
        ("digits other than ASCII", replace(valid, fields=[("rating", "٣")])),
        ("no such id", replace(valid, encoding="json", fields=[("card_id", 0)])),
    ]
    for reason, request in flagged:
        assert reason in (request.known_invalid() or ""), request
    query = Hostile("GET", "/sources/minsk-talks", encoding="query", fields=[("p", b"\xff")])
    assert "not valid UTF-8" in query.known_invalid()
