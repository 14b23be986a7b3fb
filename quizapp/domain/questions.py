"""What every question has: `QuestionBase` and the field types the question types share.

Each type's own schema is in its package, `quizapp/qtypes/<name>/`, listed by
`quizapp.qtypes.registry` (`SCHEMAS`, `LABELS`). Pure: used by the bank file loader, the editor
and the import formats alike.
"""

import re
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from quizapp.domain.messages import excerpt
from quizapp.domain.text import unstorable

KEY_RE = r"^[a-z0-9][a-z0-9-]{0,79}$"
CITATION_RE = re.compile(r"^([a-z0-9][a-z0-9-]*)#([1-9][0-9]{0,3})$")
TOPIC_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
GAP_RE = re.compile(r"\{\{(\d+)\}\}")


def blanked(prompt: str) -> str:
    """A prompt as plain text for lists and tables: cloze gaps shown as blanks."""
    return GAP_RE.sub("___", prompt)


def storable(text: str) -> str:
    """Refuse what no database text column or web page can hold (a YAML "\\0" makes one)."""
    if unstorable(text):
        raise ValueError("text may not contain NUL characters or unpaired surrogates")
    return text


Storable = AfterValidator(storable)
# Markdown fields are capped because rendering is superlinear on hostile text: markdown-it
# takes about 0.06 s on 5,000 characters of `[*!`, 0.25 s on 10,000, 1 s on 20,000.
MAX_PROMPT = 5_000
MAX_EXPLANATION = 10_000
Prompt = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                          max_length=MAX_PROMPT), Storable]
Explanation = Annotated[str, StringConstraints(strip_whitespace=True,
                                               max_length=MAX_EXPLANATION), Storable]
# What a traced bank requires and a free bank does not (quizapp.domain.bank_rules): a question
# is validated as traced unless the validation context says {"traced": False}.
NO_EXPLANATION = "a traced bank explains every answer: write an explanation"
NO_CITATION = "a traced bank cites a paragraph for every question: add one like trafficking#11"


def traced(info: ValidationInfo) -> bool:
    return bool((info.context or {}).get("traced", True))
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1_000),
                  Storable]
Key = Annotated[str, StringConstraints(pattern=KEY_RE)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionBase(_Strict):
    """Fields every question has."""

    answer_fields: ClassVar[tuple[str, ...]] = ()

    key: Key
    type: str
    prompt: Prompt
    explanation: Explanation = Field(default="", validate_default=True)
    source: list[str] = Field(default_factory=list, max_length=20, validate_default=True)
    tags: list[str] = Field(min_length=1, max_length=20)
    difficulty: int = Field(default=2, ge=1, le=3)
    source_check_ignore: Short | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _one_source_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("explanation")
    @classmethod
    def _explained(cls, value: str, info: ValidationInfo) -> str:
        if not value and traced(info):
            raise ValueError(NO_EXPLANATION)
        return value

    @field_validator("source")
    @classmethod
    def _citations(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not value and traced(info):
            raise ValueError(NO_CITATION)
        for citation in value:
            if not isinstance(citation, str) or not CITATION_RE.match(citation):
                raise ValueError(f"source must look like trafficking#11, not {excerpt(citation)}")
        return value

    @field_validator("tags")
    @classmethod
    def _topic_slugs(cls, value: list[str]) -> list[str]:
        """Topics belong to the bank (its Topic rows), so any topic slug is a tag here."""
        for tag in value:
            if not isinstance(tag, str) or not TOPIC_RE.match(tag):
                raise ValueError(f"a topic tag is lowercase letters, digits and dashes "
                                 f"(like venue or cell-biology), not {excerpt(tag)}")
        if len(set(value)) != len(value):
            raise ValueError("a tag is listed twice")
        return value

    def answer_data(self) -> dict[str, Any]:
        """The type-specific part, as stored in the database."""
        return self.model_dump(include=set(self.answer_fields), mode="json")


def parse_citation(citation: str) -> tuple[str, int]:
    match = CITATION_RE.match(citation)
    if not match:
        raise ValueError(f"source must look like trafficking#11, not {excerpt(citation)}")
    return match.group(1), int(match.group(2))


def snapshot(question: QuestionBase) -> dict[str, Any]:
    """Everything about a question, as plain JSON: what a revision stores."""
    return question.model_dump(mode="json", exclude_none=True)
