"""The quiz pages without JavaScript: plain form posts."""

import re
from contextlib import contextmanager
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import AttemptAnswer, QuizAttempt
from quizapp.models.types import utcnow
from quizapp.services import accounts, quizzes
from tests.conftest import NOW

TYPES = ["single_choice", "multiple_choice", "true_false", "short_answer", "numeric",
         "ordering", "matching", "cloze"]


@pytest.fixture
def learner(app, make_user, auth):
    user = make_user("learner")
    auth.login("learner")
    return user


@pytest.fixture
def bank(make_bank, make_question):
    bank = make_bank(title="Demo bank")
    for qtype in TYPES:
        make_question(bank, qtype, key=qtype.replace("_", "-"), tags=["venue"])
    return bank


def start(client, bank, **form):
    data = {"banks": [str(bank.id)], "count": "10", "mode": "practice", **form}
    response = client.post("/quiz/", data=data)
    assert response.status_code == 302, response.data
    return int(re.search(r"/quiz/(\d+)/", response.location).group(1))


def snapshot_at(app, attempt_id, position):
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        return quizzes.revision_at(attempt, position).snapshot


def test_start_page_lists_banks_topics_and_types(client, learner, bank):
    page = client.get("/quiz/").data.decode()
    assert "Demo bank" in page and "Venue" in page and "Fill the gaps" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [({"count": "0"}, "Number must be between 1 and 100"),
     ({"mode": "cram"}, "Not a valid choice"),
     ({"banks": ["999"]}, "not a valid choice"),
     ({"types": ["essay"]}, "is not a valid choice"),
     ({"time_limit": "5"}, "in test mode")],
)
def test_start_rejects_bad_input_with_400(client, learner, bank, form, message):
    data = {"banks": [str(bank.id)], "count": "10", "mode": "practice", **form}
    response = client.post("/quiz/", data=data)
    assert response.status_code == 400
    assert message.lower() in response.data.decode().lower()


def right_form(snapshot, page: str) -> dict:
    kind = snapshot["type"]
    if kind == "single_choice":
        return {"answer": str(next(i for i, o in enumerate(snapshot["options"]) if o["correct"]))}
    if kind == "multiple_choice":
        return {"answer": [str(i) for i, o in enumerate(snapshot["options"]) if o["correct"]]}
    if kind == "true_false":
        return {"answer": "true" if snapshot["answer"] else "false"}
    if kind == "short_answer":
        return {"answer": snapshot["answers"][0].upper() + "  "}
    if kind == "numeric":
        return {"answer": f"{snapshot['value']:,.0f}"}
    if kind == "ordering":
        return {f"order_{k}": str(k) for k in range(len(snapshot["items"]))}
    if kind == "matching":
        return {f"match_{i}": str(i) for i in range(len(snapshot["pairs"]))}
    if kind == "cloze":
        return {f"gap_{i}": alts[0] for i, alts in enumerate(snapshot["gaps"])}
    raise AssertionError(kind)


def test_every_type_can_be_answered_right_in_practice_mode(app, client, learner, bank):
    attempt_id = start(client, bank)
    for position in range(len(TYPES)):
        url = f"/quiz/{attempt_id}/q/{position}"
        page = client.get(url).data.decode()
        assert f"Question {position + 1} of {len(TYPES)}" in page
        snapshot = snapshot_at(app, attempt_id, position)
        response = client.post(url, data=right_form(snapshot, page))
        assert response.status_code == 302 and response.location.endswith(url)
        shown = client.get(url).data.decode()
        assert "Right" in shown and "Because the article says so." in shown, snapshot["type"]
        assert "minsk-talks, paragraph 2" in shown
    results = client.get(f"/quiz/{attempt_id}/results").data.decode()
    assert "100%" in results


