"""Moodle GIFT: plain text, one question per paragraph.

Written and read: single_choice (`=right ~wrong`), multiple_choice (Moodle weights,
`~%50%right ~%-50%wrong`: the right ones share 100, each wrong one costs as much as one
right one), true_false (`{T}` / `{F}`), short_answer (`{=a =b}`), numeric
(`{#value:tolerance}`; `{#min..max}` is read too) and matching (`{=left -> right ...}`).
Ordering and cloze have no GIFT form: `Format.unsupported` lists them and export leaves them
out. The question name is the key (`::key::`), the prompt is marked `[markdown]`, the
explanation is the general feedback (`####text`). ~ = # { } : and backslash in text are
escaped with a backslash, a line break as `\\n`.

GIFT has no place for a question's sources, tags, difficulty, short-answer flags, unit or scale,
nor for the bank header, so they go in `//` comment lines, which Moodle ignores:

    // bank: {"slug": "minsk-talks", "title": "Minsk talks"}       (first paragraph)
    // source: minsk-talks#2 minsk-talks#3 tags: venue people difficulty: 1
    // typos: true         (also accents: true, unit: ..., scale: ..., source-check-ignore: ...)
    ::venue-residence::[markdown]Where did the talks take place? {...}

On import the comment lines of a question's paragraph are read back; a question without a
`source:` or without `tags:` is rejected with the fix in the reason. Hand-written GIFT
without names gets keys made from its titles or prompts.
"""

import json
import re
from typing import Any

from pydantic import ValidationError

from quizapp.domain.bank_file import BankHeader
from quizapp.domain.questions import QuestionBase
from quizapp.qtypes import registry
from quizapp.qtypes.common.formats import gift_escape as escape
from quizapp.qtypes.common.formats import gift_find as _find
from quizapp.qtypes.common.formats import gift_split_answers as _split_answers
from quizapp.qtypes.common.formats import gift_unescape as unescape

from .base import (
    MOODLE_FAMILY_TYPES,
    Collector,
    ImportResult,
    Reject,
    parse_flag,
    slugify,
    validation_reason,
)

TYPES = MOODLE_FAMILY_TYPES  # GIFT and Moodle XML carry the same types
_LABELS = re.compile(r"(?:^|\s)(source|tags|difficulty):")
_LINE_META = re.compile(r"^(bank|typos|accents|unit|scale|source-check-ignore):\s?(.*)$")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]")
FLAGS = ("typos", "accents")
NO_SOURCE = "needs a source citation (add // source: article#n)"
NO_TAGS = "needs at least one topic tag (add tags: ... to the // source: line, e.g. tags: venue)"


# ------------------------------------------------------------------------------ export

def _answers(q: QuestionBase) -> list[str]:
    return registry.get(q.type).gift_answers(q.answer_data())


def _comments(q: QuestionBase) -> list[str]:
    lines = [f"// source: {' '.join(q.source)} tags: {' '.join(q.tags)} "
             f"difficulty: {q.difficulty}"]
    data = q.answer_data()
    lines += [f"// {flag}: true" for flag in ("typos", "accents") if data.get(flag)]
    for name in ("unit", "scale"):
        if data.get(name):
            lines.append(f"// {name}: {escape(data[name])}")
    if q.source_check_ignore:
        lines.append(f"// source-check-ignore: {escape(q.source_check_ignore)}")
    return lines


def export_gift(header: BankHeader, questions: list[QuestionBase]) -> bytes:
    bank = json.dumps(header.model_dump(exclude_none=True), ensure_ascii=False)
    parts = ["// quizapp bank, GIFT format: sources, tags and difficulty are in the // lines"
             f"\n// bank: {bank}"]
    for q in questions:
        body = "\n".join([*_answers(q), f"####{escape(q.explanation)}"])
        parts.append("\n".join(
            [*_comments(q), f"::{q.key}::[markdown]{escape(q.prompt)} {{", body, "}"]))
    return ("\n\n".join(parts) + "\n").encode("utf-8")


# ------------------------------------------------------------------------------ import

