"""Progress pages: dashboard, my data (export, delete), and the instructor's class view."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import Bank, Card, QuizAttempt, Review, User
from quizapp.services import accounts, quizzes, study
from quizapp.services.my_data import to_csv
from tests.conftest import NOW, PASSWORD


@pytest.fixture
def bank(make_bank, make_question, make_user):
    owner = make_user("owner", role="instructor")
    bank = make_bank(title="Demo bank", owner=owner)
    for n in range(3):
        make_question(bank, "numeric", key=f"n{n}", tags=["venue"])
    return bank


@pytest.fixture
def active_learner(app, make_user, bank):
    """A learner with one flashcard review and one finished quiz."""
    learner = make_user("lee")
    with app.app_context(), unit_of_work.unit():
        study.enrol(learner.id, bank.id, [], NOW)
        card = study.queue(db.session.get(User, learner.id), NOW).card
        study.answer_card(learner.id, card.id, 3, NOW, submission_id="p-review-1")
        db.session.commit()  # services flush; the caller commits
        attempt = quizzes.start_attempt(learner.id, bank_ids=[bank.id], tags=[], types=[],
                                        count=2, mode="test", now=NOW, seed=1)
        quizzes.submit_answer(learner.id, attempt.id, 0, "12", NOW)
        quizzes.submit_answer(learner.id, attempt.id, 1, "5063", NOW)
    return learner


def test_dashboard_shows_the_learners_own_numbers(client, auth, active_learner):
    auth.login("lee")
    page = client.get("/progress/").data.decode()
    assert "My progress" in page and "Demo bank" in page
    assert 'data-chart="bar"' in page and 'data-chart="line"' in page
    assert "<table" in page and "Study these" in page


def test_exports(client, auth, active_learner):
    auth.login("lee")
    reviews = client.get("/progress/export/reviews.csv")
    assert reviews.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(reviews.data.decode())))
    assert {r["origin"] for r in rows} == {"flashcard", "quiz"} and len(rows) == 3
    attempts = client.get("/progress/export/attempts.json").get_json()
    assert len(attempts) == 2 and {a["question_key"] for a in attempts} <= {"n0", "n1", "n2"}
    assert "5063" in client.get("/progress/export/attempts.csv").data.decode()
    assert client.get("/progress/export/secrets.csv").status_code == 404


def test_delete_account_needs_confirmation_and_password(app, client, auth, active_learner):
    auth.login("lee")
    wrong = client.post("/progress/delete-account", data={"confirm": "y", "password": "nope"})
    assert wrong.status_code == 400 and b"nothing was deleted" in wrong.data
    unconfirmed = client.post("/progress/delete-account", data={"password": PASSWORD})
    assert unconfirmed.status_code == 400
    with app.app_context():
        assert db.session.get(User, active_learner.id) is not None
    done = client.post("/progress/delete-account", data={"confirm": "y", "password": PASSWORD})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(User, active_learner.id) is None
        for model in (Card, Review, QuizAttempt):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 1
    assert auth.login("lee").status_code == 400


@pytest.mark.parametrize(
    ("who", "status"),
    [("lee", 403), ("other", 403), ("owner", 200), ("root", 200), (None, 302)],
)
def test_class_view_access(client, auth, make_user, bank, active_learner, who, status):
    make_user("other", role="instructor")
    make_user("root", role="admin")
    if who:
        auth.login(who)
    response = client.get(f"/progress/class/{bank.id}")
    assert response.status_code == status
    if status == 200:
        page = response.data.decode()
        assert "lee" in page and "n0" in page
    assert client.get("/progress/class/9999").status_code in (302, 403, 404)


def test_class_bank_list_only_shows_managed_banks(client, auth, make_user, make_bank, bank):
    make_bank(title="Someone else's")
    auth.login("owner")
    page = client.get("/progress/class").data.decode()
    assert "Demo bank" in page and "Someone else" not in page


def test_study_weak_starts_a_practice_quiz(client, auth, make_user, bank, active_learner):
    auth.login("lee")
    response = client.post("/progress/study-weak")
    assert response.status_code == 302


def test_csv_cells_that_look_like_formulas_are_neutralised():
    text = to_csv([{"a": "=HYPERLINK(1)", "b": "+1", "c": "plain", "d": ["x"]}],
                  ["a", "b", "c", "d"])
    assert text.splitlines()[1] == "'=HYPERLINK(1),'+1,plain,\"[\"\"x\"\"]\""


def test_dashboard_lists_each_banks_topics_under_that_bank(app, client, auth, make_user,
                                                           make_bank, make_question):
    first = make_bank(title="Alpha bank")
    make_question(first, "numeric", key="a0", tags=["venue"])
    second = make_bank(title="Beta bank")
    make_question(second, "numeric", key="b0", tags=["economy"])
    learner = make_user("mia")
    with app.app_context():
        for bank in (first, second):
            study.enrol(learner.id, bank.id, [], NOW)
        db.session.commit()  # services flush; the caller commits
    auth.login("mia")
    page = client.get("/progress/").data.decode()
    table = page[page.index("Mastery by bank and topic"):]
    rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', table)[:4]
    assert rows == ["Alpha bank", "Venue", "Beta bank", "Economy"]  # labels from the slugs


def test_dashboard_quiz_times_are_in_the_learners_time_zone(app, client, auth, active_learner):
    with app.app_context():
        accounts.update_settings(active_learner.id, {"timezone": "Europe/Minsk"})
        db.session.commit()
    auth.login("lee")
    page = client.get("/progress/").data.decode()
    assert "2026-03-02 15:00 +03" in page and "2026-03-02 12:00" not in page
