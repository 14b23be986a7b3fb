from flask import abort, render_template, request
from flask_login import login_required

from quizapp.services import sources
from quizapp.sources import bp


@bp.get("/<slug>")
@login_required
def article(slug: str):
    found = sources.get_article(slug) or abort(404, "That source article is not loaded.")
    highlight = request.args.get("p", type=int)
    return render_template("sources/article.html", article=found, highlight=highlight)
