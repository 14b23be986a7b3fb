"""Who may call which route: every endpoint of app.url_map has a row in POLICY, and each row
is checked for every role with the role's own objects; then routes that take an object are
tried with another user's object and with one that does not exist.

A refused request (login redirect, 403, 404) must write nothing: refused roles send the
same valid request an allowed role would, so a missing check would show as a write.
"""

import pytest
from flask import Flask

from quizapp.extensions import db
from quizapp.services import accounts
from tests.conftest import make_test_app
from tests.security import fixtures
from tests.security.fixtures import (
    LOGIN,
    REFUSALS,
    ROLES,
    VALID_POST,
    Probe,
    act_as,
    assert_status,
    assert_unchanged,
    get_probe,
    path_for,
    rules_for,
    snapshot,
    valid_post,
)

shared, world, client = fixtures.shared, fixtures.world, fixtures.client


@pytest.fixture
def app(shared):
    return shared


ANONYMOUS, LEARNER, INSTRUCTOR, EDITOR, ADMIN = ROLES


def everyone(status: int) -> dict[str, int | str]:
    return dict.fromkeys(ROLES, status)


def members(status: int) -> dict[str, int | str]:
    """Any logged-in user; anonymous is sent to log in."""
    return {**everyone(status), ANONYMOUS: LOGIN}


def staff(status: int) -> dict[str, int | str]:
    """Instructors (their own or edited banks) and admins; learners are refused."""
    return {**members(status), LEARNER: 403}


def owners(status: int) -> dict[str, int | str]:
    """The bank's owner and admins; an editor edits questions, not the bank itself."""
    return {**staff(status), EDITOR: 403}


def admins(status: int) -> dict[str, int | str]:
    return {**staff(403), ADMIN: status}


