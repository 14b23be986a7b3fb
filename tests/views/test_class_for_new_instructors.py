"""Issue 13: a new instructor sees the class view of the bank they just created, at once."""

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank


def test_a_new_instructor_sees_the_class_of_the_bank_they_created(app, client, auth,
                                                                  make_user):
    make_user("newbie", role="instructor")
    auth.login("newbie")
    assert "You do not own or edit any bank yet." in client.get("/progress/class").get_data(
        as_text=True)
    response = client.post("/author/banks/new", data={"slug": "chemistry",
                                                      "title": "Chemistry basics"})
    assert response.status_code == 302
    page = client.get("/progress/class").get_data(as_text=True)
    assert "Chemistry basics" in page
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id).where(Bank.slug == "chemistry"))
    assert client.get(f"/progress/class/{bank_id}").status_code == 200


def test_an_admin_sees_every_banks_class(app, client, auth, make_user, make_bank):
    someone = make_user("someone", role="instructor")
    make_bank(title="Someone's bank", owner=someone)
    make_bank(title="Nobody's bank")
    make_user("boss", role="admin")
    auth.login("boss")
    page = client.get("/progress/class").get_data(as_text=True)
    assert "Someone&#39;s bank" in page and "Nobody&#39;s bank" in page