def test_wrong_answer_shows_both_answers(app, client, learner, bank):
    attempt_id = start(client, bank, types=["numeric"])
    client.post(f"/quiz/{attempt_id}/q/0", data={"answer": "12"})
    page = client.get(f"/quiz/{attempt_id}/q/0").data.decode()
    assert "Not right" in page
    assert "<li>12</li>" in page and "5,063 victims" in page


def test_test_mode_hides_feedback_until_the_end(app, client, learner, bank):
    attempt_id = start(client, bank, types=["numeric", "true_false"], mode="test")
    for position in range(2):
        snapshot = snapshot_at(app, attempt_id, position)
        response = client.post(f"/quiz/{attempt_id}/q/{position}",
                               data=right_form(snapshot, ""))
        assert response.status_code == 302
    page = client.get(f"/quiz/{attempt_id}/q/0").data.decode()
    assert "Right" not in page or "See results" in page
    results = client.get(f"/quiz/{attempt_id}/results").data.decode()
    assert "100%" in results and "Question by question" in results


def test_invalid_answers_get_400_and_record_nothing(app, client, learner, bank):
    attempt_id = start(client, bank, types=["single_choice"])
    for data in ({"answer": "7"}, {"answer": "abc"}, {}):
        response = client.post(f"/quiz/{attempt_id}/q/0", data=data)
        assert response.status_code == 400
    assert b"Pick an option" in client.post(f"/quiz/{attempt_id}/q/0", data={}).data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0


def test_ordering_moves_work_without_javascript(app, client, learner, bank):
    attempt_id = start(client, bank, types=["ordering"])
    url = f"/quiz/{attempt_id}/q/0"
    page = client.get(url).data.decode()
    order = re.findall(r'name="order_\d" type="hidden" value="(\d)"', page)
    response = client.post(url, data={**{f"order_{k}": v for k, v in enumerate(order)},
                                      "move": "down-0"})
    assert response.status_code == 200
    moved = re.findall(r'name="order_\d" type="hidden" value="(\d)"', response.data.decode())
    assert moved == [order[1], order[0], *order[2:]]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0


def test_double_submit_records_once(app, client, learner, bank):
    attempt_id = start(client, bank, types=["numeric"])
    for answer in ("5063", "1"):
        assert client.post(f"/quiz/{attempt_id}/q/0", data={"answer": answer}).status_code == 302
    with app.app_context():
        answers = db.session.scalars(select(AttemptAnswer)).all()
        assert [a.response for a in answers] == ["5063"]


def test_other_learners_attempts_are_hidden(app, client, auth, make_user, learner, bank):
    attempt_id = start(client, bank)
    make_user("other")
    auth.logout()
    auth.login("other")
    base = f"/quiz/{attempt_id}"
    for method, url in [("get", base), ("get", f"{base}/q/0"), ("post", f"{base}/q/0"),
                        ("get", f"{base}/results"), ("post", f"{base}/finish"),
                        ("post", f"{base}/retry")]:
        assert getattr(client, method)(url, data={"answer": "5063"}).status_code == 404, url
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0


def test_resume_goes_to_the_first_unanswered_question(app, client, learner, bank):
    attempt_id = start(client, bank, types=["numeric", "true_false"], mode="test")
    snapshot = snapshot_at(app, attempt_id, 0)
    client.post(f"/quiz/{attempt_id}/q/0", data=right_form(snapshot, ""))
    assert client.get(f"/quiz/{attempt_id}").location.endswith(f"/quiz/{attempt_id}/q/1")
    assert client.get(f"/quiz/{attempt_id}/q/99").status_code == 404
    assert "in progress" in client.get("/quiz/").data.decode()


def test_finish_results_and_retry(client, learner, bank):
    attempt_id = start(client, bank, types=["numeric", "true_false"])
    client.post(f"/quiz/{attempt_id}/finish")
    page = client.get(f"/quiz/{attempt_id}/results").data.decode()
    assert "0%" in page and "Not answered" in page
    response = client.post(f"/quiz/{attempt_id}/retry")
    assert response.status_code == 302 and "/q/0" in response.location


