from flask import Blueprint

bp = Blueprint("author", __name__, url_prefix="/author")

from quizapp.author import views  # noqa: E402,F401
