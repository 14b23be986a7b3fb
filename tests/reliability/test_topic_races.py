"""Two editors renaming two topics of one bank to the same name at once, in separate
processes: one renamed, one told the name is taken (400), never two topics of one name.
The negative control runs the same race with the row locks off (QUIZAPP_LOCKING False in
the children): both pass the check, and the bank ends with two topics of that name."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Topic, User
from tests.reliability.processes import race_forms
from tests.reliability.workers_topics import submit

pytestmark = pytest.mark.slow


@pytest.fixture
def scene(app, make_user, make_bank, make_question):
    owner = make_user("owner", role="instructor")
    editor = make_user("editor", role="instructor")
    bank = make_bank(title="Shared", owner=owner)
    make_question(bank, key="one", tags=["venue", "people"])
    with app.app_context():
        shared = db.session.get(Bank, bank.id)
        shared.editors.append(db.session.get(User, editor.id))
        db.session.commit()
        ids = dict(db.session.execute(select(Topic.slug, Topic.id)
                                      .where(Topic.bank_id == bank.id)).all())
    return SimpleNamespace(bank_id=bank.id, page=f"/author/banks/{bank.id}/topics", ids=ids)


def race(app, scene, *, locked: bool = True) -> dict[str, tuple]:
    jobs = [(name, scene.page, f"{scene.page}/{scene.ids[slug]}/rename",
             {"label": "Who and where"}, False)
            for name, slug in (("owner", "venue"), ("editor", "people"))]
    return race_forms(submit, app.config["SQLALCHEMY_DATABASE_URI"], jobs, locked=locked)


def labels(app, bank_id: int) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(Topic.label).where(Topic.bank_id == bank_id)))


def test_two_renames_to_one_name_one_renamed_one_refused(app, scene):
    outcomes = race(app, scene)
    assert sorted(outcome for outcome, _ in outcomes.values()) == [302, 400], outcomes
    [loser] = [name for name, (outcome, _) in outcomes.items() if outcome == 400]
    assert "already named “Who and where”" in outcomes[loser][1]
    assert labels(app, scene.bank_id).count("Who and where") == 1


def test_negative_control_two_renames_without_locks(app, scene):
    outcomes = race(app, scene, locked=False)
    assert sorted(outcome for outcome, _ in outcomes.values()) == [302, 302], outcomes
    assert labels(app, scene.bank_id) == ["Who and where", "Who and where"]
