"""The flashcard pages: plain form posts, the JSON endpoints, enrolment and settings."""

import re
import sqlite3

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from quizapp.extensions import db
from quizapp.models import Card, Review, User
from quizapp.services import accounts
from tests.conftest import NOW, PASSWORD, make_test_app


@pytest.fixture
def learner(app, make_user, auth):
    user = make_user("sam")
    auth.login("sam")
    return user


@pytest.fixture
def bank(make_bank, make_question):
    bank = make_bank(title="Demo bank")
    for n in range(3):
        make_question(bank, "numeric", key=f"n{n}", tags=["venue"])
    return bank


def enrol(client, bank):
    response = client.post("/study/banks", data={"bank_id": bank.id})
    assert response.status_code == 302


def test_without_enrolment_the_learner_is_sent_to_choose_banks(client, learner, bank):
    response = client.get("/study/")
    assert response.status_code == 302 and response.location.endswith("/study/banks")
    assert "Demo bank" in client.get("/study/banks").data.decode()


def test_review_without_javascript(app, client, learner, bank):
    enrol(client, bank)
    page = client.get("/study/").data.decode()
    assert "New <strong data-count=\"new\">3</strong>" in page
    card_id = int(re.search(r'data-card-id="(\d+)"', page).group(1))
    assert 'id="card-back" hidden' in page
    shown = client.get(f"/study/?card={card_id}&show=1").data.decode()
    assert 'id="card-back" hidden' not in shown and "5,063 victims" in shown
    submission = re.search(r'name="submission_id" value="([^"]+)"', shown).group(1)
    form = {"card_id": card_id, "rating": 3, "submission_id": submission}
    assert client.post("/study/review", data=form).status_code == 302
    assert client.post("/study/review", data=form).status_code == 302  # back + resubmit
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1


def test_json_review_returns_the_next_card(app, client, learner, bank):
    enrol(client, bank)
    page = client.get("/study/").data.decode()
    card_id = int(re.search(r'data-card-id="(\d+)"', page).group(1))
    body = {"card_id": card_id, "rating": 4, "submission_id": "json-sub-1", "duration_ms": 1200}
    reply = client.post("/study/review", json=body).get_json()
    assert reply["applied"] is True
    assert reply["card"]["card_id"] != card_id
    assert set(reply["card"]["intervals"]) == {"1", "2", "3", "4"}
    assert "<" in reply["card"]["front_html"] and reply["counts"]["new"] == 2
    again = client.post("/study/review", json=body).get_json()
    assert again["applied"] is False
    with app.app_context():
        assert db.session.scalar(select(Review.duration_ms)) == 1200


@pytest.mark.parametrize(
    "body",
    [{}, {"card_id": "x", "rating": 3}, {"card_id": 1, "rating": 9},
     {"card_id": 1, "rating": 3, "submission_id": "bad id with spaces"},
     {"card_id": 1, "rating": 3, "duration_ms": -5},
     # wrong JSON types are refused, not coerced (True would be grade 1, 3.7 grade 3)
     {"card_id": 1, "rating": True}, {"card_id": 1, "rating": 3.7},
     {"card_id": 1, "rating": [3]}, {"card_id": True, "rating": 3},
     {"card_id": 1, "rating": 3, "duration_ms": False},
     {"card_id": 1, "rating": 3, "submission_id": None},
     # numbers no column holds, or that are not ASCII digits
     {"card_id": 2**31, "rating": 3}, {"card_id": 10**30, "rating": 3},
     {"card_id": "²", "rating": 3}, {"card_id": 1, "rating": 10**309},
     {"card_id": 1, "rating": 3, "duration_ms": 10**400},
     # not an object of fields at all
     [1], "ab", False, 3],
)
def test_json_review_rejects_bad_input(app, client, learner, bank, body):
    enrol(client, bank)
    response = client.post("/study/review", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0


def test_someone_elses_card_is_404(app, client, auth, make_user, learner, bank):
    enrol(client, bank)
    with app.app_context():
        card_id = db.session.scalar(select(Card.id))
    make_user("eve")
    auth.logout()
    auth.login("eve")
    assert client.post("/study/review", json={"card_id": card_id, "rating": 3}).status_code == 404
    assert client.post("/study/bury", json={"card_id": card_id}).status_code == 404
    assert client.post("/study/check", json={"card_id": card_id, "answer": "1"}).status_code == 404
    assert client.get(f"/study/?card={card_id}&show=1").status_code in (302, 404)


def test_undo_bury_and_suspend_over_json(app, client, learner, bank):
    enrol(client, bank)
    page = client.get("/study/").data.decode()
    card_id = int(re.search(r'data-card-id="(\d+)"', page).group(1))
    body = {"card_id": card_id, "rating": 3, "submission_id": "u1xxxxxx"}
    client.post("/study/review", json=body)
    undone = client.post("/study/undo", json={}).get_json()
    assert undone["card"]["card_id"] == card_id
    assert client.post("/study/undo", json={}).status_code == 400
    buried = client.post("/study/bury", json={"card_id": card_id}).get_json()
    assert buried["card"]["card_id"] != card_id
    client.post("/study/suspend", json={"card_id": buried["card"]["card_id"]})
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Card.suspended)) == 1


