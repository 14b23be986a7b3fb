"""The owner and an administrator publishing one draft at once, in separate processes: it is
published once (one page says so, the other that it already was), and its publication time
is the first one's. The negative control runs the same race with the row locks off
(QUIZAPP_LOCKING False in the children): both read a draft, and both say they published."""


import pytest

from quizapp.extensions import db
from quizapp.models import Bank
from tests.reliability.processes import race_forms
from tests.reliability.workers_authoring import submit

pytestmark = pytest.mark.slow


@pytest.fixture
def draft(app, make_user, make_bank, make_question):
    owner = make_user("owner", role="instructor")
    make_user("boss", role="admin")
    bank = make_bank(title="Draft", owner=owner, published_at=None)
    make_question(bank)
    return bank


def race(app, bank_id: int, *, locked: bool = True) -> dict[str, tuple]:
    page = f"/author/banks/{bank_id}/questions"
    jobs = [(name, page, f"/author/banks/{bank_id}/publish", {}, False)
            for name in ("owner", "boss")]
    return race_forms(submit, app.config["SQLALCHEMY_DATABASE_URI"], jobs, locked=locked)


def said(outcomes) -> list[str]:
    return sorted("published" if "Bank published" in text
                  else "already" if "already published" in text else text[:300]
                  for _, text in outcomes.values())


def test_two_publishes_at_once_publish_once(app, draft):
    outcomes = race(app, draft.id)
    assert [outcome for outcome, _ in outcomes.values()] == [302, 302], outcomes
    assert said(outcomes) == ["already", "published"]
    with app.app_context():
        assert db.session.get(Bank, draft.id).published_at is not None


def test_negative_control_without_locks_both_publish(app, draft):
    outcomes = race(app, draft.id, locked=False)
    assert said(outcomes) == ["published", "published"]
