"""The reviewer's data: a card's faces, its interval labels and a fresh submission id."""

import secrets
from datetime import datetime
from typing import Any

from flask import render_template

from quizapp.models import Card, User
from quizapp.presenting import card_faces, local_time
from quizapp.qtypes import registry
from quizapp.services import study

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def type_in(user: User, card: Card) -> bool:
    return bool(user.setting("type_in")) and registry.get(card.question.type).type_in


def card_view(user: User, card: Card, now: datetime) -> dict[str, Any]:
    """Everything the page shows of a card; its interval previews computed once here."""
    faces = card_faces(current_snapshot(card), seed=card.id)
    return {
        "card_id": card.id,
        "faces": faces,
        "intervals": study.interval_labels(user, card, now),
        "submission_id": secrets.token_urlsafe(16),
        "type_in": type_in(user, card),
        "state": card.state,
    }


def current_snapshot(card: Card) -> dict[str, Any]:
    return study.current_snapshot(card)


def payload(user: User, queue: study.Queue, now: datetime) -> dict[str, Any]:
    """JSON for the reviewer script: the next card rendered server-side, or the done screen."""
    counts = {"new": queue.counts.new, "learning": queue.counts.learning,
              "review": queue.counts.review}
    undo = undo_submission_id()
    if queue.card is None:
        return {"card": None, "counts": counts, "undo_submission_id": undo,
                "done_html": render_template("study/_done.html",
                                             next_due=local_time(user, queue.next_due))}
    view = card_view(user, queue.card, now)
    return {
        "card": {
            "card_id": view["card_id"],
            "submission_id": view["submission_id"],
            "intervals": {str(k): v for k, v in view["intervals"].items()},
            "type_in": view["type_in"],
            "front_html": render_template("study/_front.html", view=view),
            "back_html": render_template("study/_back.html", view=view),
        },
        "counts": counts,
        "undo_submission_id": undo,
    }


def undo_submission_id() -> str:
    """A fresh id for the page's next undo: sent twice, it undoes once."""
    return secrets.token_urlsafe(16)
