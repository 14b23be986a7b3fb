"""Quiz attempts: start, answer (once per question), finish, retry, history."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp import unit_of_work
from quizapp.domain import quiz as rules
from quizapp.domain.grading import InvalidResponse, Result, grade
from quizapp.extensions import db
from quizapp.models import AttemptAnswer, Bank, Question, QuestionRevision, QuizAttempt, User
from quizapp.qtypes.registry import SCHEMAS
from quizapp.services import catalogue, study, topics
from quizapp.services.errors import Conflict, NotFound, ServiceError


@dataclass(frozen=True)
class QuizChoice:
    """What a learner may pick from when starting a quiz."""

    banks: list[tuple[int, str]]
    tags: dict[str, str]  # slug -> label, by bank title then topic position
    types: list[str]


def quiz_choices(user: User | None) -> QuizChoice:
    """The banks open to `user` (see services.catalogue), and their topics and types."""
    banks = db.session.execute(
        select(Bank.id, Bank.title).where(catalogue.open_to(user)).order_by(Bank.title)
    ).all()
    used: dict[int, set[str]] = {}
    kinds: set[str] = set()
    for bank_id, tags, kind in db.session.execute(
        select(Question.bank_id, Question.tags, Question.type).join(Bank)
        .where(Question.archived.is_(False), catalogue.open_to(user))
    ):
        used.setdefault(bank_id, set()).update(tags or [])
        kinds.add(kind)
    by_bank = topics.labels_by_bank(used)
    # One list of topics over the banks, by bank title then each bank's topic order (a
    # quiz's topic filter spans banks); a slug two banks share shows the label of the first
    # bank by title that uses it.
    tags: dict[str, str] = {}
    for bank_id, _ in banks:
        labels = by_bank.get(bank_id, {})
        for slug in [*labels, *sorted(used.get(bank_id, set()) - labels.keys())]:
            if slug in used.get(bank_id, ()):
                tags.setdefault(slug, topics.label_of(labels, slug))
    return QuizChoice(
        banks=[(b.id, b.title) for b in banks],
        tags=tags,
        types=[t for t in SCHEMAS if t in kinds],
    )


def _current_revisions(question_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(QuestionRevision.question_id, QuestionRevision.id)
        .join(Question, Question.id == QuestionRevision.question_id)
        .where(QuestionRevision.question_id.in_(question_ids))
        .where(QuestionRevision.number == Question.revision)
    ).all()
    return dict(rows)


def start_attempt(
    user_id: int,
    *,
    bank_ids: list[int],
    tags: list[str],
    types: list[str],
    count: int,
    mode: str,
    now: datetime,
    time_limit_s: int | None = None,
    question_ids: list[int] | None = None,
    seed: int | None = None,
) -> QuizAttempt:
    """Draw the questions and freeze the revision each position will show."""
    if mode not in rules.MODES:
        raise ServiceError("Choose practice or test mode.", field="mode")
    if not 1 <= count <= rules.MAX_QUESTIONS:
        raise ServiceError(f"Ask for 1 to {rules.MAX_QUESTIONS} questions.", field="count")
    if time_limit_s is not None and (mode != "test" or not 60 <= time_limit_s <= 4 * 3600):
        raise ServiceError("A time limit is 1 to 240 minutes, in test mode.", field="time_limit")
    query = (
        select(Question.id, Question.tags)
        .join(Bank)
        .where(Question.archived.is_(False),
               catalogue.open_to(db.session.get(User, user_id)))
    )
    if question_ids is not None:
        query = query.where(Question.id.in_(question_ids))
    if bank_ids:
        query = query.where(Question.bank_id.in_(bank_ids))
    if types:
        query = query.where(Question.type.in_(types))
    wanted = set(tags)
    candidates = [qid for qid, qtags in db.session.execute(query)
                  if not wanted or wanted & set(qtags or [])]
    if not candidates:
        raise ServiceError("No questions match that choice; widen the topics or types.")
    seed = seed if seed is not None else secrets.randbits(48)
    drawn = rules.draw(candidates, count, seed)
    revisions = _current_revisions(drawn)
    # Only a new row is written: the reads above need no lock, so the write begins here.
    unit_of_work.write()
    attempt = QuizAttempt(
        user_id=user_id,
        selection={
            "bank_ids": sorted(bank_ids), "tags": sorted(tags), "types": sorted(types),
            "count": count, "question_ids": drawn, "revision_ids": [revisions[q] for q in drawn],
        },
        seed=seed,
        mode=mode,
        time_limit_s=time_limit_s,
        started_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def get_attempt(user_id: int, attempt_id: int, *, lock: bool = False) -> QuizAttempt:
    """The learner's own attempt with its answers; anyone else's is reported as not found.
    `lock` (after `unit_of_work.write()`): the row is locked, so the answers, Finish and the
    expiry of one attempt happen one after another, and it and its answers are read fresh."""
    query = select(QuizAttempt).where(QuizAttempt.id == attempt_id,
                                      QuizAttempt.user_id == user_id)
    if lock:
        query = query.with_for_update()
    attempt = db.session.scalar(query.options(selectinload(QuizAttempt.answers)))
    if attempt is None:
        raise NotFound("No such quiz attempt.")
    return attempt


def revision_at(attempt: QuizAttempt, position: int) -> QuestionRevision:
    ids = attempt.selection["revision_ids"]
    if not 0 <= position < len(ids):
        raise NotFound("That question is not part of this quiz.")
    revision = db.session.get(QuestionRevision, ids[position])
    if revision is None:
        raise NotFound("That question no longer exists.")
    return revision


def revisions_of(attempt: QuizAttempt) -> list[QuestionRevision]:
    """The revision shown at each position (the one answered against, where answered), in
    one query whatever the attempt's size."""
    answered = {a.position: a.question_revision_id for a in attempt.answers}
    wanted = [answered.get(p, rid) for p, rid in enumerate(attempt.selection["revision_ids"])]
    found = {r.id: r for r in db.session.scalars(
        select(QuestionRevision).where(QuestionRevision.id.in_(set(wanted))))}
    if len(found) < len(set(wanted)):
        raise NotFound("A question of this quiz no longer exists.")
    return [found[rid] for rid in wanted]


