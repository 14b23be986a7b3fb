"""Where a service call spends its time: each SQL statement, its duration and its plan.

    python -m bench.explain [--database-url URL] [--user ID] queue|submit|dashboard|parts

Runs against the data of the last `python -m bench` run (it never writes, except
`submit`, which grades one card). For diagnosis only; no figures go into results.json.
"""

import argparse
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bench.database import DATA_DIR, default_url, make_app
from quizapp.extensions import db
from quizapp.models import User
from quizapp.models.types import utcnow
from quizapp.services import progress, study


@contextmanager
def statements() -> Iterator[list[dict[str, Any]]]:
    """Record every statement the engine runs: SQL, parameters and seconds."""
    seen: list[dict[str, Any]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append({"sql": statement, "parameters": parameters,
                     "ms": (time.perf_counter() - conn.info.pop("bench_started")) * 1000})

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)


def plan(sql: str, parameters: Any) -> list[str]:
    if not sql.lstrip().upper().startswith("SELECT"):
        return []
    if db.engine.dialect.name == "sqlite":
        rows = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)
        return [row[-1] for row in rows]
    rows = db.session.connection().exec_driver_sql(f"EXPLAIN ANALYZE {sql}", parameters)
    return [row[0] for row in rows]


def explain(call: Callable[[], Any]) -> dict[str, Any]:
    with statements() as seen:
        started = time.perf_counter()
        call()
        total = (time.perf_counter() - started) * 1000
    db.session.rollback()
    sql_ms = sum(s["ms"] for s in seen)
    report = {"total_ms": round(total, 2), "sql_ms": round(sql_ms, 2),
              "python_ms": round(total - sql_ms, 2), "statements": []}
    for s in sorted(seen, key=lambda s: -s["ms"]):
        report["statements"].append({"ms": round(s["ms"], 2), "sql": " ".join(s["sql"].split()),
                                     "plan": plan(s["sql"], s["parameters"])})
        db.session.rollback()
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__)
    parser.add_argument("what", choices=("queue", "submit", "dashboard", "parts"))
    parser.add_argument("--database-url", default=default_url())
    parser.add_argument("--user", type=int, help="user id (default: from the last run)")
    args = parser.parse_args(argv)
    learners = {}
    for saved in DATA_DIR.glob("dataset-*.json"):
        learners = json.loads(saved.read_text())["dataset"]
    app = make_app(args.database_url)
    with app.app_context():
        default = (learners.get("dashboard") if args.what in ("dashboard", "parts")
                   else max(learners.get("heavy", {"0": 1}).items(), key=lambda i: int(i[0]))[1])
        user = db.session.get(User, args.user or default)
        now = utcnow()
        if args.what == "queue":
            calls = {"queue": lambda: study.queue(user, now)}
        elif args.what == "submit":
            card = study.queue(user, now).card
            db.session.rollback()
            calls = {"answer_card": lambda: study.answer_card(user.id, card.id, 3, now),
                     "queue": lambda: study.queue(user, now)}
        elif args.what == "dashboard":
            calls = {"dashboard": lambda: progress.dashboard(user, now)}
        else:
            calls = {"reviews_per_day": lambda: progress.reviews_per_day(user, now),
                     "weakest_questions": lambda: progress.weakest_questions(user)}
        for name, call in calls.items():
            if args.what != "submit":  # read-only: warm the caches first, as a busy server has
                for _ in range(3):
                    call()
                    db.session.rollback()
            print(f"== {name} (user {user.id})")
            print(json.dumps(explain(call), indent=1))


if __name__ == "__main__":
    main()