def test_type_in_suggests_a_grade(client, learner, bank):
    enrol(client, bank)
    page = client.get("/study/").data.decode()
    card_id = int(re.search(r'data-card-id="(\d+)"', page).group(1))
    right = client.post("/study/check", json={"card_id": card_id, "answer": "5 063"}).get_json()
    assert right == {"rating": 3, "rating_name": "Good", "feedback": right["feedback"],
                     "correct": True, "diff_html": right["diff_html"]}
    wrong = client.post("/study/check", json={"card_id": card_id, "answer": "12"}).get_json()
    assert wrong["rating"] == 1
    no_js = client.get(f"/study/?card={card_id}&show=1&answer=5063")
    assert no_js.status_code == 200


@pytest.mark.parametrize(
    ("form", "message"),
    [({"desired_retention": "0.5"}, "between 0.70 and 0.97"),
     ({"desired_retention": "lots"}, "Not a valid decimal"),
     ({"new_per_day": "-1"}, "0 to 1000"),
     ({"desired_retention": "sNaN"}, "Enter a number."),
     ({"desired_retention": "Infinity"}, "Enter a number."),
     ({"reviews_per_day": "1" + "0" * 309}, "Enter a whole number."),
     ({"new_per_day": "²"}, "Enter a whole number."),
     ({"timezone": "Mars/Olympus"}, "Not a valid choice")],
)
def test_settings_reject_bad_values(app, client, learner, form, message):
    data = {"desired_retention": "0.9", "new_per_day": "20", "reviews_per_day": "200",
            "timezone": "UTC", **form}
    response = client.post("/study/settings", data=data)
    assert response.status_code == 400
    assert message in response.data.decode()
    with app.app_context():
        assert db.session.get(User, learner.id).settings == {}


def test_settings_are_saved(app, client, learner):
    data = {"desired_retention": "0.85", "new_per_day": "5", "reviews_per_day": "50",
            "timezone": "Europe/Minsk", "type_in": "y"}
    assert client.post("/study/settings", data=data).status_code == 302
    with app.app_context():
        settings = db.session.get(User, learner.id).settings
    assert settings == {"desired_retention": 0.85, "new_per_day": 5, "reviews_per_day": 50,
                        "timezone": "Europe/Minsk", "type_in": True}


def test_optimise_explains_when_there_are_too_few_reviews(client, learner):
    response = client.post("/study/settings/optimise", follow_redirects=True)
    assert "needs at least 400 reviews" in response.data.decode()


