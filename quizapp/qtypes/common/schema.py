"""Schema pieces several types share: options, pairs, distinct lists."""

from pydantic import BaseModel, ConfigDict, StrictBool

from quizapp.domain.questions import Short


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    text: Short
    correct: StrictBool = False


class Pair(Strict):
    left: Short
    right: Short


def distinct(values: list[str], what: str) -> None:
    seen = {v.casefold() for v in values}
    if len(seen) != len(values):
        raise ValueError(f"two {what} are the same")
