from flask import Blueprint

bp = Blueprint("progress", __name__, url_prefix="/progress")

from quizapp.progress import views  # noqa: E402,F401