def total(attempt: QuizAttempt) -> int:
    return len(attempt.selection["revision_ids"])


def answer_at(attempt: QuizAttempt, position: int) -> AttemptAnswer | None:
    return next((a for a in attempt.answers if a.position == position), None)


def next_position(attempt: QuizAttempt) -> int | None:
    """The first unanswered question, or None when all are answered."""
    done = {a.position for a in attempt.answers}
    return next((p for p in range(total(attempt)) if p not in done), None)


def missed(attempt: QuizAttempt) -> list[int]:
    """The question ids answered wrong or left out, in the attempt's order."""
    right = {a.position for a in attempt.answers if a.correct}
    return [q for p, q in enumerate(attempt.selection["question_ids"]) if p not in right]


def deadline(attempt: QuizAttempt) -> datetime | None:
    if not attempt.time_limit_s:
        return None
    return attempt.started_at + timedelta(seconds=attempt.time_limit_s)


def time_is_up(attempt: QuizAttempt, now: datetime) -> bool:
    """The time limit has passed (a second's leeway for the browser's rounding)."""
    limit = deadline(attempt)
    return limit is not None and now >= limit - timedelta(seconds=1)


def ended_at(attempt: QuizAttempt, now: datetime) -> datetime | None:
    """When the attempt ended: finished, or its time limit and grace passed (read-only)."""
    if attempt.finished_at is not None:
        return attempt.finished_at
    limit = deadline(attempt)
    if limit is not None and now > limit + timedelta(seconds=rules.DEADLINE_GRACE_S):
        return limit
    return None


def score_of(attempt: QuizAttempt) -> float:
    if attempt.score is not None:
        return attempt.score
    return rules.attempt_score([a.score for a in attempt.answers], total(attempt))


