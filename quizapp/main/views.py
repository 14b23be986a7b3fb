from flask import render_template
from flask_login import current_user

from quizapp.main import bp
from quizapp.services import catalogue


@bp.get("/")
def home():
    banks = catalogue.bank_summaries() if current_user.is_authenticated else []
    return render_template("main/home.html", banks=banks)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
