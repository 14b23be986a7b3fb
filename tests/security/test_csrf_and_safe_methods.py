"""With CSRF protection on: no POST route acts without the session's token (form posts and
JSON posts alike), and no GET route, for any role, changes a single row."""

from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import select, update

from quizapp import unit_of_work
from quizapp.domain.formats import FORMATS
from quizapp.extensions import db
from quizapp.models import SourceArticle, SourceParagraph, User, bank_editor
from tests.conftest import make_test_app
from tests.security import fixtures
from tests.security.fixtures import (
    REFUSALS,
    ROLES,
    VALID_POST,
    Probe,
    act_as,
    assert_unchanged,
    changes,
    csrf_token,
    describe,
    path_for,
    rules_for,
    snapshot,
    valid_post,
)
from tests.security.test_access_matrix import POLICY

shared_with_csrf, world, client = fixtures.shared_with_csrf, fixtures.world, fixtures.client


@pytest.fixture
def app(shared_with_csrf):
    return shared_with_csrf


# The endpoints review.js posts JSON to, with the token in the X-CSRFToken header.
JSON_ENDPOINTS = {"study.grade_card", "study.undo", "study.check", "study.bury",
                  "study.suspend"}
JSON_ONLY = {"study.check"}
POST_ENDPOINTS = sorted(e for e, methods in POLICY.items() if "POST" in methods)


def allowed_role(endpoint: str) -> str:
    """The least privileged logged-in role the route serves."""
    statuses = POLICY[endpoint]["POST"]
    return next(r for r in ROLES[1:] if statuses[r] not in REFUSALS)


def is_csrf_refusal(response, body: str) -> bool:
    if response.status_code != 400:
        return False
    if body == "json":
        return "missing its security token" in (response.get_json(silent=True) or {}).get(
            "error", "")
    return b"missing its security token" in response.data