def expire_if_due(user_id: int, attempt_id: int, now: datetime) -> bool:
    """Store the end of an attempt whose time ran out; True if it is (now) finished."""
    unit_of_work.write()
    attempt = get_attempt(user_id, attempt_id, lock=True)
    if attempt.finished_at is None:
        ended = ended_at(attempt, now)
        if ended is None:
            return False
        _finish(attempt, ended)
    return True


@dataclass(frozen=True)
class AnswerOutcome:
    answer: AttemptAnswer
    result: Result | None
    repeated: bool  # the position was already answered: nothing new was recorded


def submit_answer(
    user_id: int, attempt_id: int, position: int, response: Any, now: datetime
) -> AnswerOutcome:
    """Grade and store one answer, exactly once per position, and feed the learner's card.

    Sent again (a double click, a second device), the first answer is returned as a repeat;
    once the attempt ended (finished, or out of time), Conflict and nothing is stored."""
    # Graded before the write begins: a response that cannot be graded (ServiceError beside
    # the form's field) takes no lock, and the page that shows it is rendered without one.
    revision = revision_at(get_attempt(user_id, attempt_id), position)
    revision_id, question_id = revision.id, revision.question_id
    result = _grade(revision.snapshot, response)

    unit_of_work.write()
    attempt = get_attempt(user_id, attempt_id, lock=True)
    existing = answer_at(attempt, position)
    if existing is not None:
        return AnswerOutcome(existing, None, repeated=True)
    if ended_at(attempt, now) is not None:
        raise Conflict("This quiz is finished; its answers can no longer change.")
    answer = AttemptAnswer(
        attempt=attempt, position=position, question_revision_id=revision_id,
        response=response, score=result.score, correct=result.correct, answered_at=now,
    )
    db.session.add(answer)
    db.session.flush()
    study.record_quiz_review(
        user_id, question_id, score=result.score, correct=result.correct, now=now,
        submission_id=f"quiz-{attempt.id}-{position}",
    )
    if next_position(attempt) is None:
        _finish(attempt, now)
    db.session.flush()
    return AnswerOutcome(answer, result, repeated=False)


def _grade(snapshot: dict[str, Any], response: Any) -> Result:
    try:
        return grade(snapshot["type"], _answer_data(snapshot), response)
    except InvalidResponse as e:
        raise ServiceError(str(e), field="answer") from None


def _answer_data(snapshot: dict[str, Any]) -> dict[str, Any]:
    fields = SCHEMAS[snapshot["type"]].answer_fields
    return {name: snapshot.get(name) for name in fields}


def regrade(snapshot: dict[str, Any], response: Any) -> Result | None:
    """Feedback for a stored answer (pure re-run of the grader on its own revision)."""
    try:
        return grade(snapshot["type"], _answer_data(snapshot), response)
    except InvalidResponse:
        return None


def _finish(attempt: QuizAttempt, now: datetime) -> None:
    """End a locked attempt: its score is that of the answers recorded up to now."""
    attempt.finished_at = now
    attempt.score = rules.attempt_score([a.score for a in attempt.answers], total(attempt))


def finish_attempt(user_id: int, attempt_id: int, now: datetime) -> QuizAttempt:
    """End the attempt (at its time limit, if that passed first); again is harmless."""
    unit_of_work.write()
    attempt = get_attempt(user_id, attempt_id, lock=True)
    if attempt.finished_at is None:
        limit = deadline(attempt)
        _finish(attempt, min(now, limit) if limit else now)
        db.session.flush()
    return attempt


def retry_missed(user_id: int, attempt_id: int, now: datetime) -> QuizAttempt:
    """A new attempt, same mode, with the questions answered wrong or left out."""
    attempt = get_attempt(user_id, attempt_id)
    questions, mode = missed(attempt), attempt.mode
    if not questions:
        raise ServiceError("You missed nothing in that quiz.")
    return start_attempt(
        user_id, bank_ids=[], tags=[], types=[], count=len(questions), mode=mode,
        now=now, question_ids=questions,
    )


def history(user_id: int, limit: int = 50) -> list[QuizAttempt]:
    return list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id)
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc()).limit(limit)
    ))
