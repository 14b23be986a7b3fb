"""What the quiz templates show: plain data built from a revision and an answer."""

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup

from quizapp.domain import quiz as rules
from quizapp.domain.grading import Result
from quizapp.models import AttemptAnswer, QuestionRevision, QuizAttempt, User
from quizapp.presenting import (
    Citation,
    citations,
    cloze_parts,
    local_time,
    prompt_html,
    safe_markdown,
)
from quizapp.qtypes import registry
from quizapp.qtypes.registry import LABELS
from quizapp.qtypes.web import web
from quizapp.services import quizzes, sources


@dataclass
class Feedback:
    correct: bool
    score: float
    message: str
    yours: list[str]
    right: list[str]
    explanation: Markup
    citations: list[Citation]
    notes: list[str] = field(default_factory=list)  # the author's feedback on the chosen options


@dataclass
class QuestionView:
    position: int
    total: int
    answered_count: int
    type: str
    type_label: str
    prompt: Markup
    snapshot: dict[str, Any]
    shown: list[int]
    input_template: str = ""
    inline_inputs: bool = False  # the prompt holds the inputs (fill the gaps)
    cloze_parts: list[str | int] = field(default_factory=list)
    feedback: Feedback | None = None
    deadline_iso: str | None = None
    deadline_local: str | None = None  # e.g. "15:10 +03", in the learner's time zone
    seconds_left: int | None = None  # by the server's clock, so the browser's does not matter


def feedback(snapshot: dict[str, Any], answer: AttemptAnswer, result: Result | None,
             cited: list | None = None) -> Feedback:
    return Feedback(
        correct=answer.correct,
        score=answer.score,
        message=result.feedback if result else ("Correct" if answer.correct else "Not quite"),
        yours=rules.response_text(snapshot, answer.response),
        right=rules.correct_answer_text(snapshot),
        explanation=safe_markdown(snapshot["explanation"]),
        citations=citations(snapshot, cited),
        notes=list(result.notes) if result else [],
    )


def question_view(user: User, attempt: QuizAttempt, position: int, revision: QuestionRevision,
                  shown: list[int], answered: AttemptAnswer | None, *, over: bool,
                  now: datetime) -> QuestionView:
    snapshot = revision.snapshot
    qtype = registry.get(snapshot["type"])
    show_feedback = answered is not None and (attempt.mode == "practice" or over)
    limit = quizzes.deadline(attempt)
    return QuestionView(
        position=position,
        total=quizzes.total(attempt),
        answered_count=len(attempt.answers),
        type=snapshot["type"],
        type_label=qtype.label,
        prompt=Markup("") if qtype.inline_inputs else prompt_html(snapshot),
        snapshot=snapshot,
        shown=shown,
        input_template=web(snapshot["type"]).input_template,
        inline_inputs=qtype.inline_inputs,
        cloze_parts=cloze_parts(snapshot["prompt"]) if qtype.inline_inputs else [],
        feedback=feedback(snapshot, answered, quizzes.regrade(snapshot, answered.response))
        if show_feedback else None,
        deadline_iso=limit.isoformat() if limit and not over else None,
        deadline_local=local_time(user, limit, "%H:%M %Z") if limit and not over else None,
        seconds_left=max(0, math.ceil((limit - now).total_seconds())) if limit and not over
        else None,
    )


@dataclass
class ReviewRow:
    position: int
    prompt: Markup
    type_label: str
    feedback: Feedback | None


def results_view(attempt: QuizAttempt) -> list[ReviewRow]:
    """Every question with its feedback, in a fixed number of queries whatever the size."""
    snapshots = [r.snapshot for r in quizzes.revisions_of(attempt)]
    cited = sources.cited_paragraphs([c for snapshot in snapshots for c in snapshot["source"]])
    rows = []
    for position, snapshot in enumerate(snapshots):
        answer = quizzes.answer_at(attempt, position)
        rows.append(ReviewRow(
            position=position,
            prompt=prompt_html(snapshot),
            type_label=LABELS[snapshot["type"]],
            feedback=feedback(snapshot, answer, quizzes.regrade(snapshot, answer.response), cited)
            if answer else Feedback(False, 0.0, "Not answered", ["(no answer)"],
                                    rules.correct_answer_text(snapshot),
                                    safe_markdown(snapshot["explanation"]),
                                    citations(snapshot, cited)),
        ))
    return rows
