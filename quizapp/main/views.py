from flask import current_app, jsonify, render_template
from flask_login import current_user

from quizapp.access import instructor_required
from quizapp.classes.views import in_zone
from quizapp.forms import ActionForm
from quizapp.main import bp
from quizapp.models.types import utcnow
from quizapp.services import catalogue, classes, health, sources


@bp.get("/")
def home():
    banks = catalogue.bank_summaries(current_user) if current_user.is_authenticated else []
    assignments = (classes.learner_assignments(current_user, utcnow())
                   if current_user.is_authenticated else [])
    return render_template("main/home.html", banks=banks, assignments=assignments,
                           local=in_zone, action=ActionForm())


@bp.get("/start")
@instructor_required
def getting_started():
    """What the app holds and how to grow it: shown at a staff member's first login."""
    return render_template("main/getting_started.html",
                           banks=catalogue.bank_summaries(current_user),
                           articles=sorted(sources.loaded_slugs()))


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers. Touches nothing else, so a database outage never
    gets a balancer to restart healthy instances."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Readiness: 200 when the database (and Redis, if configured) answer, else 503."""
    checks = health.readiness()
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ready" if ready else "unavailable", checks=checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    if not ready:
        response.headers["Retry-After"] = str(current_app.config["QUIZAPP_RETRY_AFTER"])
    return response
