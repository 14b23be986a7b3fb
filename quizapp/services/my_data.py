"""A learner's own data: export it, or delete the account and everything in it."""

import csv
import io
import json
from typing import Any

from sqlalchemy import delete, func, select

from quizapp import unit_of_work
from quizapp.domain.passwords import verify_password
from quizapp.extensions import db
from quizapp.models import (
    AttemptAnswer,
    Bank,
    Card,
    Enrolment,
    PasswordReset,
    PendingImport,
    Question,
    QuestionRevision,
    QuizAttempt,
    Review,
    User,
    bank_editor,
)
from quizapp.services.accounts import refuse_last_admin
from quizapp.services.errors import Conflict, NotFound, ServiceError

REVIEW_COLUMNS = ["reviewed_at", "question_key", "rating", "origin", "previous_state",
                  "recall_probability", "duration_ms"]
ATTEMPT_COLUMNS = ["attempt_id", "started_at", "finished_at", "mode", "score", "position",
                   "question_key", "revision", "response", "answer_score", "correct",
                   "answered_at"]


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def reviews(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Review.reviewed_at, Question.key, Review.rating, Review.origin,
               Review.previous_state, Review.recall_probability, Review.duration_ms)
        .join(Card, Card.id == Review.card_id).join(Question, Question.id == Card.question_id)
        .where(Review.user_id == user_id).order_by(Review.reviewed_at, Review.id))
    return [dict(zip(REVIEW_COLUMNS, map(_iso, row), strict=True)) for row in rows]


def attempts(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(QuizAttempt.id, QuizAttempt.started_at, QuizAttempt.finished_at, QuizAttempt.mode,
               QuizAttempt.score, AttemptAnswer.position, Question.key, QuestionRevision.number,
               AttemptAnswer.response, AttemptAnswer.score, AttemptAnswer.correct,
               AttemptAnswer.answered_at)
        .join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .join(QuestionRevision, QuestionRevision.id == AttemptAnswer.question_revision_id)
        .join(Question, Question.id == QuestionRevision.question_id)
        .where(QuizAttempt.user_id == user_id)
        .order_by(QuizAttempt.started_at, QuizAttempt.id, AttemptAnswer.position))
    return [dict(zip(ATTEMPT_COLUMNS, map(_iso, row), strict=True)) for row in rows]


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # a spreadsheet must not run it as a formula
    return value


def data_counts(user_id: int) -> dict[str, int]:
    """What deleting the account removes (and the banks it leaves without an owner)."""
    def count(model, column) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(
            column == user_id))

    return {"cards": count(Card, Card.user_id), "reviews": count(Review, Review.user_id),
            "quiz attempts": count(QuizAttempt, QuizAttempt.user_id),
            "banks owned (they stay, without an owner)": count(Bank, Bank.owner_id)}


def delete_account(user_id: int, password: str) -> None:
    """The learner's own "delete my account": the password confirms it (checked before the
    write begins; refused if the password changed in between)."""
    user = db.session.get(User, user_id)
    if user is None or not verify_password(user.password_hash, password):
        raise ServiceError("That password is not right; nothing was deleted.", field="password")
    checked = user.password_hash
    unit_of_work.write()
    locked = db.session.scalar(select(User).where(User.id == user_id).with_for_update())
    if locked is None or locked.password_hash != checked:
        raise Conflict("The password of this account was changed a moment ago; nothing was "
                       "deleted. Log in again and retry.")
    delete_user(user_id)


def delete_user(user_id: int) -> str:
    """Remove the user and everything that is theirs (flushes; the unit of work commits).

    Banks they own and revisions they wrote stay, without an owner or author. Returns the
    username. The last administrator is refused."""
    unit_of_work.write()
    user = db.session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound("No such user.")
    refuse_last_admin(user, "deleted")
    attempt_ids = select(QuizAttempt.id).where(QuizAttempt.user_id == user_id)
    db.session.execute(delete(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(attempt_ids)))
    db.session.execute(delete(QuizAttempt).where(QuizAttempt.user_id == user_id))
    db.session.execute(delete(Review).where(Review.user_id == user_id))
    db.session.execute(delete(Card).where(Card.user_id == user_id))
    db.session.execute(delete(Enrolment).where(Enrolment.user_id == user_id))
    db.session.execute(delete(bank_editor).where(bank_editor.c.user_id == user_id))
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user_id))
    db.session.execute(delete(PendingImport).where(PendingImport.user_id == user_id))
    username = user.username
    db.session.delete(user)
    db.session.flush()
    return username
