"""Schema pieces several types share: options, pairs, distinct lists."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_serializer, model_validator

from quizapp.domain.questions import Short

Fraction = float  # a share of the question's score, -1..1 (Moodle's answer fraction / 100)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    """An option; `fraction` (partial credit) overrides `correct` (1 or 0) when given."""

    text: Short
    correct: StrictBool = False
    fraction: float | None = Field(default=None, ge=-1, le=1, allow_inf_nan=False)
    feedback: Short | None = None

    @model_validator(mode="before")
    @classmethod
    def _correct_from_fraction(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("fraction") is not None:
            number_fraction(value["fraction"])
            positive = value["fraction"] > 0
            if "correct" not in value:
                value = {**value, "correct": positive}
            elif value["correct"] is not positive:
                raise ValueError("an option's correct flag must agree with its fraction "
                                 "(correct means a fraction above 0)")
        return value

    @model_serializer(mode="wrap")
    def _without_none(self, handler):
        # Options without partial credit or feedback are stored exactly as before.
        return {k: v for k, v in handler(self).items() if v is not None}

    @property
    def credit(self) -> float:
        return credit(self.model_dump())


def number_fraction(value: Any) -> float:
    """A fraction must be written as a number (not "0.5", not true)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a fraction is a number from -1 to 1, such as 0.5")
    return value


def credit(option: dict[str, Any]) -> float:
    """An option's (or answer's) share of the score: its fraction, else 1 if correct, else 0."""
    fraction = option.get("fraction")
    return float(fraction) if fraction is not None else (1.0 if option.get("correct") else 0.0)


class Pair(Strict):
    left: Short
    right: Short


def distinct(values: list[str], what: str) -> None:
    seen = {v.casefold() for v in values}
    if len(seen) != len(values):
        raise ValueError(f"two {what} are the same")