@pytest.mark.parametrize("move", ["down-²", "down-٣", "up-99999999999999999999", "sideways-0"])
def test_an_unknown_ordering_move_is_a_400(app, client, learner, bank, move):
    attempt_id = start(client, bank, types=["ordering"])
    response = client.post(f"/quiz/{attempt_id}/q/0", data={"move": move})
    assert response.status_code == 400 and b"Unknown move." in response.data


@pytest.mark.parametrize("value", ["x", "-1", "99", "²"])
def test_a_matching_answer_that_names_no_option_is_refused(app, client, learner, bank, value):
    attempt_id = start(client, bank, types=["matching"])
    response = client.post(f"/quiz/{attempt_id}/q/0", data={"match_0": value})
    assert response.status_code == 400 and b'class="error"' in response.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0


@pytest.mark.parametrize("value", ["", " ", "\t"])
def test_a_blank_matching_choice_counts_as_unmatched(app, client, learner, bank, value):
    attempt_id = start(client, bank, types=["matching"])
    response = client.post(f"/quiz/{attempt_id}/q/0", data={"match_0": value})
    assert response.status_code == 302
    with app.app_context():
        answer = db.session.scalars(select(AttemptAnswer)).one()
        assert answer.response[0] is None and not answer.correct


def test_history_and_timer_show_the_learners_time_zone(app, client, learner, bank):
    with app.app_context(), unit_of_work.unit():
        accounts.update_settings(learner.id, {"timezone": "Europe/Minsk"})  # UTC+3
        quizzes.start_attempt(learner.id, bank_ids=[bank.id], tags=[], types=[], count=2,
                              mode="practice", now=NOW)
        db.session.commit()
    history = client.get("/quiz/").data.decode()
    assert "2026-03-02 15:00" in history and "2026-03-02 12:00" not in history
    attempt_id = start(client, bank, mode="test", time_limit="10")
    with app.app_context():
        limit = quizzes.deadline(db.session.get(QuizAttempt, attempt_id))
    page = client.get(f"/quiz/{attempt_id}/q/0").data.decode()
    local = limit.astimezone(ZoneInfo("Europe/Minsk")).strftime("%H:%M")
    assert f"until {local}" in page and "UTC" not in page


def _timed_attempt(app, learner, bank, seconds_ago: int) -> int:
    """A 1-minute test started `seconds_ago` seconds ago."""
    with app.app_context(), unit_of_work.unit():
        attempt = quizzes.start_attempt(
            learner.id, bank_ids=[bank.id], tags=[], types=["true_false", "numeric"], count=2,
            mode="test", time_limit_s=60, now=utcnow() - timedelta(seconds=seconds_ago))
        return attempt.id


def test_a_blank_answer_sent_when_time_runs_out_opens_the_results(app, client, learner, bank):
    attempt_id = _timed_attempt(app, learner, bank, seconds_ago=61)
    response = client.post(f"/quiz/{attempt_id}/q/0", data={"timed_out": "1"})
    assert response.status_code == 302 and response.location.endswith("/results")
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.finished_at is not None and attempt.answers == []
        assert attempt.finished_at == attempt.started_at + timedelta(seconds=60)


def test_an_answer_sent_when_time_runs_out_is_kept_and_opens_the_results(app, client, learner,
                                                                         bank):
    attempt_id = _timed_attempt(app, learner, bank, seconds_ago=61)
    snapshot = snapshot_at(app, attempt_id, 0)
    answer = "true" if snapshot["type"] == "true_false" else "5063"
    response = client.post(f"/quiz/{attempt_id}/q/0", data={"answer": answer, "timed_out": "1"})
    assert response.status_code == 302 and response.location.endswith("/results")
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.finished_at is not None and len(attempt.answers) == 1


