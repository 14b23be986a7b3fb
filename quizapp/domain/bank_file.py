"""Reading a bank file: YAML (safe loader only) validated question by question.

Every problem becomes a `BankError` naming the file, the question key, the field and
the line, and all of them are collected, not only the first.
"""

import sys
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

from quizapp.domain.bank_rules import FREE, TRACED
from quizapp.domain.messages import excerpt
from quizapp.domain.questions import KEY_RE, TOPIC_RE, QuestionBase, Storable
from quizapp.qtypes.registry import SCHEMAS

MAX_QUESTIONS = 20_000
TOPIC_LABEL_MAX = 120


class BankTopic(BaseModel):
    """One topic a bank file declares: `{slug: venue, label: Venue}`."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Annotated[str, StringConstraints(pattern=TOPIC_RE.pattern)]
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=TOPIC_LABEL_MAX), Storable]


class BankHeader(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Annotated[str, StringConstraints(pattern=KEY_RE)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                     Storable]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000),
                           Storable] = ""
    article: Annotated[str, StringConstraints(pattern=KEY_RE)] | None = None
    policy: Literal["traced", "free"] = TRACED  # quizapp.domain.bank_rules
    # The bank's topic vocabulary in display order; None: the file declares none, and its
    # questions' tags become topics labelled from their slugs.
    topics: tuple[BankTopic, ...] | None = None

    @field_validator("topics")
    @classmethod
    def _distinct_topics(cls, topics: tuple[BankTopic, ...] | None):
        slugs: set[str] = set()
        labels: set[str] = set()
        for topic in topics or ():
            if topic.slug in slugs:
                raise ValueError(f"the topic {topic.slug!r} is declared twice")
            if topic.label.casefold() in labels:
                raise ValueError(f"two topics are labelled {topic.label!r}")
            slugs.add(topic.slug)
            labels.add(topic.label.casefold())
        return topics

    def topic_labels(self) -> dict[str, str]:
        """slug -> label of the declared topics, in their order ({} if none)."""
        return {t.slug: t.label for t in self.topics or ()}


@dataclass(frozen=True)
class BankError:
    file: str
    line: int | None
    key: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = []
        if self.key:
            what.append(f"question {self.key!r}")
        if self.field:
            what.append(f"field {self.field!r}")
        return f"{where}: {' '.join(what) + ': ' if what else ''}{self.message}"


@dataclass
class BankFile:
    header: BankHeader | None
    questions: list[QuestionBase] = field(default_factory=list)
    errors: list[BankError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.header is not None


class BankFormatError(Exception):
    def __init__(self, errors: list[BankError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


# libyaml's C parser when PyYAML was built with it (10x faster on large banks).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse once: the node tree (for line numbers) and the plain data built from it."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data


def _children(node: yaml.MappingNode) -> dict[Any, yaml.Node]:
    """A mapping node's values by key (the first of a repeated key)."""
    out: dict[Any, yaml.Node] = {}
    for k, v in node.value:
        out.setdefault(getattr(k, "value", None), v)
    return out


class _Locator:
    """Finds the node along a path; each mapping is indexed once, so locating every error
    of a file with many keys stays linear (a scan per lookup made it quadratic)."""

    def __init__(self) -> None:
        self._index: dict[int, dict[Any, yaml.Node]] = {}

    def at(self, node: yaml.Node | None, path: tuple[Any, ...]) -> yaml.Node | None:
        """The deepest YAML node along `path` (mapping keys and sequence indexes)."""
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                index = self._index.get(id(node))
                if index is None:
                    index = self._index[id(node)] = _children(node)
                match = index.get(step)
                if match is None:
                    return node
                node = match
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    return node
                node = node.value[step]
            else:
                return node
        return node


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _field_name(loc: tuple[Any, ...]) -> str | None:
    return ".".join(str(p) for p in loc) or None


