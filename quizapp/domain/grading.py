"""Grading a learner's response to a question: each type's grader, looked up in the registry.

`grade(question_type, answer_data, response)` returns a `Result`; `answer_data` is the dict a
question stores (`QuestionBase.answer_data()`). Each type's grader documents the response
shape it takes (`quizapp/qtypes/<name>/`). A malformed response raises `InvalidResponse` (a
ValueError) with a user-facing message.
"""

from collections.abc import Mapping
from typing import Any

from quizapp.qtypes import registry
from quizapp.qtypes.common.grading import (  # noqa: F401 (re-exported for the services)
    InvalidResponse,
    Result,
)


def grade(question_type: str, answer_data: Mapping[str, Any], response: Any) -> Result:
    """Grade `response`; raises InvalidResponse if it is malformed, KeyError for an unknown type."""
    return registry.get(question_type).grade(answer_data, response)
