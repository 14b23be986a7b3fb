from flask import Blueprint

bp = Blueprint("study", __name__, url_prefix="/study")

from quizapp.study import views  # noqa: E402,F401
