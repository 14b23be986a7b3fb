"""The class page for a large class: 300 learners, a 500-question bank, every learner with a
card (FSRS state) per question, a study goal and a quiz assignment; the teacher's page
GET /classes/<id> timed in process (server time: the request as the app serves it, no
network), median and p99 as the other rows. Aggregates run in the database.

`make bench` runs it last, in its generated site (the class's learners beside the 10,000
others and their million cards); alone, on a database of its own:

    python -m bench.class_page                                  # bench/.data/class-bench.sqlite3
    python -m bench.class_page --learners 20 --questions 50     # a quick proof it works
"""

import argparse
import json
import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from bench.database import DATA_DIR, check_disposable, fresh
from bench.timing import measure
from quizapp.extensions import db
from quizapp.models import Card, Question, Role, User
from quizapp.models.bank import Bank
from quizapp.qtypes.registry import SCHEMAS
from quizapp.services import accounts, classes
from quizapp.services.banks import add_revision, apply_spec

PASSWORD = "correct horse battery"
TARGET_MS = 200  # issue 20: within 200 ms of server time
# topic slugs as the two shipped banks use them
TOPIC_SLUGS = [
    "venue", "participants", "agenda", "outcome", "balancing", "economy", "implications",
    "global-picture", "victim-statistics", "routes", "assistance", "un-milestones",
    "international", "motives", "people",
]


def _question(bank_id: int, n: int, topic: str) -> Question:
    spec = SCHEMAS["true_false"].model_validate({
        "key": f"cq{n}", "type": "true_false", "prompt": f"Statement {n}?", "answer": True,
        "explanation": "Because.", "source": ["class-bench#1"], "tags": [topic], "difficulty": 2})
    question = Question(bank_id=bank_id, revision=1, archived=False, position=n)
    apply_spec(question, spec)
    add_revision(question, author_id=None, message="created", now=datetime.now(UTC))
    return question


def build(app, learners: int, questions: int, seed: int = 20) -> tuple[int, str]:
    """The class and its teacher's username. Names carry a token of the run, so a run on a
    database an earlier one filled (`--reuse-data`) adds a class beside it."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    topics = sorted(TOPIC_SLUGS)
    tag = secrets.token_hex(3)
    with app.app_context():
        teacher = accounts.create_user(f"class-teacher-{tag}", PASSWORD, role=Role.INSTRUCTOR,
                                       now=now)
        teacher.first_login_at = now
        bank = Bank(slug=f"class-bench-{tag}", title="Class bench", owner_id=teacher.id,
                    created_at=now, published_at=now)
        db.session.add(bank)
        db.session.flush()
        db.session.add_all(_question(bank.id, n, topics[n % len(topics)])
                           for n in range(questions))
        hash_ = teacher.password_hash
        db.session.execute(insert(User), [
            {"username": f"class-{tag}-learner-{i}", "password_hash": hash_,
             "role": Role.LEARNER, "created_at": now, "settings": {},
             "session_token": f"class-bench-{tag}-{i}",
             "first_login_at": now} for i in range(learners)])
        db.session.commit()
        qids = db.session.scalars(select(Question.id).where(Question.bank_id == bank.id)).all()
        uids = db.session.scalars(select(User.id).where(
            User.username.like(f"class-{tag}-learner-%"))).all()
        rows = []
        for uid in uids:
            for qid in qids:
                studied = rng.random() < 0.8
                last = now - timedelta(days=rng.uniform(0, 30))
                rows.append({"user_id": uid, "question_id": qid, "state": 2 if studied else 0,
                             "stability": rng.uniform(0.5, 60) if studied else None,
                             "difficulty": rng.uniform(1, 10) if studied else None,
                             "due": now, "last_review": last if studied else None,
                             "reps": 1 if studied else 0, "lapses": 0, "suspended": False})
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(Card), rows[start:start + 20_000])
        db.session.commit()
        klass = classes.create_class(teacher, name="Large class")
        classes.link_bank(klass.id, teacher, bank.id)
        db.session.commit()
        db.session.execute(insert(classes.ClassMember), [
            {"class_id": klass.id, "user_id": uid, "role": classes.LEARNER, "joined_at": now}
            for uid in uids])
        db.session.commit()
        classes.create_study(klass.id, teacher, title="Goal", bank_id=bank.id, tags=[],
                             goal=0.8, due_at=now + timedelta(days=14))
        db.session.commit()
        classes.create_quiz(klass.id, teacher, title="Quiz", bank_id=bank.id, tags=[],
                            types=[], count=10, mode="test", time_limit_min=20, attempts=2,
                            counts="best", opens_at=None, due_at=now + timedelta(days=7),
                            refuse_late=True)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")  # what autovacuum would do soon after
                conn.commit()
        return klass.id, teacher.username


def time_page(app, *, learners: int = 300, questions: int = 500, repeat: int = 20
              ) -> dict[str, Any]:
    """Build the class in the app's database, then time its teacher's page."""
    started = time.perf_counter()
    class_id, teacher = build(app, learners, questions)
    built = round(time.perf_counter() - started, 1)
    csrf = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = False  # the login below is the timing client's own
    try:
        client = app.test_client()
        assert client.post("/auth/login", data={"username": teacher,
                                                "password": PASSWORD}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = csrf
    path = f"/classes/{class_id}"

    def get(_i: int) -> None:
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    row = measure(get, repeat, learners=learners, questions=questions,
                  cards=learners * questions, target_ms=TARGET_MS, build_seconds=built)
    with app.app_context():
        db.engine.dispose()
    return row


def run(url: str, *, learners: int = 300, questions: int = 500, repeat: int = 20,
        wipe: bool = False) -> dict[str, Any]:
    check_disposable(url, wipe)
    return {"class page": time_page(fresh(url), learners=learners, questions=questions,
                                    repeat=repeat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{DATA_DIR / 'class-bench.sqlite3'}")
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--wipe", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.database_url, learners=args.learners, questions=args.questions,
                         repeat=args.repeat, wipe=args.wipe), indent=1))


if __name__ == "__main__":
    main()
