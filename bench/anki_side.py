"""Anki side by side: the `anki` package's v3 scheduler (FSRS on) on collections that mirror
our heavy learners card for card: the same new cards in the same order, the same review
cards due on the same days, the same daily limits and the same ratings.

`anki` is AGPL and used only here, to measure; the app never imports it.
"""

import random
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import anki.collection  # first: importing anki.cards before it is a circular import
from anki.cards import Card as AnkiCard
from anki.scheduler_pb2 import CardAnswer
from flask import Flask
from sqlalchemy import select

from bench.generate import HIGH_LIMITS
from bench.timing import measure
from quizapp.domain.scheduling import day_start
from quizapp.extensions import db
from quizapp.models import Card
from quizapp.models.types import utcnow

RATING_WEIGHTS = (0.10, 0.10, 0.75, 0.05)


@dataclass(frozen=True)
class MirrorCard:
    new: bool
    due_day: int  # days from today (0 = due today, negative = overdue)
    interval: int  # days


def profile(app: Flask, user_id: int) -> list[MirrorCard]:
    """The learner's cards in id order (new cards in their queue order), as Anki sees them."""
    with app.app_context():
        today = day_start(utcnow(), "UTC")
        rows = db.session.execute(select(Card.state, Card.due, Card.last_review)
                                  .where(Card.user_id == user_id).order_by(Card.id)).all()
        db.session.remove()
    out = []
    for state, due, last in rows:
        if state == 0:
            out.append(MirrorCard(True, 0, 0))
        else:
            interval = max(1, round((due - last).total_seconds() / 86400)) if last else 1
            out.append(MirrorCard(False, (due - today).days, interval))
    return out


def _collection(path: Path, cards: list[MirrorCard]) -> anki.collection.Collection:
    for leftover in path.parent.glob(path.stem + "*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    col = anki.collection.Collection(str(path))
    col.set_config("fsrs", True)
    deck_id = col.decks.id("Default")
    config = col.decks.config_dict_for_deck_id(deck_id)
    config["new"]["perDay"] = HIGH_LIMITS["new_per_day"]
    config["rev"]["perDay"] = HIGH_LIMITS["reviews_per_day"]
    col.decks.update_config(config)
    basic = col.models.by_name("Basic")
    requests = []
    for n in range(len(cards)):
        note = col.new_note(basic)
        note["Front"], note["Back"] = f"Question {n + 1}", f"Answer {n + 1}"
        requests.append(anki.collection.AddNoteRequest(note, deck_id))
    col.add_notes(requests)
    ids = col.find_cards("", order="c.id")
    today = col.sched.today
    col.db.executemany(
        "update cards set type = 2, queue = 2, due = ?, ivl = ?, factor = 2500 where id = ?",
        [(today + c.due_day, c.interval, cid) for cid, c in zip(ids, cards, strict=True)
         if not c.new])
    col.close()
    return anki.collection.Collection(str(path))


def run(cards: list[MirrorCard], path: Path, sizes_repeat: tuple[int, int],
        seed: int) -> dict[str, Any]:
    fast, slow = sizes_repeat
    started = datetime.now()
    col = _collection(path, cards)
    build_s = (datetime.now() - started).total_seconds()
    out: dict[str, Any] = {}
    try:
        queued = col.sched.get_queued_cards()
        counts = {"new": queued.new_count, "learning": queued.learning_count,
                  "review": queued.review_count}
        out["get_queued_cards (cached queue)"] = measure(
            lambda _i: col.sched.get_queued_cards(), fast)

        def reopen(_i: int) -> None:
            nonlocal col
            col.close()
            col = anki.collection.Collection(str(path))

        out["get_queued_cards (first call: builds the queue)"] = measure(
            lambda _i: col.sched.get_queued_cards(), slow, before=reopen)
        ratings = random.Random(seed).choices(
            (CardAnswer.AGAIN, CardAnswer.HARD, CardAnswer.GOOD, CardAnswer.EASY),
            RATING_WEIGHTS, k=fast + 1)
        state = {"queued": col.sched.get_queued_cards().cards[0]}

        def answer_and_next(i: int) -> None:
            queued = state["queued"]
            card = AnkiCard(col)
            card._load_from_backend_card(queued.card)
            card.start_timer()
            col.sched.answer_card(col.sched.build_answer(card=card, states=queued.states,
                                                         rating=ratings[i]))
            state["queued"] = col.sched.get_queued_cards().cards[0]

        out["answer_card + next card"] = measure(answer_and_next, fast)
    finally:
        col.close()
    for figure in out.values():
        figure.update(cards=len(cards), queue_counts=counts)
    out["collection build (s)"] = {"seconds": round(build_s, 1), "cards": len(cards)}
    return out