def parse_bank(text: str, filename: str = "<bank>", traced: bool | None = None) -> BankFile:
    """Parse and validate a bank file's text; never raises for bad content. `traced`: the
    policy its questions are checked against (None: the one its header declares)."""
    result = BankFile(header=None)
    node_at = _Locator().at

    def error(message: str, *, line=None, key=None, field_=None) -> None:
        result.errors.append(BankError(filename, line, key, field_, message))

    try:
        root, data = _compose_and_construct(text)
    except RecursionError:
        error("the file is nested too deeply to read")
        return result
    except ValueError:  # int() of more digits than Python converts (4,300)
        error(f"a number has too many digits (at most {sys.get_int_max_str_digits():,})")
        return result
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        if "nesting depth" in problem:
            error("the file is nested too deeply to read")
            return result
        error(f"not valid YAML: {problem}", line=mark.line + 1 if mark else None)
        return result

    if not isinstance(data, dict):
        error("a bank file is a mapping with 'bank' and 'questions'", line=1)
        return result
    for extra in sorted(set(data) - {"bank", "questions"}, key=str):
        error(f"unknown top-level entry {excerpt(extra)}", line=_line(node_at(root, (extra,))))

    try:
        result.header = BankHeader.model_validate(data.get("bank"))
    except ValidationError as e:
        for err in e.errors():
            error(_message(err), line=_line(node_at(root, ("bank", *err["loc"]))),
                  field_="bank." + (_field_name(err["loc"]) or ""))

    items = data.get("questions")
    if not isinstance(items, list) or not items:
        error("'questions' must be a non-empty list", line=_line(node_at(root, ("questions",))))
        return result
    if len(items) > MAX_QUESTIONS:
        error(f"at most {MAX_QUESTIONS} questions in one bank")
        return result

    if traced is None:
        traced = result.header is None or result.header.policy != FREE
    context = {"traced": traced}
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        node = node_at(root, ("questions", index))
        key = item.get("key") if isinstance(item, dict) else None
        key = key if isinstance(key, str) else None
        if not isinstance(item, dict):
            error("each question is a mapping of fields", line=_line(node))
            continue
        if key is not None:
            if key in seen:
                error(f"key is already used by question #{seen[key] + 1}",
                      line=_line(node_at(node, ("key",))), key=key, field_="key")
                continue
            seen[key] = index
        kind = item.get("type")
        model = SCHEMAS.get(kind) if isinstance(kind, str) else None
        if model is None:
            error(f"unknown type {excerpt(item.get('type'))}; "
                  f"use one of: {', '.join(SCHEMAS)}",
                  line=_line(node_at(node, ("type",))), key=key, field_="type")
            continue
        try:
            question = model.model_validate(item, context=context)
        except ValidationError as e:
            for err in e.errors():
                loc = err["loc"]
                error(_message(err), line=_line(node_at(node, loc)), key=key,
                      field_=_field_name(loc) or _model_field(err))
            continue
        result.questions.append(question)
    _check_declared_topics(result, root, node_at, error)
    return result


def _check_declared_topics(result: BankFile, root, node_at, error) -> None:
    """A header that declares topics declares all of them: a question's other tag is an
    error naming the question and the tag."""
    if result.header is None or result.header.topics is None:
        return
    declared = result.header.topic_labels()
    keys: dict[Any, int] = {}  # question key -> its index in the file, for the line
    for index, node in enumerate(getattr(node_at(root, ("questions",)), "value", [])):
        key_node = _children(node).get("key") if isinstance(node, yaml.MappingNode) else None
        keys.setdefault(getattr(key_node, "value", None), index)
    for question in result.questions:
        for position, tag in enumerate(question.tags):
            if tag not in declared:
                node = node_at(root, ("questions", keys.get(question.key, -1), "tags", position))
                error(f"the tag {tag!r} is not one of the topics the bank declares "
                      f"({', '.join(declared) or 'none'})", line=_line(node),
                      key=question.key, field_="tags")


def _message(err: dict[str, Any]) -> str:
    message = err["msg"]
    return message.removeprefix("Value error, ")


def _model_field(err: dict[str, Any]) -> str | None:
    """A whole-question rule (one correct option, gaps) names the field it is about."""
    text = err["msg"]
    for name in ("options", "gaps", "pairs", "items"):
        if name in text or name.rstrip("s") in text:
            return name
    return None


def load_bank_text(text: str, filename: str = "<bank>") -> BankFile:
    """Like parse_bank, but raises BankFormatError unless the file is valid."""
    bank = parse_bank(text, filename)
    if not bank.ok:
        raise BankFormatError(bank.errors)
    return bank