def test_every_post_route_is_checked(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts == set(POST_ENDPOINTS) == set(VALID_POST)


@pytest.mark.parametrize("body", ["form", "json"])
@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_post_without_the_token_is_refused_and_writes_nothing(app, client, world, endpoint,
                                                              body):
    role = allowed_role(endpoint)
    act_as(client, world, role)
    for rule in rules_for(app, endpoint, "POST"):
        valid = valid_post(app, world, role, rule)
        probe = valid.as_json() if body == "json" else valid.as_form()
        before = snapshot(app)
        response = probe.send(client)
        assert is_csrf_refusal(response, body), \
            f"{role}: {probe} without a token: {response.status_code}"
        assert_unchanged(before, app, f"{role}: {probe} without a token")
        if body == "json" and endpoint in JSON_ENDPOINTS or \
                body == "form" and endpoint not in JSON_ONLY:
            accepted = probe.with_token(csrf_token(client)).send(client)
            assert accepted.status_code < 400, \
                f"{role}: {probe} with its token: {accepted.status_code}"


def test_a_token_from_another_session_is_refused(app, client, world):
    act_as(client, world, "other_learner")
    foreign = csrf_token(client)
    mine = app.test_client()
    act_as(mine, world, "learner")
    suspend = Probe("POST", "/study/suspend", data={"card_id": world.cards["learner"]})
    for body, probe in (("form", suspend), ("json", suspend.as_json())):
        before = snapshot(app)
        response = probe.with_token(foreign).send(mine)
        assert is_csrf_refusal(response, body), f"{body}: {response.status_code}"
        assert_unchanged(before, app, f"{probe} with another session's token")
    assert probe.with_token(csrf_token(mine)).send(mine).status_code == 200


# --- safe methods ---------------------------------------------------------------------------

def get_urls(app: Flask, world, role: str) -> list[str]:
    """Every rule with the role's own objects (a POST-only one must answer 405); pages with
    other states, arguments and formats; and each GET-and-POST route with its valid POST
    fields in the query string."""
    own = world.own(role)
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        urls.append(fixtures.get_probe(rule, own).path)
        if "GET" not in rule.methods:
            continue
        if "POST" in rule.methods:
            fields = valid_post(app, world, role, rule).as_form().data or {}
            query = {k: v for k, v in fields.items() if not isinstance(v, tuple)}
            urls.append(path_for(rule, own, query))
    bank, question, card = world.bank_a, world.question_a, own["card_id"]
    for attempt in (world.finished_attempt, world.expired_attempt):
        urls += [f"/quiz/{attempt}", f"/quiz/{attempt}/q/0", f"/quiz/{attempt}/q/1",
                 f"/quiz/{attempt}/results"]
    urls += [f"/quiz/{own['attempt_id']}/q/7", "/quiz/?tag=venue",
             f"/study/?card={card}&show=1&answer=5063", "/study/?card=x",
             f"/author/banks/{bank}/questions?status=all&q=a&type=numeric&tag=venue",
             f"/author/banks/{bank}/questions/{question}/history?a=1&b=2",
             f"/author/banks/{bank}/questions/new?type=cloze", "/sources/minsk-talks?p=2",
             f"/progress/class/{world.bank_b}"]
    urls += [f"/author/banks/{bank}/export?{urlencode({'format': f.name})}"
             for f in FORMATS.values() if f.can_export]
    urls += [f"/progress/export/{kind}.{fmt}" for kind in ("reviews", "attempts")
             for fmt in ("csv", "json")]
    return urls


def writes_by_get(app: Flask, client, urls: list[str]) -> tuple[dict, list[str]]:
    """GET each URL in turn: what each one changed in the database, and any 5xx."""
    writes, errors = {}, []
    before = snapshot(app)
    for url in urls:
        response = client.get(url)
        response.close()
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
        after = snapshot(app)
        if after != before:
            writes[url] = changes(before, after)
        before = after
    return writes, errors


@pytest.mark.parametrize("role", ROLES)
def test_no_get_changes_anything(app, client, world, role):
    act_as(client, world, role)
    urls = get_urls(app, world, role)
    assert len(urls) > 80
    writes, errors = writes_by_get(app, client, urls)
    assert not writes, "GET wrote: " + " | ".join(f"{url}: {describe(found)}"
                                                  for url, found in writes.items())
    assert errors == []


def test_the_snapshot_sees_an_update_an_insert_and_a_delete(app, world):
    before = snapshot(app)
    with app.app_context():
        db.session.execute(update(User).where(User.id == world.users["learner"].id)
                           .values(settings={"timezone": "Asia/Tokyo"}))
        article = db.session.scalar(select(SourceArticle.id))
        db.session.add(SourceParagraph(article_id=article, number=99, text="Added."))
        db.session.execute(bank_editor.delete())
        db.session.commit()
    changed = changes(before, snapshot(app))
    assert {name: (len(diff["removed"]), len(diff["added"])) for name, diff in changed.items()} \
        == {"user": (1, 1), "source_paragraph": (0, 1), "bank_editor": (1, 0)}


@pytest.mark.parametrize("database", ["sqlite"])  # a fresh app: routes are added before use
def test_a_get_that_writes_is_caught(database, tmp_path):
    app = make_test_app(database, tmp_path, WTF_CSRF_ENABLED=True)

    def visit():
        unit_of_work.write()
        db.session.add(SourceArticle(slug="visited", title="A visit counter"))
        return "counted"

    app.add_url_rule("/visit", "visit", visit)
    unit_of_work.register(app)  # committed at the end of the request, as every view is
    with app.app_context():
        db.create_all()
    writes, errors = writes_by_get(app, app.test_client(),
                                   ["/", "/visit", "/healthz", "/readyz"])
    assert list(writes) == ["/visit"] and list(writes["/visit"]) == ["source_article"]
    assert errors == []
    with app.app_context():
        db.engine.dispose()