# endpoint -> method -> role -> status, with each role's own objects in the URL. GETs send
# no form; allowed POSTs send an empty form (a 400 there means "validated, refused input").
POLICY: dict[str, dict[str, dict[str, int | str]]] = {
    "static": {"GET": everyone(200)},
    "main.home": {"GET": everyone(200)},
    "main.healthz": {"GET": everyone(200)},
    "main.readyz": {"GET": everyone(200)},
    "main.getting_started": {"GET": staff(200)},
    "auth.login": {"GET": everyone(200), "POST": everyone(400)},
    "auth.register": {"GET": everyone(200), "POST": everyone(400)},
    "auth.logout": {"POST": everyone(302)},
    "auth.change_password": {"GET": members(200), "POST": members(400)},
    "auth.set_email": {"POST": members(400)},
    "auth.forgot_password": {"GET": everyone(200), "POST": everyone(400)},
    "auth.reset_password": {"GET": everyone(200), "POST": everyone(400)},  # the link is the key
    "admin.users": {"GET": admins(200)},
    "admin.set_role": {"POST": admins(400)},
    "admin.disable": {"POST": admins(302)},
    "admin.enable": {"POST": admins(302)},
    "admin.reset_link": {"POST": admins(200)},  # the page that shows the link
    "admin.delete_user": {"GET": admins(200), "POST": admins(400)},
    "sources.article": {"GET": members(200)},
    "sources.bank_sources": {"GET": staff(200), "POST": staff(400)},  # the bank's editors
    "sources.bank_source": {"GET": staff(200), "POST": staff(400)},
    "sources.check": {"GET": staff(200)},
    "quiz.start": {"GET": members(200), "POST": members(400)},
    "quiz.resume": {"GET": members(302)},  # open attempt: on to its first question
    "quiz.question": {"GET": members(200), "POST": members(400)},
    "quiz.results": {"GET": members(302)},  # not finished: back to the quiz
    "quiz.finish": {"POST": members(302)},
    "quiz.retry": {"POST": members(302)},
    "study.review": {"GET": members(200)},
    "study.banks": {"GET": members(200), "POST": members(400)},
    "study.grade_card": {"POST": members(400)},
    "study.undo": {"POST": members(302)},  # everyone has one review to undo
    "study.check": {"POST": members(400)},
    "study.bury": {"POST": members(400)},
    "study.suspend": {"POST": members(400)},
    "study.unsuspend": {"POST": members(400)},
    "study.settings": {"GET": members(200), "POST": members(400)},
    "study.optimise": {"POST": members(302)},  # too few reviews: a message, no change
    "progress.dashboard": {"GET": members(200)},
    "progress.study_weak": {"POST": members(302)},
    "progress.export": {"GET": members(200)},
    "progress.delete_account": {"GET": members(200), "POST": members(400)},
    "progress.class_banks": {"GET": staff(200)},
    "progress.class_bank": {"GET": staff(200)},
    "author.banks": {"GET": staff(200)},
    "author.new_bank": {"GET": staff(200), "POST": staff(400)},
    "author.edit_bank": {"GET": owners(200), "POST": owners(400)},
    "author.set_editors": {"POST": owners(302)},  # an empty list is a valid list
    "author.archive_bank": {"POST": owners(302)},
    "author.publish_bank": {"POST": owners(302)},
    "author.topics_page": {"GET": staff(200), "POST": staff(400)},  # POST: adds a topic
    "author.rename_topic": {"POST": staff(400)},
    "author.merge_topic": {"POST": staff(400)},
    "author.delete_topic": {"POST": staff(302)},  # the world's "spare" topic is unused
    "author.export": {"GET": staff(200), "POST": staff(400)},  # POST: an export job
    "author.questions": {"GET": staff(200)},
    "author.editor": {"GET": staff(200), "POST": staff(400)},  # both rules: new and existing
    "author.archive_question": {"POST": staff(302)},
    "author.duplicate": {"POST": staff(302)},
    "author.history": {"GET": staff(200)},
    "author.revert": {"POST": staff(400)},
    "author.transfer": {"GET": staff(200), "POST": staff(400)},
    "author.apply_import": {"POST": staff(400)},
    "jobs.show": {"GET": members(200)},
    "jobs.status": {"GET": members(200)},
    "jobs.retry": {"POST": members(302)},  # a failed job: queued (and run) again
    "jobs.download": {"GET": members(200)},  # a finished export's file
    # Classes: class A is the instructor's, the editor co-teaches it, the learner is in it;
    # the admin sees and runs every class. An empty form validates and is refused (400).
    "classes.index": {"GET": members(200)},
    "classes.create": {"POST": staff(400)},
    "classes.join_link": {"GET": members(200)},
    "classes.join": {"POST": members(400)},
    "classes.show": {"GET": members(200)},
    "classes.regenerate": {"POST": staff(302)},
    "classes.add_member": {"POST": staff(400)},
    "classes.remove_member": {"POST": staff(302)},
    "classes.leave": {"POST": {**members(302), INSTRUCTOR: 400}},  # the owner may not leave
    "classes.delete": {"POST": owners(302)},
    "classes.link_bank": {"POST": staff(400)},
    "classes.assign_study": {"POST": staff(400)},
    "classes.assign_quiz": {"POST": staff(400)},
    "classes.start_quiz": {"POST": {**members(404), LEARNER: 302}},  # learners of the class
    "classes.grades": {"GET": staff(200)},
    "classes.items": {"GET": staff(200)},
}

# Failed logins are counted (throttling), so an empty login form is a 400 that writes.
WRITES_ON_400 = {"auth.login"}
PUBLIC = {"static", "main.home", "main.healthz", "main.readyz", "auth.login", "auth.register",
          "auth.logout", "auth.forgot_password", "auth.reset_password"}
STAFF_PREFIXES = ("/author/", "/progress/class", "/admin/")

CASES = [(endpoint, method, role) for endpoint, methods in POLICY.items()
         for method in methods for role in ROLES]


def policy_gaps(app: Flask) -> list[str]:
    """Endpoints and methods of app.url_map without a POLICY row, and rows for none."""
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        served.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    gaps = [f"{endpoint} {method}: no policy" for endpoint, methods in served.items()
            for method in sorted(methods) if method not in POLICY.get(endpoint, {})]
    gaps += [f"{endpoint} {method}: no such route" for endpoint, methods in POLICY.items()
             for method in methods if method not in served.get(endpoint, set())]
    return gaps


def test_every_route_has_a_policy(app):
    assert policy_gaps(app) == []


