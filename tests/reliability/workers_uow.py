"""Child processes of test_reads_take_no_write_lock (importable for the spawn context)."""

from flask import before_render_template

from quizapp import create_app, unit_of_work
from quizapp.extensions import db

SETTINGS = {"desired_retention": "0.85", "new_per_day": "7", "reviews_per_day": "100",
            "timezone": "UTC"}


def _app(uri: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "x", "TESTING": True,
                       "WTF_CSRF_ENABLED": False, "QUIZAPP_SOURCES_DIR": None,
                       "MAIL_SERVER": None})


def _login(client, username: str, password: str) -> None:
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.status_code


def read_slowly(uri: str, username: str, password: str, reading, written, outcome,
                reads_lock: bool) -> None:
    """Open the dashboard and, while its request is under way (its reads done, its page
    about to render), wait for the writer. `outcome` is set to 1 if the write finished
    while this request was still open, 0 if the wait ran out (the writer was blocked).
    `reads_lock`: the negative control, a read-only request that takes the write lock as
    every request did before the unit of work (BEGIN IMMEDIATE for reads too)."""
    app = _app(uri)
    if reads_lock:
        @app.before_request
        def _lock_like_before():
            unit_of_work.write()
            db.session.connection()  # BEGIN IMMEDIATE now, held to the end of the request

    def _mid_request(sender, template, context, **extra):
        if template.name != "progress/dashboard.html" or reading.is_set():
            return
        reading.set()
        outcome.value = 1 if written.wait(timeout=15) else 0

    before_render_template.connect(_mid_request, app)
    with app.test_client() as client:
        _login(client, username, password)
        response = client.get("/progress/")
        assert response.status_code == 200, response.status_code
    with app.app_context():
        db.engine.dispose()


def write_while_read(uri: str, username: str, password: str, ready, reading,
                     written) -> None:
    """Log in, wait for the reader to be mid-request, save the study settings (a
    read-then-write request), then say so."""
    app = _app(uri)
    with app.test_client() as client:
        _login(client, username, password)
        ready.set()
        assert reading.wait(timeout=30), "the reader never started"
        response = client.post("/study/settings", data=SETTINGS)
        assert response.status_code == 302, response.status_code
        written.set()
    with app.app_context():
        db.engine.dispose()
