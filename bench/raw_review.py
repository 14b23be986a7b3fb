"""The raw-sqlite anchor: a review endpoint of the same shape as POST /study/review.

A WSGI app using only `sqlite3`, served by the same gunicorn setup and loaded by the same
clients as quizapp: each POST reads one card row, updates it and inserts one log row in
`BEGIN IMMEDIATE`, commits, then picks the learner's next due card and answers it as JSON
(`{"card": {"card_id", "submission_id"}}`, as the app's reply). The learner is the `user`
cookie; nothing is authenticated, rendered or scheduled by FSRS: this is what the database
and the stack cost for a review, the floor under quizapp's figure. Same pragmas as the app
(WAL, synchronous=NORMAL, busy_timeout 30 s).

Served as `bench.raw_review:app` with `RAW_REVIEW_DATABASE` naming the file `build` made.
"""

import json
import os
import secrets
import sqlite3
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

SCHEMA = """
CREATE TABLE card (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, due REAL NOT NULL,
                   stability REAL NOT NULL, difficulty REAL NOT NULL, reps INTEGER NOT NULL,
                   lapses INTEGER NOT NULL, state INTEGER NOT NULL, last_review REAL);
CREATE INDEX ix_card_user_due ON card (user_id, due);
CREATE TABLE review (id INTEGER PRIMARY KEY, card_id INTEGER NOT NULL REFERENCES card (id),
                     user_id INTEGER NOT NULL, rating INTEGER NOT NULL,
                     reviewed_at REAL NOT NULL, duration_ms INTEGER NOT NULL,
                     submission_id TEXT NOT NULL UNIQUE);
"""


def build(path: Path, learners: int, cards_per_learner: int) -> None:
    """A fresh database: `learners` (ids 1..n) with `cards_per_learner` due cards each."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    past = time.time() - 86_400
    conn.executemany(
        "INSERT INTO card (user_id, due, stability, difficulty, reps, lapses, state, "
        "last_review) VALUES (?, ?, 5.0, 5.0, 3, 0, 2, ?)",
        ((u, past - n, past - 5 * 86_400)
         for u in range(1, learners + 1) for n in range(cards_per_learner)))
    conn.commit()
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()


def first_card(path: Path, user_id: int) -> tuple[int, str] | None:
    conn = sqlite3.connect(path)
    try:
        return _next(conn, user_id)
    finally:
        conn.close()


_local = threading.local()


def _connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["RAW_REVIEW_DATABASE"], isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        _local.conn = conn
    return conn


def _next(conn: sqlite3.Connection, user_id: int) -> tuple[int, str] | None:
    row = conn.execute("SELECT id FROM card WHERE user_id = ? AND due <= ? ORDER BY due, id "
                       "LIMIT 1", (user_id, time.time())).fetchone()
    return (row[0], secrets.token_urlsafe(16)) if row else None


def review(conn: sqlite3.Connection, user_id: int, card_id: int, rating: int,
           submission_id: str, duration_ms: int) -> bool:
    """One review in BEGIN IMMEDIATE; False when the card is not the learner's."""
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT stability, difficulty, reps, lapses FROM card "
                           "WHERE id = ? AND user_id = ?", (card_id, user_id)).fetchone()
        if row is None:
            conn.execute("ROLLBACK")
            return False
        stability, difficulty, reps, lapses = row
        stability = stability * (0.5 if rating == 1 else 2.5)
        conn.execute("UPDATE card SET due = ?, stability = ?, difficulty = ?, reps = ?, "
                     "lapses = ?, last_review = ? WHERE id = ?",
                     (now + stability * 86_400, stability, difficulty, reps + 1,
                      lapses + (rating == 1), now, card_id))
        conn.execute("INSERT INTO review (card_id, user_id, rating, reviewed_at, duration_ms, "
                     "submission_id) VALUES (?, ?, ?, ?, ?, ?)",
                     (card_id, user_id, rating, now, duration_ms, submission_id))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def _reply(start_response, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])
    return [data]


def app(environ, start_response):
    path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
    if path == "/healthz":
        return _reply(start_response, "200 OK", {"status": "ok"})
    if path != "/study/review" or method != "POST":
        return _reply(start_response, "404 Not Found", {"error": "not found"})
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    try:
        user_id = int(cookie["user"].value)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length))
        card_id, rating = int(body["card_id"]), int(body["rating"])
        submission_id = str(body["submission_id"])
        duration_ms = int(body.get("duration_ms", 0))
    except (KeyError, ValueError, TypeError):
        return _reply(start_response, "400 Bad Request", {"error": "bad request"})
    conn = _connection()
    if not review(conn, user_id, card_id, rating, submission_id, duration_ms):
        return _reply(start_response, "404 Not Found", {"error": "no such card"})
    card = _next(conn, user_id)
    return _reply(start_response, "200 OK", {"card": card and {
        "card_id": card[0], "submission_id": card[1]}})
