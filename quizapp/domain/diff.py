"""A readable diff between two question snapshots."""

import difflib
from dataclasses import dataclass

import yaml

FIELD_ORDER = ["key", "type", "prompt", "options", "answer", "answers", "typos", "accents",
               "value", "tolerance", "unit", "scale", "items", "pairs", "gaps", "any_order",
               "explanation", "source", "tags", "difficulty", "source_check_ignore"]


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "added" | "removed" | "gap"
    text: str


def snapshot_text(snapshot: dict) -> list[str]:
    """The snapshot as YAML lines, fields in a stable, natural order."""
    ordered = {k: snapshot[k] for k in FIELD_ORDER if k in snapshot}
    ordered.update({k: v for k, v in snapshot.items() if k not in ordered})
    text = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=88)
    return text.splitlines()


def diff_snapshots(old: dict, new: dict, context: int = 3) -> list[DiffLine]:
    lines: list[DiffLine] = []
    a, b = snapshot_text(old), snapshot_text(new)
    for group in difflib.SequenceMatcher(a=a, b=b).get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", t) for t in a[i1:i2]]
                continue
            lines += [DiffLine("removed", t) for t in a[i1:i2]]
            lines += [DiffLine("added", t) for t in b[j1:j2]]
    return lines