@pytest.mark.parametrize("database", ["sqlite"])
def test_json_endpoints_need_the_csrf_token(database, tmp_path):
    app = make_test_app(database, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    login_page = client.get("/auth/login").data.decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', login_page).group(1)
    with app.app_context():
        accounts.create_user("tess", PASSWORD, now=NOW)
        db.session.commit()
    client.post("/auth/login", data={"username": "tess", "password": PASSWORD,
                                     "csrf_token": token})
    for url in ("/study/review", "/study/undo", "/study/bury", "/study/check"):
        assert client.post(url, json={"card_id": 1, "rating": 3}).status_code == 400, url


def test_suspended_cards_can_be_brought_back(app, client, learner, bank):
    enrol(client, bank)
    with app.app_context():
        card_id = db.session.scalar(select(Card.id))
    client.post("/study/suspend", data={"card_id": card_id})
    page = client.get("/study/banks").data.decode()
    assert "Suspended cards" in page and "Unsuspend" in page
    assert client.post("/study/unsuspend", data={"card_id": card_id}).status_code == 302
    with app.app_context():
        assert not db.session.get(Card, card_id).suspended
    assert client.post("/study/unsuspend", data={"card_id": 99999}).status_code == 404
    assert client.post("/study/unsuspend", data={}).status_code == 400
    assert client.post("/study/bury", data={"card_id": "x"}).status_code == 400
    assert client.post("/study/review", data={"card_id": 1}).status_code == 400


@pytest.mark.parametrize("url", ["/study/bury", "/study/suspend", "/study/unsuspend",
                                 "/study/check"])
@pytest.mark.parametrize("body", [[1], "ab", {"card_id": True}, {"card_id": 2**31},
                                  {"card_id": "²"}, {"card_id": [1]}, {}])
def test_card_actions_refuse_malformed_json(app, client, learner, bank, url, body):
    enrol(client, bank)
    response = client.post(url, json=body)
    assert response.status_code == 400 and response.get_json()["error"]


@pytest.mark.parametrize("card_id", ["²", "1" + "0" * 30, "", "x"])
def test_card_action_forms_refuse_what_is_not_a_card_number(app, client, learner, bank, card_id):
    enrol(client, bank)
    response = client.post("/study/bury", data={"card_id": card_id})
    assert response.status_code == 400 and b"Which card?" in response.data


def test_an_unknown_topic_is_named_on_the_banks_page(app, client, learner, bank):
    response = client.post("/study/banks", data={"bank_id": bank.id, f"b{bank.id}-tags": "nope"})
    assert response.status_code == 400
    assert re.search(rb'<p class="error" role="alert">[^<]*(choice|valid)', response.data)


def test_a_type_in_answer_too_long_says_why(app, client, learner, bank):
    enrol(client, bank)
    with app.app_context():
        card_id = db.session.scalar(select(Card.id))
    response = client.get(f"/study/?card={card_id}&show=1&answer=" + "x" * 1001)
    assert response.status_code == 400
    assert re.search(r'<p class="error" role="alert">Type your answer: [^<]*1000', response.text)


@pytest.mark.parametrize("retention", ["0.70", "0.97"])
def test_the_documented_limits_of_desired_retention_are_accepted(app, client, learner,
                                                                 retention):
    data = {"desired_retention": retention, "new_per_day": "20", "reviews_per_day": "200",
            "timezone": "UTC"}
    assert client.post("/study/settings", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(User, learner.id).settings["desired_retention"] == float(retention)


def test_type_in_shows_how_the_typed_answer_differs(client, learner, bank):
    enrol(client, bank)
    client.post("/study/settings", data={"desired_retention": "0.9", "new_per_day": "20",
                                         "reviews_per_day": "200", "timezone": "UTC",
                                         "type_in": "y"})
    page = client.get("/study/").data.decode()
    card_id = int(re.search(r'data-card-id="(\d+)"', page).group(1))
    checked = client.post("/study/check", json={"card_id": card_id, "answer": "5036"}).get_json()
    diff = checked["diff_html"]
    assert "You typed:" in diff and "Answer:" in diff
    assert re.search(r"<del>.*\[wrong: </span>6<", diff)
    assert re.search(r"<ins>.*\[missing: </span>6<", diff)
    no_js = client.get(f"/study/?card={card_id}&show=1&answer=5036").data.decode()
    assert "You typed:" in no_js and "[wrong: " in no_js and "[missing: " in no_js


def statements_during(app, call) -> int:
    """How many SQL statements `call` sends (BEGIN and SAVEPOINTs included)."""
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def learner_with_cards(client, make_bank, make_question, n: int):
    """Enrol the logged-in learner in a bank of n questions and grade a few of its cards,
    so that new, learning and review cards are all there."""
    bank = make_bank()
    for i in range(n):
        make_question(bank, "numeric", key=f"q{i}")
    enrol(client, bank)
    for i, rating in enumerate((1, 3, 4)):
        page = client.get("/study/").text
        card_id = int(re.search(r'data-card-id="(\d+)"', page).group(1))
        client.post("/study/review", json={"card_id": card_id, "rating": rating,
                                           "submission_id": f"warm-{n}-{i}xx"})
    page = client.get("/study/").text
    return int(re.search(r'data-card-id="(\d+)"', page).group(1))


def test_statement_counts_do_not_grow_with_the_cards(app, client, learner, make_bank,
                                                     make_question):
    """The same learner measured at 5 and at 200 cards (one test, so the two counts are
    compared, not only bounded)."""
    measured = []
    for n in (5, 200):
        card_id = learner_with_cards(client, make_bank, make_question, n)
        body = {"card_id": card_id, "rating": 3, "submission_id": f"grows-{n}xxx"}
        measured.append((statements_during(app, lambda b=body: client.post("/study/review",
                                                                           json=b)),
                         statements_during(app, lambda: client.get("/study/"))))
    assert measured[0] == measured[1], measured


def test_the_banks_page_costs_the_same_statements_with_2_or_20_suspended_cards(
        app, client, learner, make_bank, make_question):
    measured = []
    for n in (2, 20):
        bank = make_bank()
        for i in range(n):
            make_question(bank, "numeric", key=f"s{i}")
        enrol(client, bank)
        with app.app_context():
            ids = db.session.scalars(select(Card.id).join(Card.question)
                                     .where(Card.suspended.is_(False))
                                     .order_by(Card.id)).all()[:n]
        for card_id in ids:
            assert client.post("/study/suspend", data={"card_id": card_id}).status_code == 302
        page = client.get("/study/banks")
        assert page.text.count("Unsuspend</button>") == (2 if n == 2 else 22)
        measured.append(statements_during(app, lambda: client.get("/study/banks")))
    assert measured[0] == measured[1], measured


def test_the_page_carries_an_undo_id_and_a_resent_undo_undoes_once(app, client, learner, bank):
    enrol(client, bank)
    for n in range(2):
        page = client.get("/study/").text
        card_id = int(re.search(r'data-card-id="(\d+)"', page).group(1))
        client.post("/study/review", json={"card_id": card_id, "rating": 3,
                                           "submission_id": f"undo-page-{n}"})
    undo_id = re.search(r'data-undo-submission-id="([^"]+)"', client.get("/study/").text).group(1)
    first = client.post("/study/undo", data={"submission_id": undo_id})
    again = client.post("/study/undo", data={"submission_id": undo_id})  # back + resubmit
    assert first.status_code == again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1
    reply = client.post("/study/undo", json={"submission_id": "undo-json-1"}).get_json()
    assert reply["applied"] is True and reply["undo_submission_id"] != "undo-json-1"
    assert client.post("/study/undo", json={"submission_id": "undo-json-1"}).get_json()[
        "applied"] is False
    assert client.post("/study/undo", json={"submission_id": "bad id"}).status_code == 400


def _lock_free_while_the_next_card_is_read(app, client, bank, monkeypatch) -> list[bool]:
    """Grade a card with the JSON endpoint; while the next card is read, another connection
    tries to take the write lock at once (SQLite: BEGIN IMMEDIATE; PostgreSQL: the graded
    card's row, FOR UPDATE NOWAIT). True: it could."""
    from quizapp.study import views

    enrol(client, bank)
    page = client.get("/study/").data.decode()
    card_id = int(re.search(r'data-card-id="(\d+)"', page).group(1))
    seen: list[bool] = []
    real_payload = views.payload

    def payload(*args, **kwargs):
        if db.engine.dialect.name == "sqlite":
            other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
            except sqlite3.OperationalError:  # database is locked
                seen.append(False)
            else:
                seen.append(True)
            finally:
                other.close()
        else:
            with db.engine.connect() as other:
                try:
                    other.exec_driver_sql(
                        f"SELECT id FROM card WHERE id = {card_id} FOR UPDATE NOWAIT")
                except OperationalError:  # the row is locked
                    seen.append(False)
                else:
                    seen.append(True)
                other.rollback()
        return real_payload(*args, **kwargs)

    monkeypatch.setattr(views, "payload", payload)
    response = client.post("/study/review", json={"card_id": card_id, "rating": 3,
                                                  "submission_id": "lock-free-1"})
    assert response.status_code == 200 and response.json["applied"] is True
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1
    return seen


def test_the_next_card_is_read_after_the_review_committed(app, client, learner, bank,
                                                          monkeypatch):
    """A review holds no lock while the next card is computed and built (issue 15)."""
    assert _lock_free_while_the_next_card_is_read(app, client, bank, monkeypatch) == [True]


def test_negative_control_a_review_holding_its_lock_is_caught(app, client, learner, bank,
                                                              monkeypatch):
    """Without the early commit, the review's lock lasts until the request ends, and the
    test above would say so."""
    from quizapp.study import views

    monkeypatch.setattr(views.unit_of_work, "change_done", lambda: None)
    assert _lock_free_while_the_next_card_is_read(app, client, bank, monkeypatch) == [False]
