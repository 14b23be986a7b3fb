"""The question types, registered in this one place (pure: the domain and formats use it).

A type is a package `quizapp/qtypes/<name>/` whose `TYPE` is a `QuestionType`; its web parts
are reached through `quizapp.qtypes.web`. Order here is the order users see.
"""

from quizapp.domain.questions import QuestionBase
from quizapp.qtypes import (
    cloze,
    matching,
    multiple_choice,
    numeric,
    ordering,
    short_answer,
    single_choice,
    true_false,
)
from quizapp.qtypes.base import QuestionType

TYPES: dict[str, QuestionType] = {
    module.TYPE.name: module.TYPE
    for module in (single_choice, multiple_choice, true_false, short_answer, numeric,
                   ordering, matching, cloze)
}
# name -> pydantic schema; name -> label (what users see)
SCHEMAS: dict[str, type[QuestionBase]] = {name: t.schema for name, t in TYPES.items()}
LABELS: dict[str, str] = {name: t.label for name, t in TYPES.items()}


def get(name: str) -> QuestionType:
    """The type called `name`; KeyError for an unknown type."""
    try:
        return TYPES[name]
    except KeyError:
        raise KeyError(f"unknown question type {name!r}") from None


def moodle_family() -> frozenset[str]:
    """The types Moodle's formats (GIFT, Moodle XML) can carry."""
    return frozenset(name for name, t in TYPES.items() if t.moodle_name)


def for_moodle(moodle_name: str, single: bool | None = None) -> QuestionType | None:
    """The type Moodle calls `moodle_name` (multichoice: told apart by `single`)."""
    for t in TYPES.values():
        if t.moodle_name == moodle_name and (t.moodle_single is None or t.moodle_single == single):
            return t
    return None


def from_moodle(moodle_name: str, single: bool | None = None) -> str:
    """The name of the type Moodle calls `moodle_name`, for importers that read Moodle's kinds."""
    found = for_moodle(moodle_name, single)
    if found is None:
        raise KeyError(f"no question type for Moodle's {moodle_name!r}")
    return found.name
