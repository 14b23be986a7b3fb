"""Two instructors (or one, twice) submitting the same authoring form at once, in separate
processes: one saved and one clear 409, a revert or an archive applied once, the revision
history consistent. Each has a negative control: the same race with the row locks off
(QUIZAPP_LOCKING False in the children) shows the failure the test would catch."""

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionRevision, User
from quizapp.services import authoring
from quizapp.services.banks import question_snapshot
from tests.conftest import NOW, sample_question
from tests.reliability.processes import race_forms
from tests.reliability.workers_authoring import submit
from tests.views.test_author import form_for

pytestmark = pytest.mark.slow
EDITORS = ("owner", "editor")


@pytest.fixture
def scene(app, make_user, make_bank, make_question):
    owner = make_user("owner", role="instructor")
    editor = make_user("editor", role="instructor")
    bank = make_bank(title="Shared", owner=owner)
    question = make_question(bank, "numeric", key="victims")
    with app.app_context():
        shared = db.session.get(Bank, bank.id)
        shared.editors.append(db.session.get(User, editor.id))
        db.session.commit()
    base = f"/author/banks/{bank.id}"
    return SimpleNamespace(bank_id=bank.id, question_id=question.id, base=base,
                           editor=f"{base}/questions/{question.id}")


def race(app, jobs: list[tuple], *, locked: bool = True) -> dict[str, tuple]:
    """Run `submit` once per job (username, page, url, form, revision_from_page) in its own
    process, all POSTs released together; {username: (outcome, page text)}."""
    return race_forms(submit, app.config["SQLALCHEMY_DATABASE_URI"], jobs, locked=locked)


def history(app, question_id: int):
    with app.app_context():
        question = db.session.get(Question, question_id)
        numbers = list(db.session.scalars(
            select(QuestionRevision.number).where(QuestionRevision.question_id == question_id)
            .order_by(QuestionRevision.number)))
        newest = db.session.scalar(select(QuestionRevision.snapshot).where(
            QuestionRevision.question_id == question_id,
            QuestionRevision.number == question.revision))
        return question.revision, numbers, newest == question_snapshot(question), \
            question.data["value"]


def two_edits(scene):
    return [(name, scene.editor, scene.editor,
             form_for("numeric", key="victims", value=value, message=f"by {name}"), True)
            for name, value in zip(EDITORS, ("4463", "597"), strict=True)]


def test_two_editors_saving_one_revision_one_saved_one_409(app, scene):
    outcomes = race(app, two_edits(scene))
    assert sorted(outcome for outcome, _ in outcomes.values()) == [302, 409], outcomes
    [loser] = [name for name, (outcome, _) in outcomes.items() if outcome == 409]
    page = outcomes[loser][1]
    assert "Someone saved revision 2 of this question after you opened revision 1" in page
    assert "Nothing was saved" in page and "Your text is kept below" in page
    mine = "4463" if loser == "owner" else "597"
    assert re.search(rf'name="value"[^>]*value="{mine}"', page), "the editor's text is lost"
    revision, numbers, newest_matches, value = history(app, scene.question_id)
    assert (revision, numbers, newest_matches) == (2, [1, 2], True)
    assert value == (597 if loser == "owner" else 4463)  # the winner's text


def test_negative_control_two_editors_without_locks(app, scene):
    """Both read revision 1 and both pass the check: the second write fails on the unique
    revision number (a 500 for that editor, the bug of issue 15) instead of a 409."""
    outcomes = race(app, two_edits(scene), locked=False)
    kinds = sorted(str(outcome) for outcome, _ in outcomes.values())
    assert kinds == ["302", "IntegrityError"], outcomes


def two_reverts(app, scene):
    """The question edited to revision 2; both revert to revision 1 from the history page
    (which says revision 2 is current)."""
    with app.app_context():
        owner = db.session.scalar(select(User.id).where(User.username == "owner"))
        authoring.save_question(scene.bank_id, sample_question("numeric", key="victims",
                                                               value=4463),
                                author_id=owner, now=NOW, question_id=scene.question_id,
                                expected_revision=1)
        db.session.commit()
    page = f"{scene.editor}/history"
    return [(name, page, f"{scene.editor}/revert", {"number": "1"}, True) for name in EDITORS]


def test_a_revert_sent_twice_makes_one_new_revision(app, scene):
    outcomes = race(app, two_reverts(app, scene))
    assert [outcome for outcome, _ in outcomes.values()] == [302, 302], outcomes
    pages = [text for _, text in outcomes.values()]
    assert sum("Reverted to revision 1 (saved as a new revision)" in p for p in pages) == 1
    assert sum("Revision 1 is what the question already says" in p for p in pages) == 1
    revision, numbers, newest_matches, value = history(app, scene.question_id)
    assert (revision, numbers, newest_matches, value) == (3, [1, 2, 3], True, 5063)


def test_negative_control_revert_twice_without_locks(app, scene):
    """Both read revision 2 and both write revision 3: one fails with a 500."""
    outcomes = race(app, two_reverts(app, scene), locked=False)
    kinds = sorted(str(outcome) for outcome, _ in outcomes.values())
    assert kinds == ["302", "IntegrityError"], outcomes


def two_archives(scene):
    return [(name, f"{scene.base}", f"{scene.base}/archive", {}, False)
            for name in ("owner", "admin")]


@pytest.fixture
def admin(make_user):
    return make_user("admin", role="admin")


def test_archive_sent_twice_archives_once(app, scene, admin):
    outcomes = race(app, two_archives(scene))
    assert [outcome for outcome, _ in outcomes.values()] == [302, 302], outcomes
    pages = [text for _, text in outcomes.values()]
    assert sum("Bank archived." in p for p in pages) == 1
    assert sum("The bank was already archived." in p for p in pages) == 1
    with app.app_context():
        assert db.session.get(Bank, scene.bank_id).archived


def test_negative_control_archive_twice_without_locks(app, scene, admin):
    """Both read "active" and both archive: each is told it archived the bank."""
    outcomes = race(app, two_archives(scene), locked=False)
    pages = [text for _, text in outcomes.values()]
    assert sum("Bank archived." in p for p in pages) == 2