def test_a_new_route_without_a_policy_is_caught(tmp_path):
    app = make_test_app("sqlite", tmp_path)
    app.add_url_rule("/new-page", "main.new_page", lambda: "hi", methods=["GET", "POST"])
    assert policy_gaps(app) == ["main.new_page GET: no policy", "main.new_page POST: no policy"]


def test_every_post_route_has_a_valid_request():
    posts = {endpoint for endpoint, methods in POLICY.items() if "POST" in methods}
    assert posts == set(VALID_POST)


def test_policy_refuses_learners_staff_pages_and_anonymous_private_pages(app):
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            expected = POLICY.get(rule.endpoint, {}).get(method)
            if expected is None:
                continue  # test_every_route_has_a_policy reports it
            if rule.rule.startswith(STAFF_PREFIXES):
                assert expected[LEARNER] == 403, rule.rule
            if rule.endpoint not in PUBLIC:
                assert expected[ANONYMOUS] == LOGIN, rule.rule


@pytest.mark.parametrize(("endpoint", "method", "role"), CASES,
                         ids=[f"{e}-{m}-{r}" for e, m, r in CASES])
def test_access(app, client, world, endpoint, method, role):
    expected = POLICY[endpoint][method][role]
    rules = rules_for(app, endpoint, method)
    assert rules, f"{endpoint} does not take {method}"
    act_as(client, world, role)
    for rule in rules:
        if method == "GET":
            probe = get_probe(rule, world.own(role))
        elif expected in REFUSALS:
            probe = valid_post(app, world, role, rule)
        else:
            probe = Probe("POST", path_for(rule, world.own(role)), data={})
        before = snapshot(app)
        response = probe.send(client)
        assert_status(response, expected, f"{role}: {probe}")
        if expected in REFUSALS or (expected == 400 and endpoint not in WRITES_ON_400):
            assert_unchanged(before, app, f"{role}: {probe}")


# --- another user's objects ---------------------------------------------------------------

# Another user's object (or none at all), swapped in for the role's own.
OTHER_ATTEMPT, OTHER_CARD, BANK_B, FOREIGN_QUESTION, OTHERS_IMPORT, OTHER_JOB = (
    "others-attempt", "others-card", "bank-B", "question-of-B-under-A", "others-import",
    "others-job")
OTHER_EXPORT = "others-export"
FOREIGN_TOPIC = "topic-of-B-under-A"
CLASS_B, NO_SUCH_CLASS = "class-B", "no-such-class"
NO_SUCH_OBJECT, NO_SUCH_BANK = "no-such-object", "no-such-bank"
NO_SUCH_ID = 10**6


def swap_for(world, name: str) -> dict:
    return {
        NO_SUCH_OBJECT: dict.fromkeys(("attempt_id", "card_id", "question_id", "user_id",
                                       "job_id", "export_id", "topic_id"), NO_SUCH_ID),
        NO_SUCH_BANK: {"bank_id": NO_SUCH_ID},
        CLASS_B: {"class_id": world.class_b},
        NO_SUCH_CLASS: {"class_id": NO_SUCH_ID, "assignment_id": NO_SUCH_ID},
        OTHER_ATTEMPT: {"attempt_id": world.attempts["other_learner"]},
        OTHER_CARD: {"card_id": world.cards["other_learner"]},
        OTHER_JOB: {"job_id": world.jobs["other_learner"]},
        OTHER_EXPORT: {"export_id": world.exports["other_learner"]},
        BANK_B: {"bank_id": world.bank_b, "question_id": world.question_b,
                 "topic_id": world.topic_b},
        FOREIGN_QUESTION: {"question_id": world.question_b},  # with bank A in the path
        FOREIGN_TOPIC: {"topic_id": world.topic_b},  # with bank A in the path
        OTHERS_IMPORT: {"token_owner": "instructor"},  # staged for bank A by its owner
    }[name]


JOB_ROUTES = [("jobs.show", "GET"), ("jobs.status", "GET"), ("jobs.retry", "POST")]
EXPORT_ROUTES = [("jobs.download", "GET")]
ATTEMPT_ROUTES = [("quiz.resume", "GET"), ("quiz.question", "GET"), ("quiz.question", "POST"),
                  ("quiz.results", "GET"), ("quiz.finish", "POST"), ("quiz.retry", "POST")]
