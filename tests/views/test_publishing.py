"""Issue 13: a bank is a draft until its owner publishes it; learners see published banks
only; unpublishing closes it to new learners and quizzes and keeps everyone's progress."""

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, Card, Enrolment, Review
from quizapp.services import classes
from tests.conftest import NOW


def _new_bank(client, slug="chemistry", title="Chemistry basics", **extra) -> int:
    response = client.post("/author/banks/new", data={"slug": slug, "title": title, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rstrip("/").split("/")[-2])


def _bank(app, bank_id: int) -> Bank:
    with app.app_context():
        bank = db.session.get(Bank, bank_id)
        db.session.expunge(bank)
        return bank


def _learner_sees(client, auth, title: str) -> dict[str, bool]:
    auth.login("lena")
    seen = {url: title in client.get(url).get_data(as_text=True)
            for url in ("/", "/study/banks", "/quiz/")}
    auth.logout()
    return seen


def test_a_new_bank_is_a_draft_learners_do_not_see(app, client, auth, make_user,
                                                   make_question):
    make_user("newbie", role="instructor")
    make_user("lena")
    auth.login("newbie")
    bank_id = _new_bank(client)
    assert _bank(app, bank_id).published_at is None
    assert _bank(app, bank_id).policy == "traced"
    make_question(_bank(app, bank_id), "true_false")
    page = client.get(f"/author/banks/{bank_id}/questions").get_data(as_text=True)
    assert "Draft · traced bank" in page and ">Publish</button>" in page
    # the author tries it as a learner would: offered, and marked as a draft
    study = client.get("/study/banks").get_data(as_text=True)
    assert "Chemistry basics" in study and "draft: only its authors see it" in study
    auth.logout()
    assert _learner_sees(client, auth, "Chemistry basics") == {
        "/": False, "/study/banks": False, "/quiz/": False}
    auth.login("lena")  # a direct request for it is refused as a bank not offered
    assert client.post("/study/banks", data={"bank_id": bank_id}).status_code == 400
    response = client.post("/quiz/", data={"banks": [bank_id], "count": 5, "mode": "practice"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_publishing_opens_it_to_learners(app, client, auth, make_user, make_question):
    make_user("newbie", role="instructor")
    make_user("lena")
    auth.login("newbie")
    bank_id = _new_bank(client)
    make_question(_bank(app, bank_id), "true_false")
    response = client.post(f"/author/banks/{bank_id}/publish", follow_redirects=True)
    assert "Bank published" in response.get_data(as_text=True)
    assert _bank(app, bank_id).published_at is not None
    again = client.post(f"/author/banks/{bank_id}/publish", follow_redirects=True)
    assert "already published" in again.get_data(as_text=True)  # a form sent twice: once
    auth.logout()
    assert _learner_sees(client, auth, "Chemistry basics") == {
        "/": True, "/study/banks": True, "/quiz/": True}
    auth.login("lena")
    assert client.post("/study/banks", data={"bank_id": bank_id}).status_code == 302


def test_an_empty_bank_is_not_published(app, client, auth, make_user):
    make_user("newbie", role="instructor")
    auth.login("newbie")
    bank_id = _new_bank(client)
    response = client.post(f"/author/banks/{bank_id}/publish")
    assert response.status_code == 400
    assert "no questions yet" in response.get_data(as_text=True)
    assert _bank(app, bank_id).published_at is None


def test_only_the_owner_publishes(app, client, auth, make_user, make_bank, make_question):
    owner = make_user("owner", role="instructor")
    editor = make_user("editor", role="instructor")
    bank = make_bank(title="Shared", owner=owner, published_at=None)
    make_question(bank)
    with app.app_context():
        shared = db.session.get(Bank, bank.id)
        shared.editors.append(db.session.get(type(editor), editor.id))
        db.session.commit()
    auth.login("editor")
    page = client.get(f"/author/banks/{bank.id}/questions").get_data(as_text=True)
    assert "Draft" in page and ">Publish</button>" not in page
    assert client.post(f"/author/banks/{bank.id}/publish").status_code == 403
    assert _bank(app, bank.id).published_at is None


def test_unpublishing_keeps_progress_and_closes_new_starts(app, client, auth, make_user,
                                                          make_bank, make_question):
    owner = make_user("owner", role="instructor")
    make_user("lena")
    make_user("mia")
    bank = make_bank(title="Cell biology", owner=owner)
    make_question(bank, "true_false")
    auth.login("lena")
    assert client.post("/study/banks", data={"bank_id": bank.id}).status_code == 302
    with app.app_context():
        [card_id] = db.session.scalars(select(Card.id)).all()
    assert client.post("/study/review", data={"card_id": card_id, "rating": 3}).status_code == 302
    auth.logout()
    auth.login("owner")
    response = client.post(f"/author/banks/{bank.id}/publish", data={"unpublish": "1"},
                           follow_redirects=True)
    assert "Bank unpublished" in response.get_data(as_text=True)
    auth.logout()
    with app.app_context():  # nothing of lena's is gone
        assert db.session.scalar(select(func.count()).select_from(Card)) == 1
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
        reviews = db.session.scalar(select(func.count()).select_from(Review))
    assert reviews == 1
    auth.login("mia")  # a new learner cannot start it
    assert "Cell biology" not in client.get("/study/banks").get_data(as_text=True)
    assert client.post("/study/banks", data={"bank_id": bank.id}).status_code == 400
    auth.logout()
    auth.login("lena")  # who studies it still finds it, told why, and can leave it
    page = client.get("/study/banks").get_data(as_text=True)
    assert "Cell biology" in page and "no longer published: your cards stay" in page
    assert "Cell biology" not in client.get("/quiz/").get_data(as_text=True)
    response = client.post("/study/banks", data={"bank_id": bank.id, "leave": "1"})
    assert response.status_code == 302
    assert "Cell biology" not in client.get("/study/banks").get_data(as_text=True)
    with app.app_context():  # left: the enrolment goes, the card and its review stay
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
        assert db.session.scalar(select(func.count()).select_from(Card)) == 1


def test_a_class_links_published_banks_only(app, make_user, make_bank, make_question):
    teacher = make_user("teacher", role="instructor")
    draft = make_bank(title="Draft bank", owner=teacher, published_at=None)
    published = make_bank(title="Published bank", owner=teacher, published_at=NOW)
    with app.app_context():
        user = db.session.get(type(teacher), teacher.id)
        ids = [b.id for b in classes.assignable_banks(user)]
    assert published.id in ids and draft.id not in ids


def test_the_policy_is_chosen_and_kept(app, client, auth, make_user):
    make_user("newbie", role="instructor")
    auth.login("newbie")
    bank_id = _new_bank(client, slug="poems", title="Poems", policy="free")
    assert _bank(app, bank_id).policy == "free"
    form = client.get(f"/author/banks/{bank_id}").get_data(as_text=True)
    assert '<input checked id="policy-1" name="policy" type="radio" value="free">' in form
    # a settings form without the field keeps it; a value not offered is a 400
    assert client.post(f"/author/banks/{bank_id}", data={
        "slug": "poems", "title": "Poems again"}).status_code == 302
    assert _bank(app, bank_id).policy == "free"
    bad = client.post(f"/author/banks/{bank_id}", data={"slug": "poems", "title": "Poems",
                                                        "policy": "anything"})
    assert bad.status_code == 400 and _bank(app, bank_id).policy == "free"


def test_enrolling_in_a_draft_is_refused_below_the_form(app, make_user, make_bank,
                                                       make_question):
    """The service refuses too, whatever page asked (a class join, a script)."""
    import pytest

    from quizapp.services import study
    from quizapp.services.errors import NotFound

    make_user("owner", role="instructor")
    learner = make_user("lena")
    draft = make_bank(title="Draft", published_at=None)
    make_question(draft)
    with app.test_request_context(), pytest.raises(NotFound):
        study.enrol(learner.id, draft.id, [], NOW)