def test_timed_out_before_the_deadline_is_an_ordinary_submission(app, client, learner, bank):
    attempt_id = _timed_attempt(app, learner, bank, seconds_ago=10)
    response = client.post(f"/quiz/{attempt_id}/q/0", data={"timed_out": "1"})
    assert response.status_code == 400
    page = client.get(f"/quiz/{attempt_id}/q/0").data.decode()
    left = int(re.search(r'data-seconds-left="(\d+)"', page).group(1))
    assert 0 < left <= 50
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).finished_at is None


@contextmanager
def statements(app):
    """The SQL statements the block sends."""
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def page_statements(app, client, make_bank, make_question, size: int) -> dict[str, int]:
    """Statements of the question pages (open and answered, during and after the quiz) and
    of the results page, for a test of `size` questions with all but the last answered."""
    bank = make_bank()
    for n in range(size):
        make_question(bank, TYPES[n % len(TYPES)], key=f"q{n}")
    attempt_id = start(client, bank, count=str(size), mode="test")
    for position in range(size - 1):
        snapshot = snapshot_at(app, attempt_id, position)
        response = client.post(f"/quiz/{attempt_id}/q/{position}",
                               data=right_form(snapshot, ""))
        assert response.status_code == 302
    pages = [("open question", f"/quiz/{attempt_id}/q/{size - 1}"),
             ("answered question", f"/quiz/{attempt_id}/q/0"),
             ("finish", None),
             ("results", f"/quiz/{attempt_id}/results"),
             ("question with feedback", f"/quiz/{attempt_id}/q/0")]
    counts = {}
    for name, url in pages:
        if url is None:
            assert client.post(f"/quiz/{attempt_id}/finish").status_code == 302
            continue
        with statements(app) as sent:
            assert client.get(url).status_code == 200, url
        counts[name] = len(sent)
    return counts


def test_the_pages_of_a_quiz_take_as_many_statements_whatever_its_size(
        app, client, learner, make_bank, make_question):
    small = page_statements(app, client, make_bank, make_question, 3)
    large = page_statements(app, client, make_bank, make_question, 24)
    assert small == large
    assert large["results"] <= 12, large


def test_an_answer_from_a_tab_left_open_after_finish_records_nothing(app, client, learner, bank):
    attempt_id = start(client, bank, types=["numeric", "true_false"], mode="test")
    assert client.post(f"/quiz/{attempt_id}/finish").status_code == 302
    response = client.post(f"/quiz/{attempt_id}/q/0", data={"answer": "5063"})
    assert response.status_code == 302 and response.location.endswith("/results")
    page = client.get(response.location).data.decode()
    assert "its answers can no longer change" in page and "0%" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
        assert db.session.get(QuizAttempt, attempt_id).score == 0


def test_an_answer_after_the_time_limit_stores_the_end_and_not_the_answer(app, client, learner,
                                                                          bank):
    attempt_id = _timed_attempt(app, learner, bank, seconds_ago=120)
    snapshot = snapshot_at(app, attempt_id, 0)
    answer = "true" if snapshot["type"] == "true_false" else "5063"
    response = client.post(f"/quiz/{attempt_id}/q/0", data={"answer": answer})
    assert response.status_code == 302 and response.location.endswith("/results")
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.answers == [] and attempt.score == 0
        assert attempt.finished_at == attempt.started_at + timedelta(seconds=60)


def test_retry_is_offered_only_when_something_was_missed(app, client, learner, bank):
    attempt_id = start(client, bank, types=["numeric"])
    client.post(f"/quiz/{attempt_id}/q/0", data={"answer": "5063"})  # the only one: finished
    page = client.get(f"/quiz/{attempt_id}/results").data.decode()
    assert "100%" in page and "Retry the ones I missed" not in page
    response = client.post(f"/quiz/{attempt_id}/retry")
    assert response.status_code == 400 and b"You missed nothing" in response.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
