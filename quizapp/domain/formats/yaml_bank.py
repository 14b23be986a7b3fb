"""The native format: exactly the question_bank/*.yaml layout (see question_bank/README.md).

Reading goes through `parse_bank` (YAML safe loader only: a `!!python/...` tag is refused,
never constructed); each of its errors becomes a rejection with its line number.
"""

from typing import Any

import yaml

from quizapp.domain.bank_file import BankHeader, parse_bank
from quizapp.domain.questions import QuestionBase, snapshot
from quizapp.qtypes.registry import SCHEMAS

from .base import FormatError, ImportResult, Rejection

MAX_YAML_NODES = 100_000  # a question is about 35; parsing 100,000 takes about 6 s
COMMON_FIELDS = ("key", "type", "prompt")
TRAILING_FIELDS = ("explanation", "source", "tags", "difficulty", "source_check_ignore")


class _Flow(list):
    """A list written inline, `[a, b]`, like the hand-written banks."""


class _FlowMap(dict):
    """A mapping written inline, `{text: ..., correct: true}`."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # PyYAML folds a NEL (U+0085) inside quoted or plain text into a space: escape it.
    style = '"' if any(ch in value for ch in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)


def _styled(question: QuestionBase) -> dict[str, Any]:
    data = snapshot(question)
    answer_fields = SCHEMAS[question.type].answer_fields
    order = [*COMMON_FIELDS, *answer_fields, *TRAILING_FIELDS]
    out: dict[str, Any] = {}
    for name in order:
        if name not in data:
            continue
        value = data[name]
        if name in ("source", "tags", "answers"):
            value = _Flow(value)
        elif name == "options":
            value = [_FlowMap({k: v for k, v in o.items() if v is not False}) for o in value]
        elif name == "pairs":
            value = [_FlowMap(pair) for pair in value]
        elif name == "gaps":
            value = [_Flow(gap) for gap in value]
        elif name == "any_order":
            value = _Flow([_Flow(group) for group in value])
        out[name] = value
    return out


def export_yaml(header: BankHeader, questions: list[QuestionBase]) -> bytes:
    document = {
        "bank": header.model_dump(exclude_none=True, exclude_defaults=True),
        "questions": [_styled(q) for q in questions],
    }
    text = yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, indent=2
    )
    return text.encode("utf-8")


def _check_size(text: str, filename: str) -> None:
    """Refuse a file with more YAML nodes than MAX_YAML_NODES, or with any alias (a few
    nested aliases expand to gigabytes: "billion laughs"), before the (pure Python, about
    60 microseconds a node) bank parser builds anything; counted by libyaml when available."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for count, event in enumerate(yaml.parse(text, Loader=loader)):
            if isinstance(event, yaml.AliasEvent):
                raise FormatError(f"{filename} uses YAML anchors and aliases (&name, *name), "
                                  "which imports do not accept: write each value out")
            if count > MAX_YAML_NODES:
                raise FormatError(f"{filename} has more than {MAX_YAML_NODES:,} YAML nodes; "
                                  "split the bank into smaller files")
    except yaml.YAMLError:
        pass  # parse_bank reports it, with its line


def parse_yaml(text: str, filename: str, traced: bool = True) -> ImportResult:
    _check_size(text, filename)
    try:
        bank = parse_bank(text, filename, traced)
    except (TypeError, AttributeError) as e:
        # parse_bank trusts that `type` is a scalar; a list or mapping there ends up here.
        raise FormatError(
            f"{filename} could not be read as a question bank: a field holds a list or mapping "
            f"where text was expected ({e})"
        ) from None
    rejections = [
        Rejection(e.line, e.key, f"{e.field}: {e.message}" if e.field else e.message)
        for e in bank.errors
    ]
    if bank.header is None and not bank.questions:
        details = "; ".join(str(r) for r in rejections[:10]) or "no bank header"
        raise FormatError(f"{filename} is not a readable question bank: {details}")
    return ImportResult(header=bank.header, questions=bank.questions, rejected=rejections)
