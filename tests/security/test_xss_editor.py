"""Stored XSS through the editor: no payload renders as anything executable, anywhere."""

import html

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank
from tests.security.xss import (
    PAYLOADS,
    assert_bank_pages_are_inert,
    assert_page_is_inert,
    executable_parts,
)
from tests.views.test_author import form_for


def test_the_checker_catches_each_payload_raw():
    caught = [p for p in PAYLOADS if executable_parts(p)]
    assert len(caught) >= 15  # markdown-only and template payloads need rendering to matter


@pytest.fixture
def hostile_bank(app, client, auth, make_user, make_bank):
    owner = make_user("owner", role="instructor")
    bank = make_bank(title="Hostile", owner=owner, topics_=("venue",))  # form_for's topic
    auth.login("owner")
    for n, payload in enumerate(PAYLOADS):
        form = form_for("single_choice", key=f"x{n}", prompt=f"Q {payload}",
                        explanation=f"Because {payload}")
        form["options-0-text"] = f"Right {payload}"
        form["options-1-text"] = f"Wrong {payload}"
        response = client.post(f"/author/banks/{bank.id}/questions/new", data=form)
        assert response.status_code == 302, payload
    auth.logout()
    return bank


def test_no_payload_executes_in_any_page(app, client, auth, make_user, hostile_bank):
    auth.login("owner")
    preview = {**form_for("single_choice", key="p", prompt=PAYLOADS[0] + PAYLOADS[5]),
               "preview": "Preview"}
    preview.pop("save")
    page = client.post(f"/author/banks/{hostile_bank.id}/questions/new",
                       data=preview).data.decode()
    assert "Preview: as a flashcard" in page and executable_parts(page) == []
    auth.logout()
    assert_bank_pages_are_inert(app, client, auth, make_user, hostile_bank.id, "owner")


def test_no_payload_in_a_bank_title_or_description_executes(app, client, auth, make_user,
                                                            make_question):
    """Bank titles show on the author's, the class and the learner's pages."""
    make_user("owner", role="instructor")
    auth.login("owner")
    for n, payload in enumerate(PAYLOADS):
        response = client.post("/author/banks/new", data={
            "slug": f"hostile-{n}", "title": f"T {payload}", "description": f"D {payload}"})
        assert response.status_code == 302, payload
        with app.app_context():
            bank = db.session.scalar(select(Bank).where(Bank.slug == f"hostile-{n}"))
        make_question(bank, "true_false")  # banks without questions are not offered
        assert client.post(f"/author/banks/{bank.id}/publish").status_code == 302
    shown = html.escape(f"T {PAYLOADS[0]}", quote=False)
    for url in ("/author/", "/progress/class", "/quiz/", "/study/banks"):
        assert shown in assert_page_is_inert(client, url), url
    auth.logout()
    make_user("reader")
    auth.login("reader")
    for url in ("/quiz/", "/study/banks"):
        assert shown in assert_page_is_inert(client, url), url
