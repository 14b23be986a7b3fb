"""The unit of work (quizapp.unit_of_work): one commit per request, a rollback on any error
or refusal, errors mapped in one place, write locks only after write(), fresh locked rows."""

import pytest
from flask import Flask
from sqlalchemy import event, select, update

from quizapp import unit_of_work
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services.errors import Conflict, Forbidden, NotFound, ServiceError
from quizapp.unit_of_work import WriteOrderError
from tests.conftest import NOW

RAISED = {"plain": ServiceError("That will not do."), "missing": NotFound("No such thing."),
          "forbidden": Forbidden("Not yours."), "conflict": Conflict("Someone was first.")}


def rename(user_id: int, name: str) -> None:
    unit_of_work.write()
    db.session.get(User, user_id).email = name
    db.session.flush()


@pytest.fixture
def routes(app: Flask, make_user):
    user = make_user()

    @app.post("/t/save/<name>")
    def save(name):
        rename(user.id, name)
        return "saved"

    @app.post("/t/refuse/<name>")
    def refuse(name):
        rename(user.id, name)
        return "refused", 400

    @app.post("/t/raise/<kind>")
    def fail(kind):
        rename(user.id, f"failed-{kind}")
        raise RAISED[kind]

    @app.post("/t/undeclared")
    def undeclared():
        db.session.get(User, user.id).email = "undeclared"
        db.session.flush()
        return "written"

    @app.post("/t/late")
    def late():
        db.session.get(User, user.id).email = "late"
        db.session.flush()
        unit_of_work.write()
        return "written"

    unit_of_work.register(app)
    return user


def name_of(app, user_id):
    with app.app_context():
        return db.session.scalar(select(User.email).where(User.id == user_id))


def test_a_successful_view_is_committed_once(app, client, routes):
    assert client.post("/t/save/kept").status_code == 200
    assert name_of(app, routes.id) == "kept"


def test_a_refused_form_writes_nothing(app, client, routes):
    assert client.post("/t/refuse/nope").status_code == 400
    assert name_of(app, routes.id) is None


@pytest.mark.parametrize(("kind", "status"), [("plain", 400), ("missing", 404),
                                              ("forbidden", 403), ("conflict", 409)])
def test_a_service_error_rolls_back_and_is_mapped_in_one_place(app, client, routes, kind,
                                                                status):
    page = client.post(f"/t/raise/{kind}")
    assert page.status_code == status
    assert str(RAISED[kind]) in page.get_data(as_text=True)
    as_json = client.post(f"/t/raise/{kind}", headers={"Accept": "application/json"})
    assert as_json.status_code == status
    assert as_json.get_json()["error"] == str(RAISED[kind])
    assert name_of(app, routes.id) is None


def test_a_change_without_declaring_the_write_is_caught_on_sqlite(app, client, routes,
                                                                 database):
    if database != "sqlite":
        assert client.post("/t/undeclared").status_code == 200  # row locks do the work
        return
    with pytest.raises(WriteOrderError):
        client.post("/t/undeclared")
    assert name_of(app, routes.id) is None


def test_declaring_the_write_after_a_change_is_refused_on_sqlite(app, client, routes,
                                                                database):
    if database != "sqlite":
        pytest.skip("on PostgreSQL write() only records the intent")
    app.config["TESTING"] = False  # the undeclared change itself is only logged then
    assert client.post("/t/late").status_code == 500
    assert name_of(app, routes.id) is None


def test_only_a_declared_write_begins_immediate_on_sqlite(app, make_user, database):
    if database != "sqlite":
        pytest.skip("SQLite's BEGIN modes")
    user = make_user()
    begins = []
    with app.app_context():
        @event.listens_for(db.engine, "before_cursor_execute")
        def _seen(conn, cursor, statement, *args):
            if statement.startswith("BEGIN"):
                begins.append(statement)

        db.session.get(User, user.id)
        db.session.rollback()
        rename(user.id, "writer")
        db.session.commit()
        event.remove(db.engine, "before_cursor_execute", _seen)
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


def test_a_locking_read_sees_the_row_as_committed_not_the_stale_copy(app, make_user):
    user = make_user()
    with app.app_context():
        stale = db.session.get(User, user.id)
        assert stale.email is None
        with db.engine.begin() as other:  # another request changes the row meanwhile
            other.execute(update(User).where(User.id == user.id).values(email="new"))
        unit_of_work.write()  # on SQLite this ends the read; on PostgreSQL the lock re-reads
        locked = db.session.scalar(select(User).where(User.id == user.id).with_for_update())
        assert locked is stale and locked.email == "new"
        db.session.rollback()


def test_bookkeeping_survives_a_refused_request(app, client, routes):
    from quizapp.models import ThrottleCounter

    @app.post("/t/count-then-refuse")
    def count_then_refuse():
        with unit_of_work.bookkeeping():
            db.session.add(ThrottleCounter(key="k", count=1, expires_at=NOW))
        rename(routes.id, "refused")
        return "refused", 400

    unit_of_work.register(app)
    assert client.post("/t/count-then-refuse").status_code == 400
    with app.app_context():
        assert db.session.get(ThrottleCounter, "k").count == 1
    assert name_of(app, routes.id) is None


def test_a_unit_outside_a_request_commits_or_rolls_back(app, make_user):
    user = make_user()
    with app.app_context():
        with unit_of_work.unit():
            rename(user.id, "cli")
    assert name_of(app, user.id) == "cli"
    with app.app_context(), pytest.raises(RuntimeError):
        with unit_of_work.unit():
            rename(user.id, "half")
            raise RuntimeError("the command failed")
    assert name_of(app, user.id) == "cli"


def test_a_database_lost_after_the_commit_is_reported_as_saved(app, client, routes):
    """The commit is the request's last use of the database; should anything after it
    still fail on a lost connection, the 503 says the change was saved."""
    from sqlalchemy.exc import OperationalError

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: errors become pages

    @app.after_request
    def lost_after_commit(response):
        if response.status_code == 200:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return response

    answer = client.post("/t/save/kept", headers={"Accept": "application/json"})
    assert answer.status_code == 503 and answer.get_json()["saved"] is True
    refused = client.post("/t/refuse/nope", headers={"Accept": "application/json"})
    assert refused.status_code == 400  # rolled back: nothing to report as saved
    assert name_of(app, routes.id) == "kept"