# Routes that take a card id in the form, the JSON body or (study.review) the query string.
CARD_ROUTES = [("study.review", "GET"), ("study.grade_card", "POST"),
               ("study.grade_card", "JSON"), ("study.check", "POST"), ("study.bury", "POST"),
               ("study.bury", "JSON"), ("study.suspend", "POST"), ("study.suspend", "JSON"),
               ("study.unsuspend", "POST")]
BANK_ROUTES = [(e, m) for e, methods in POLICY.items() if e.startswith("author.")
               and e not in ("author.banks", "author.new_bank") for m in methods] + \
              [("progress.class_bank", "GET")] + \
              [(e, m) for e, methods in POLICY.items() if e.startswith("sources.bank")
               or e == "sources.check" for m in methods]
QUESTION_ROUTES = [("author.editor", "GET"), ("author.editor", "POST"),
                   ("author.history", "GET"), ("author.revert", "POST"),
                   ("author.duplicate", "POST"), ("author.archive_question", "POST")]
TOPIC_ROUTES = [("author.rename_topic", "POST"), ("author.merge_topic", "POST"),
                ("author.delete_topic", "POST")]

CLASS_ROUTES = [(e, m) for e, methods in POLICY.items() if e.startswith("classes.")
                 and e not in ("classes.index", "classes.create", "classes.join",
                               "classes.join_link", "classes.start_quiz") for m in methods]
# Refused on the role's own class (the cross test's own-object control would fail there).
CLASS_REFUSED_OWN = {(LEARNER, e) for e in (
    "classes.regenerate", "classes.add_member", "classes.remove_member", "classes.delete",
    "classes.link_bank", "classes.assign_study", "classes.assign_quiz", "classes.grades",
    "classes.items")} | {
    (INSTRUCTOR, "classes.leave"), (EDITOR, "classes.delete")}  # the owner stays; owner only

# Bank settings, editors and archiving are the owner's: an editor is refused even on bank A,
# so the "own object works" control of the cross test does not apply to them there.
OWNER_ONLY = {"author.edit_bank", "author.set_editors", "author.archive_bank",
              "author.publish_bank"}

CROSS = (
    [(LEARNER, e, m, OTHER_ATTEMPT, 404) for e, m in ATTEMPT_ROUTES]
    + [(LEARNER, e, m, OTHER_CARD, 404) for e, m in CARD_ROUTES]
    + [(who, e, m, BANK_B, 403) for who in (INSTRUCTOR, EDITOR) for e, m in BANK_ROUTES
       if not (who == EDITOR and e in OWNER_ONLY)]
    + [(INSTRUCTOR, e, m, FOREIGN_QUESTION, 404) for e, m in QUESTION_ROUTES]
    + [(EDITOR, "author.apply_import", "POST", OTHERS_IMPORT, 404)]
    + [(who, e, m, swap, 404) for who in (LEARNER, ADMIN) for e, m in JOB_ROUTES
       for swap in (OTHER_JOB, NO_SUCH_OBJECT)]
    + [(who, e, m, swap, 404) for who in (LEARNER, ADMIN) for e, m in EXPORT_ROUTES
       for swap in (OTHER_EXPORT, NO_SUCH_OBJECT)]
    + [(LEARNER, e, m, NO_SUCH_OBJECT, 404) for e, m in ATTEMPT_ROUTES + CARD_ROUTES]
    + [(INSTRUCTOR, e, m, NO_SUCH_OBJECT, 404) for e, m in QUESTION_ROUTES]
    + [(who, e, m, swap, 404) for who in (INSTRUCTOR, EDITOR) for e, m in TOPIC_ROUTES
       for swap in (FOREIGN_TOPIC, NO_SUCH_OBJECT)]
    + [(ADMIN, e, m, NO_SUCH_BANK, 404) for e, m in BANK_ROUTES]
    # Class B is another teacher's: the class A's learner, teacher and co-teacher are told
    # it does not exist (other instructor / learner not in the class).
    + [(who, e, m, CLASS_B, 404) for who in (LEARNER, INSTRUCTOR, EDITOR)
       for e, m in CLASS_ROUTES if (who, e) not in CLASS_REFUSED_OWN]
    + [(who, e, m, NO_SUCH_CLASS, 404) for who in (LEARNER, ADMIN) for e, m in CLASS_ROUTES
       if (who, e) not in CLASS_REFUSED_OWN]
    + [(LEARNER, "classes.start_quiz", "POST", NO_SUCH_CLASS, 404)]
    + [(ADMIN, e, m, NO_SUCH_OBJECT, 404) for e, methods in POLICY.items()
       if e.startswith("admin.") and e != "admin.users" for m in methods]
)


