"""What the web asks of a question type: its answer form, its editor rows, its templates.

Each type's `web.py` subclasses `TypeWeb` as `WEB`; `quizapp.qtypes.web` finds them.
"""

from collections.abc import Mapping
from typing import Any, ClassVar


class TypeWeb:
    # Templates: the answer inputs (quiz and editor preview) and the editor rows. Types that
    # share editor rows (single and multiple choice) name the same template.
    input_template: ClassVar[str]
    editor_template: ClassVar[str]
    # The editor's fields (unbound WTForms fields) by name; a name two types share is one field.
    editor_fields: ClassVar[dict[str, Any]] = {}
    # Editor fields that are lists of rows ("+ option" buttons add one).
    row_lists: ClassVar[tuple[str, ...]] = ()

    def answer_fields(self, snapshot: Mapping[str, Any], shown: list[int]) -> dict[str, Any]:
        """The answer form's fields (unbound), options in the attempt's shown order."""
        raise NotImplementedError

    def response(self, form, snapshot: Mapping[str, Any]) -> Any:
        """The grader's response shape from a validated answer form."""
        raise NotImplementedError

    def handle_move(self, form, snapshot: Mapping[str, Any], move: str) -> bool:
        """A posted move button (reordering without JS): True when handled, no answer sent."""
        return False

    def editor_data(self, form) -> dict[str, Any]:
        """The type's part of the question data, from the editor form (blank rows left out)."""
        raise NotImplementedError

    def editor_load(self, form, snap: Mapping[str, Any]) -> None:
        """Fill the type's editor fields from a question snapshot."""
        raise NotImplementedError
