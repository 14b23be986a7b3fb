"""Stored XSS through the editor: no payload renders as anything executable, anywhere."""

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Card, Question
from quizapp.services import study
from tests.conftest import NOW
from tests.security.xss import PAYLOADS, executable_parts
from tests.views.test_author import form_for


def test_the_checker_catches_each_payload_raw():
    caught = [p for p in PAYLOADS if executable_parts(p)]
    assert len(caught) >= 15  # markdown-only and template payloads need rendering to matter


@pytest.fixture
def hostile_bank(app, client, auth, make_user, make_bank):
    owner = make_user("owner", role="instructor")
    bank = make_bank(title="Hostile", owner=owner)
    auth.login("owner")
    for n, payload in enumerate(PAYLOADS):
        form = form_for("single_choice", key=f"x{n}", prompt=f"Q {payload}",
                        explanation=f"Because {payload}")
        form["options-0-text"] = f"Right {payload}"
        form["options-1-text"] = f"Wrong {payload}"
        response = client.post(f"/author/banks/{bank.id}/questions/new", data=form)
        assert response.status_code == 302, payload
    return bank


def test_no_payload_executes_in_any_page(app, client, auth, make_user, hostile_bank):
    bank = hostile_bank
    with app.app_context():
        ids = list(db.session.scalars(select(Question.id).where(Question.bank_id == bank.id)))
    author_pages = [f"/author/banks/{bank.id}/questions"]
    for qid in ids:
        author_pages += [f"/author/banks/{bank.id}/questions/{qid}",
                         f"/author/banks/{bank.id}/questions/{qid}/history"]
    for url in author_pages:
        _check(client, url)
    preview = {**form_for("single_choice", key="p", prompt=PAYLOADS[0] + PAYLOADS[5]),
               "preview": "Preview"}
    preview.pop("save")
    page = client.post(f"/author/banks/{bank.id}/questions/new", data=preview).data.decode()
    assert "Preview: as a flashcard" in page and executable_parts(page) == []

    learner = make_user("reader")
    with app.app_context():
        study.enrol(learner.id, bank.id, [], NOW)
    auth.logout()
    auth.login("reader")
    response = client.post("/quiz/", data={"banks": [str(bank.id)], "count": str(len(ids)),
                                           "mode": "practice"})
    attempt = re.search(r"/quiz/(\d+)/", response.location).group(1)
    for position in range(len(ids)):
        url = f"/quiz/{attempt}/q/{position}"
        _check(client, url)
        client.post(url, data={"answer": "1"})
        _check(client, url)  # feedback: both answers, explanation
    with app.app_context():
        cards = list(db.session.scalars(select(Card.id).where(Card.user_id == learner.id)))
    backs = [f"/study/?card={card_id}&show=1" for card_id in cards]
    for url in (f"/quiz/{attempt}/results", "/study/", "/progress/", "/study/banks", *backs):
        _check(client, url)


def _check(client, url):
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    problems = executable_parts(response.data.decode())
    assert problems == [], f"{url}: {problems}"
