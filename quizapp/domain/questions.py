"""The question schema: one pydantic model per question type, in a registry keyed by type.

Pure: used by the bank file loader, the editor and the import formats alike.
"""

import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)

from quizapp.domain.messages import excerpt
from quizapp.domain.tags import TAGS
from quizapp.domain.text import unstorable

KEY_RE = r"^[a-z0-9][a-z0-9-]{0,79}$"
CITATION_RE = re.compile(r"^([a-z0-9][a-z0-9-]*)#([1-9][0-9]{0,3})$")
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
Explanation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                               max_length=MAX_EXPLANATION), Storable]
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
    explanation: Explanation
    source: list[str] = Field(min_length=1, max_length=20)
    tags: list[str] = Field(min_length=1, max_length=20)
    difficulty: int = Field(default=2, ge=1, le=3)
    source_check_ignore: Short | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _one_source_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("source")
    @classmethod
    def _citations(cls, value: list[str]) -> list[str]:
        for citation in value:
            if not isinstance(citation, str) or not CITATION_RE.match(citation):
                raise ValueError(f"source must look like trafficking#11, not {excerpt(citation)}")
        return value

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in TAGS]
        if unknown:
            raise ValueError(
                f"unknown tag {excerpt(unknown[0])}; use one of: {', '.join(TAGS)}"
            )
        if len(set(value)) != len(value):
            raise ValueError("a tag is listed twice")
        return value

    def answer_data(self) -> dict[str, Any]:
        """The type-specific part, as stored in the database."""
        return self.model_dump(include=set(self.answer_fields), mode="json")


class Option(_Strict):
    text: Short
    correct: StrictBool = False


def _distinct(values: list[str], what: str) -> None:
    seen = {v.casefold() for v in values}
    if len(seen) != len(values):
        raise ValueError(f"two {what} are the same")


class SingleChoice(QuestionBase):
    answer_fields = ("options",)
    type: Literal["single_choice"]
    options: list[Option] = Field(min_length=2, max_length=12)

    @model_validator(mode="after")
    def _one_correct(self):
        correct = sum(o.correct for o in self.options)
        if correct != 1:
            raise ValueError(f"single choice needs exactly one correct option (found {correct})")
        _distinct([o.text for o in self.options], "options")
        return self


class MultipleChoice(QuestionBase):
    answer_fields = ("options",)
    type: Literal["multiple_choice"]
    options: list[Option] = Field(min_length=2, max_length=12)

    @model_validator(mode="after")
    def _some_correct(self):
        if not any(o.correct for o in self.options):
            raise ValueError("multiple choice needs at least one correct option")
        _distinct([o.text for o in self.options], "options")
        return self


class TrueFalse(QuestionBase):
    answer_fields = ("answer",)
    type: Literal["true_false"]
    answer: StrictBool


class ShortAnswer(QuestionBase):
    answer_fields = ("answers", "typos", "accents")
    type: Literal["short_answer"]
    answers: list[Short] = Field(min_length=1, max_length=30)
    typos: StrictBool = False
    accents: StrictBool = False


class Numeric(QuestionBase):
    answer_fields = ("value", "tolerance", "unit")
    type: Literal["numeric"]
    value: float = Field(allow_inf_nan=False)
    tolerance: float = Field(default=0, allow_inf_nan=False)
    unit: Short | None = None

    @field_validator("tolerance")
    @classmethod
    def _non_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("tolerance must be 0 or more")
        return value


class Ordering(QuestionBase):
    answer_fields = ("items",)
    type: Literal["ordering"]
    items: list[Short] = Field(min_length=2, max_length=20)

    @field_validator("items")
    @classmethod
    def _distinct_items(cls, value: list[str]) -> list[str]:
        _distinct(value, "items")
        return value


class Pair(_Strict):
    left: Short
    right: Short


class Matching(QuestionBase):
    answer_fields = ("pairs",)
    type: Literal["matching"]
    pairs: list[Pair] = Field(min_length=2, max_length=20)

    @field_validator("pairs")
    @classmethod
    def _distinct_sides(cls, value: list[Pair]) -> list[Pair]:
        _distinct([p.left for p in value], "left items")
        _distinct([p.right for p in value], "right items")
        return value


class Cloze(QuestionBase):
    answer_fields = ("gaps",)
    type: Literal["cloze"]
    gaps: list[Annotated[list[Short], Field(min_length=1, max_length=30)]] = Field(
        min_length=1, max_length=20
    )

    @model_validator(mode="after")
    def _gaps_match_prompt(self):
        numbers = [int(n) for n in GAP_RE.findall(self.prompt)]
        expected = list(range(1, len(self.gaps) + 1))
        if sorted(numbers) != expected:
            raise ValueError(
                f"every gap needs an answer: the prompt has gaps {numbers or 'none'}, "
                f"and gaps lists {len(self.gaps)} answer list(s); write {{{{1}}}}..."
                f"{{{{{len(self.gaps)}}}}} once each"
            )
        return self


QUESTION_TYPES: dict[str, type[QuestionBase]] = {
    "single_choice": SingleChoice,
    "multiple_choice": MultipleChoice,
    "true_false": TrueFalse,
    "short_answer": ShortAnswer,
    "numeric": Numeric,
    "ordering": Ordering,
    "matching": Matching,
    "cloze": Cloze,
}

TYPE_LABELS = {
    "single_choice": "Single choice",
    "multiple_choice": "Multiple choice",
    "true_false": "True or false",
    "short_answer": "Short answer",
    "numeric": "Numeric",
    "ordering": "Ordering",
    "matching": "Matching",
    "cloze": "Fill the gaps",
}


def parse_citation(citation: str) -> tuple[str, int]:
    match = CITATION_RE.match(citation)
    if not match:
        raise ValueError(f"source must look like trafficking#11, not {excerpt(citation)}")
    return match.group(1), int(match.group(2))


def snapshot(question: QuestionBase) -> dict[str, Any]:
    """Everything about a question, as plain JSON: what a revision stores."""
    return question.model_dump(mode="json", exclude_none=True)
