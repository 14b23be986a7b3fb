from flask import Blueprint

bp = Blueprint("sources", __name__, url_prefix="/sources")

from quizapp.sources import views  # noqa: E402,F401
