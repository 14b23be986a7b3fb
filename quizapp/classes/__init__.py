from flask import Blueprint

bp = Blueprint("classes", __name__, url_prefix="/classes")

from quizapp.classes import views  # noqa: E402,F401