def _paragraphs(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated paragraphs, each with the number of its first line."""
    found: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if line.strip():
            if not current:
                found.append((number, current))
            current.append(line)
        else:
            current = []
    return found


def _meta(comments: list[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for comment in comments:
        body = comment.strip()[2:].strip()
        line_meta = _LINE_META.match(body)
        if line_meta:
            meta.setdefault(line_meta.group(1), line_meta.group(2))
            continue
        if not _LABELS.match(body):
            continue  # an ordinary comment
        pieces = _LABELS.split(body)
        for label, value in zip(pieces[1::2], pieces[2::2], strict=True):
            meta.setdefault(label, value.replace(",", " ").strip())
    return meta


def _answer_fields(body: str) -> dict[str, Any]:
    """Which of Moodle's kinds the answer block's syntax is; the type of that kind reads it."""
    stripped = body.strip()
    if not stripped:
        raise Reject("an essay question (empty answer block) has no quizapp type", skip=True)
    word = stripped[: f].strip() if (f := _find(stripped, "#")) > 0 else stripped
    answers = None
    if word.upper() in ("T", "TRUE", "F", "FALSE"):
        qtype = registry.for_moodle("truefalse")
    elif stripped.startswith("#"):
        qtype = registry.for_moodle("numerical")
    else:
        answers = _split_answers(body)
        if all(m == "=" for m, _, _ in answers):
            qtype = registry.for_moodle("matching") \
                if any(_find(t, "->") >= 0 for _, _, t in answers) \
                else registry.for_moodle("shortanswer")
        else:
            weighted = all(m == "~" for m, _, _ in answers) \
                and any(w is not None for _, w, _ in answers)
            qtype = registry.for_moodle("multichoice", single=not weighted)
    if qtype is None:
        raise Reject("this GIFT question's kind has no quizapp type", skip=True)
    return {"type": qtype.name, **qtype.gift_read(stripped, answers)}


def _question(lines: list[str], meta: dict[str, str], number: int, traced: bool
              ) -> dict[str, Any]:
    content = "\n".join(lines).strip()
    title = None
    if content.startswith("::"):
        end = _find(content, "::", 2)
        if end < 0:
            raise Reject("the question name is not closed with ::")
        title, content = unescape(content[2:end]).strip(), content[end + 2 :].lstrip()
    content = _FORMAT.sub("", content)
    opening = _find(content, "{")
    if opening < 0:
        raise Reject("a description (no {answer block}) has no quizapp type", skip=True)
    closing = _find(content, "}", opening)
    if closing < 0 or _find(content[:opening], "}") >= 0:
        raise Reject("unbalanced braces: each { needs a } (write \\{ or \\} for a brace)")
    if _find(content, "{", opening + 1) >= 0 or _find(content, "}", closing + 1) >= 0:
        raise Reject("unbalanced braces: one {answer block} per question "
                      "(write \\{ or \\} for a brace)")
    before, body, after = content[:opening], content[opening + 1 : closing], content[closing + 1:]
    prompt = unescape(before).strip()
    if after.strip():
        prompt = f"{prompt} _____ {unescape(after).strip()}"
    general = _find(body, "####")
    data: dict[str, Any] = {"key": slugify(title or prompt, f"question-{number}"),
                            "prompt": prompt, **_answer_fields(body[:general]
                                                               if general >= 0 else body)}
    explained = general >= 0 and unescape(body[general + 4 :]).strip()
    if traced and not explained:
        raise Reject("needs an explanation (add ####explanation before the closing })")
    data["explanation"] = unescape(body[general + 4 :]) if explained else ""
    if traced and not meta.get("source", "").split():
        raise Reject(NO_SOURCE)
    if not meta.get("tags", "").split():
        raise Reject(NO_TAGS)
    data.update(source=meta.get("source", "").split(), tags=meta["tags"].split())
    for name in ("difficulty", "typos", "accents", "unit", "scale", "source-check-ignore"):
        if meta.get(name, "").strip():
            value = unescape(meta[name]).strip()
            data[name.replace("-", "_")] = parse_flag(value) if name in FLAGS else value
    return data


def parse_gift(text: str, filename: str, traced: bool = True) -> ImportResult:
    collect = Collector(traced=traced)
    for number, lines in _paragraphs(text):
        comments = [line for line in lines if line.strip().startswith("//")]
        content = [line for line in lines if not line.strip().startswith(("//", "$CATEGORY:"))]
        meta = _meta(comments)
        if not content:
            if "bank" in meta and collect.result.header is None:
                try:
                    collect.result.header = BankHeader.model_validate(json.loads(meta["bank"]))
                except (ValueError, ValidationError) as e:
                    reason = validation_reason(e) if isinstance(e, ValidationError) else str(e)
                    collect.reject(number, None, f"bank header: {reason}")
            continue
        line = number + lines.index(content[0])
        try:
            data = _question(content, meta, line, traced)
        except Reject as e:
            title = content[0].strip()[2:].split("::")[0] if content[0].strip()[:2] == "::" else ""
            (collect.skip if e.skip else collect.reject)(line, title or None, e.reason)
            continue
        collect.add(data, line)
    return collect.result
