"""Partial credit on the web: the editor saves fractions and feedback, the quiz shows the
partial score and the author's feedback on the chosen option (escaped)."""

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Question, QuestionRevision
from tests.views.test_author import form_for, question_id
from tests.views.test_quiz import start


@pytest.fixture
def owner(make_user):
    return make_user("owner", role="instructor")


@pytest.fixture
def bank(make_bank, make_question, owner):
    bank = make_bank(title="Editable", owner=owner, article="minsk-talks")
    make_question(bank, "numeric", key="victims")
    return bank


def saved_data(app, key):
    with app.app_context():
        return db.session.get(Question, question_id(app, key)).data


def test_the_editor_saves_fractions_and_feedback(app, client, auth, bank):
    auth.login("owner")
    data = {**form_for("multiple_choice", key="weighted")}
    data.update({"options-0-fraction": "0.5", "options-0-feedback": "Yes, a mediator.",
                 "options-1-fraction": "50%", "options-2-fraction": "-0.25",
                 "options-2-feedback": "No."})
    response = client.post(f"/author/banks/{bank.id}/questions/new", data=data)
    assert response.status_code == 302, response.data.decode()
    options = saved_data(app, "weighted")["options"]
    assert [o.get("fraction") for o in options[:3]] == [0.5, 0.5, -0.25]
    assert options[0]["feedback"] == "Yes, a mediator." and options[2]["feedback"] == "No."
    assert [o["correct"] for o in options[:3]] == [True, True, False]
    page = client.get(response.location).data.decode()  # the editor shows them again
    assert 'value="0.5"' in page and 'value="-0.25"' in page and "Yes, a mediator." in page


def test_the_editor_saves_short_answers_with_fractions(app, client, auth, bank):
    auth.login("owner")
    data = {**form_for("short_answer", key="named")}
    data.update({"answers-1-fraction": "0.5", "answers-1-feedback": "Full name, please.",
                 "answers-2-text": "Pushilin", "answers-2-fraction": "0",
                 "answers-2-feedback": "Not him."})
    response = client.post(f"/author/banks/{bank.id}/questions/new", data=data)
    assert response.status_code == 302, response.data.decode()
    answers = saved_data(app, "named")["answers"]
    assert isinstance(answers[0], str)
    assert answers[1:] == [
        {"text": answers[1]["text"], "fraction": 0.5, "feedback": "Full name, please."},
        {"text": "Pushilin", "fraction": 0.0, "feedback": "Not him."}]


@pytest.mark.parametrize(("qtype", "change", "message"), [
    ("multiple_choice", {"options-0-fraction": "lots"}, "A fraction is a number from -1 to 1"),
    ("multiple_choice", {"options-0-fraction": "2"}, "A fraction is a number from -1 to 1"),
    ("multiple_choice", {"options-0-fraction": "nan"}, "A fraction is a number from -1 to 1"),
    ("single_choice", {"options-0-correct": "", "options-0-fraction": "0.5"},
     "needs an option with fraction 1"),
    ("single_choice", {"options-1-correct": "y", "options-1-fraction": "-0.5"},
     "correct flag must agree with its fraction"),
    ("multiple_choice", {"options-0-feedback": "x" * 1001}, "1000 characters"),
    ("short_answer", {"answers-0-fraction": "-0.5"}, "A fraction is a number from 0 to 1"),
    ("short_answer", {"answers-0-fraction": "0.5", "answers-1-fraction": "0.2"},
     "needs an answer with fraction 1"),
])
def test_bad_fractions_in_the_editor_get_400_and_save_nothing(app, client, auth, bank, qtype,
                                                              change, message):
    auth.login("owner")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(QuestionRevision))
    response = client.post(f"/author/banks/{bank.id}/questions/new",
                           data={**form_for(qtype), **change})
    assert response.status_code == 400
    assert message in response.data.decode()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuestionRevision)) == before


@pytest.fixture
def learner(make_user, auth):
    user = make_user("learner")
    auth.login("learner")
    return user


def test_the_quiz_shows_the_partial_score_and_the_option_feedback(app, client, make_bank,
                                                                   make_question, learner):
    bank = make_bank(title="Partial")
    make_question(bank, "single_choice", key="venue", options=[
        {"text": "Zaslaūje", "correct": True},
        {"text": "Minsk", "fraction": 0.5, "feedback": "Close: <b>just</b> outside."},
        {"text": "Vienna", "correct": False, "feedback": "No, that was later."}])
    attempt_id = start(client, bank)
    url = f"/quiz/{attempt_id}/q/0"
    assert client.post(url, data={"answer": "1"}).status_code == 302
    page = client.get(url).data.decode()
    assert "Partly right (50%)" in page
    assert "Close: &lt;b&gt;just&lt;/b&gt; outside." in page and "<b>just" not in page
    assert "No, that was later." not in page  # only the chosen option's feedback
    results = client.get(f"/quiz/{attempt_id}/results").data.decode()
    assert "50%" in results and "Close: &lt;b&gt;just&lt;/b&gt; outside." in results


def test_multiple_choice_sums_the_fractions_in_the_quiz(app, client, make_bank, make_question,
                                                        learner):
    bank = make_bank(title="Weighted")
    make_question(bank, "multiple_choice", key="parties", options=[
        {"text": "OSCE", "fraction": 0.5}, {"text": "Russia", "fraction": 0.5},
        {"text": "EU", "fraction": -0.25, "feedback": "The EU was not at the table."}])
    attempt_id = start(client, bank)
    url = f"/quiz/{attempt_id}/q/0"
    client.post(url, data={"answer": ["0", "1", "2"]})
    page = client.get(url).data.decode()
    assert "Partly right (75%)" in page and "The EU was not at the table." in page
