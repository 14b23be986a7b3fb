from flask import render_template
from flask_login import current_user

from quizapp.access import instructor_required
from quizapp.main import bp
from quizapp.services import catalogue, sources


@bp.get("/")
def home():
    banks = catalogue.bank_summaries() if current_user.is_authenticated else []
    return render_template("main/home.html", banks=banks)


@bp.get("/start")
@instructor_required
def getting_started():
    """What the app holds and how to grow it: shown at a staff member's first login."""
    return render_template("main/getting_started.html", banks=catalogue.bank_summaries(),
                           articles=sorted(sources.loaded_slugs()))


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
