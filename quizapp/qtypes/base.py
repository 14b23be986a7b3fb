"""The base class of every question type: what the app asks of a type.

Pure: the domain (grading, quiz texts, source check, formats) uses it. A type's web parts
(answer form, editor rows) are in its `web.py`, reached through `quizapp.qtypes.web`.
"""

from collections.abc import Mapping
from typing import Any, ClassVar

from quizapp.domain.questions import QuestionBase
from quizapp.qtypes.common.formats import anki_html
from quizapp.qtypes.common.grading import Result

Claim = tuple[str, list[str], float]  # (label, alternatives, minimum word share)


class QuestionType:
    """One question type. Subclasses set the class attributes and override the hooks."""

    name: ClassVar[str]
    label: ClassVar[str]  # what users see
    schema: ClassVar[type[QuestionBase]]
    # Moodle's own name for the type (Moodle XML's question type, GIFT's kind), if Moodle
    # has one; `moodle_single` tells Moodle's multichoice single="true"/"false" apart.
    moodle_name: ClassVar[str | None] = None
    moodle_single: ClassVar[bool | None] = None
    # Flashcards can be answered by typing (Anki's type-in mode).
    type_in: ClassVar[bool] = False
    # The prompt holds the answer inputs ({{1}} gaps) instead of showing them below it.
    inline_inputs: ClassVar[bool] = False

    # --- grading ------------------------------------------------------------------------
    def grade(self, data: Mapping[str, Any], response: Any) -> Result:
        raise NotImplementedError

    # --- what the quiz and the cards show -----------------------------------------------
    def shown_order(self, snapshot: Mapping[str, Any], seed: int, position: int) -> list[int]:
        """Option (item, right side) indexes in display order; [] when nothing is shuffled."""
        return []

    def card_options(self, snapshot: Mapping[str, Any], seed: int) -> list[str]:
        """What a flashcard's front lists below the prompt."""
        return []

    def right_answer(self, snapshot: Mapping[str, Any]) -> list[str]:
        """The right answer, as lines a learner can read beside their own."""
        raise NotImplementedError

    def response_text(self, snapshot: Mapping[str, Any], response: Any) -> list[str]:
        """The learner's response, in the same readable form as `right_answer`."""
        return [str(response)]

    def typein_expected(self, snapshot: Mapping[str, Any], typed: str) -> str | None:
        """The answer a typed flashcard response is compared with (type-in types only)."""
        return None

    # --- the source check ---------------------------------------------------------------
    def claims(self, snapshot: Mapping[str, Any]) -> list[Claim]:
        """What the question asserts, to be found in the cited paragraphs."""
        return []

    def claimed_values(self, snapshot: Mapping[str, Any]) -> list[tuple[float, float]]:
        """Numbers (value, tolerance) the cited paragraphs must hold."""
        return []

    def written_options(self, snapshot: Mapping[str, Any]) -> tuple[str, list[tuple[str, bool]]]:
        """("one" or "several" right options, [(option text, right)]) in the file's order,
        for a type with options to choose from; ("", []) otherwise. What the bank review
        (domain.bank_review) reads for a telling option order."""
        return "", []

    def answered_prompt(self, snapshot: Mapping[str, Any]) -> str:
        """The prompt as a learner reads it once answered (a cloze with its gaps filled):
        what the copying check reads."""
        return snapshot.get("prompt", "")

    # --- formats ------------------------------------------------------------------------
    def gift_answers(self, data: Mapping[str, Any]) -> list[str]:
        """The lines of the GIFT answer block (types with a `moodle_name` only)."""
        raise NotImplementedError

    def moodle_answers(self, element: Any, data: Mapping[str, Any]) -> None:
        """Moodle XML answer elements under `element` (types with a `moodle_name` only)."""
        raise NotImplementedError

    def gift_read(self, body: str, answers: list[tuple[str, float | None, str]] | None
                  ) -> dict[str, Any]:
        """The type's fields from a GIFT answer block (`body`, stripped); `answers`: its
        (marker, weight, text) answers, for the kinds written as = / ~ answers."""
        raise NotImplementedError

    def moodle_read(self, element: Any, answers: list[tuple[float, str, Any]]) -> dict[str, Any]:
        """The type's fields from a Moodle XML <question>; `answers`: each <answer>'s
        (fraction, text, element). Raises `Reject` for what cannot be imported."""
        raise NotImplementedError

    def anki_front(self, q: QuestionBase, data: Mapping[str, Any]) -> str:
        return anki_html(q.prompt)

    def anki_back(self, q: QuestionBase, data: Mapping[str, Any]) -> str:
        raise NotImplementedError