def test_every_route_with_an_object_id_is_tried_with_another_users_and_none(app):
    swaps = {"attempt_id": (OTHER_ATTEMPT, NO_SUCH_OBJECT), "bank_id": (BANK_B, NO_SUCH_BANK),
             "question_id": (FOREIGN_QUESTION, NO_SUCH_OBJECT), "user_id": (NO_SUCH_OBJECT,),
             "job_id": (OTHER_JOB, NO_SUCH_OBJECT), "export_id": (OTHER_EXPORT, NO_SUCH_OBJECT),
             "topic_id": (FOREIGN_TOPIC, NO_SUCH_OBJECT),
             "class_id": (CLASS_B, NO_SUCH_CLASS), "assignment_id": (NO_SUCH_CLASS,)}
    tried = {(e, m, swap) for _, e, m, swap, _ in CROSS}
    untried = [f"{rule.endpoint} {method} {swap}" for rule in app.url_map.iter_rules()
               for arg in rule.arguments & swaps.keys() for swap in swaps[arg]
               for method in rule.methods - {"HEAD", "OPTIONS"}
               if (rule.endpoint, method, swap) not in tried]
    assert untried == []


def applies(rule, swap: str) -> bool:
    """author.editor's "new" rule has no question to swap."""
    if swap == FOREIGN_TOPIC:
        return "topic_id" in rule.arguments
    return swap not in (FOREIGN_QUESTION, NO_SUCH_OBJECT) or not rule.endpoint.startswith(
        "author.") or bool({"question_id", "topic_id"} & rule.arguments)


def cross_probe(app, world, role: str, rule, method: str, swap: dict) -> Probe:
    if method == "GET":
        objects = {**world.own(role), **swap}
        probe = get_probe(rule, objects)
        if rule.endpoint == "study.review":
            probe.path += f"?card={objects['card_id']}&show=1&answer=5063"
        return probe
    probe = valid_post(app, world, role, rule, swap)
    return probe.as_json() if method == "JSON" else probe


@pytest.mark.parametrize(("role", "endpoint", "method", "swap", "expected"), CROSS,
                         ids=[f"{r}-{e}-{m}-{s}" for r, e, m, s, _ in CROSS])
def test_another_users_object_is_refused_and_untouched(app, client, world, role, endpoint,
                                                       method, swap, expected):
    """Refused, nothing written; and the same request with the role's own object is
    served, so the refusal is about whose object it is, not a malformed request."""
    act_as(client, world, role)
    rules = [rule for rule in rules_for(app, endpoint, "GET" if method == "GET" else "POST")
             if applies(rule, swap)]
    assert rules
    for rule in rules:
        probe = cross_probe(app, world, role, rule, method, swap_for(world, swap))
        before = snapshot(app)
        response = probe.send(client)
        assert_status(response, expected, f"{role} with {swap}: {probe}")
        assert_unchanged(before, app, f"{role} with {swap}: {probe}")
        control = cross_probe(app, world, role, rule, method, {}).send(client)
        assert control.status_code < 400, f"{role}, own object: {probe} is not a valid request"


def test_a_demoted_editor_loses_bank_a_at_once(app, client, world):
    """Still listed in Bank.editors and still logged in: the role is read per request."""
    act_as(client, world, EDITOR)
    with app.app_context():
        accounts.set_role(world.users[EDITOR].id, "learner")
        db.session.commit()
    bank, question = world.bank_a, world.question_a
    for path in (f"/author/banks/{bank}", f"/author/banks/{bank}/questions/{question}",
                 f"/progress/class/{bank}", "/progress/class", "/author/"):
        assert client.get(path).status_code == 403, path
    before = snapshot(app)
    response = client.post(f"/author/banks/{bank}/archive")
    assert response.status_code == 403
    assert_unchanged(before, app, "a demoted editor archiving bank A")
