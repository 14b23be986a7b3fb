"""What every format shares: the result types, the import limits and question building.

Pure: no Flask, no database. Every importer turns bad input into a `FormatError` (the whole
file cannot be read) or a `Rejection` (one question cannot be imported), never another
exception.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from quizapp.domain.bank_file import BankHeader
from quizapp.domain.messages import MAX_ECHO, excerpt
from quizapp.domain.questions import KEY_RE, QuestionBase
from quizapp.qtypes import registry
from quizapp.qtypes.common.formats import (  # noqa: F401 (re-exported for the formats)
    Reject,
    format_fraction,
    format_number,
    parse_number,
)
from quizapp.qtypes.registry import SCHEMAS

MAX_IMPORT_BYTES = 2 * 1024 * 1024
# What Moodle's formats (GIFT, Moodle XML) can carry: the types Moodle has a name for.
MOODLE_FAMILY_TYPES = registry.moodle_family()

_KEY = re.compile(KEY_RE)


class FormatError(ValueError):
    """The whole file cannot be read; the message says why, for the person who uploaded it."""


MAX_REASON = 300  # characters of one rejection's reason shown back


@dataclass(frozen=True)
class Rejection:
    line: int | None
    key: str | None
    reason: str

    def __post_init__(self) -> None:
        # A last bound on what any reader echoes: a key or reason never grows with the file.
        if self.key is not None and len(self.key) > MAX_ECHO:
            object.__setattr__(self, "key", self.key[:MAX_ECHO] + "...")
        if len(self.reason) > MAX_REASON:
            object.__setattr__(self, "reason", self.reason[:MAX_REASON] + "...")

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        what = f"question {self.key!r}: " if self.key else ""
        return f"{where}{what}{self.reason}"


@dataclass
class ImportResult:
    """What an import read. `rejected`: questions that are invalid; `skipped_types`:
    questions of a kind quizapp has no type for (a Moodle essay, a GIFT description)."""

    header: BankHeader | None
    questions: list[QuestionBase] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    skipped_types: list[Rejection] = field(default_factory=list)


Writer = Callable[[BankHeader, list[QuestionBase]], bytes]
# (content, filename): the decoded text, or the raw bytes for a binary format such as .apkg.
# (content, filename, traced): `traced` False reads for a free bank, where a question may
# come without an explanation or a citation (quizapp.domain.bank_rules).
TextReader = Callable[[str, str, bool], ImportResult]
BinaryReader = Callable[[bytes, str, bool], ImportResult]


def check_size(data: bytes) -> None:
    if len(data) > MAX_IMPORT_BYTES:
        raise FormatError("File is larger than 2 MB")


def decode(data: bytes, filename: str = "upload") -> str:
    """The file's text: UTF-8, with or without a byte-order mark."""
    check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad = data[e.start]
        raise FormatError(
            f"{filename} is not UTF-8 text: byte 0x{bad:02x} at offset {e.start} cannot be "
            "read; save the file as UTF-8 and upload it again"
        ) from None
    if "\x00" in text:  # no database text column takes it, and no text file has one
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FormatError(f"{filename} has a NUL character on line {line}: is it a text file?")
    return text


@dataclass(frozen=True)
class Format:
    """One import/export format. `export` writes every question the format can carry;
    `unsupported` lists, with the reason, the ones it leaves out. A `binary` format's reader
    gets the file's bytes; the others get its text, decoded and checked by `decode`."""

    name: str
    label: str
    extension: str
    media_type: str
    types: frozenset[str]
    writer: Writer
    reader: TextReader | BinaryReader | None = None
    carries: Callable[[QuestionBase], str | None] | None = None
    binary: bool = False

    @property
    def can_import(self) -> bool:
        return self.reader is not None

    @property
    def can_export(self) -> bool:
        return True

    def unsupported(self, questions: Iterable[QuestionBase]) -> list[Rejection]:
        left_out = []
        for q in questions:
            if q.type not in self.types:
                reason = f"{q.type.replace('_', ' ')} questions cannot be written to {self.label}"
            else:
                reason = self.carries(q) if self.carries else None
            if reason:
                left_out.append(Rejection(None, q.key, reason))
        return left_out

    def export(self, header: BankHeader, questions: list[QuestionBase]) -> bytes:
        skip = {r.key for r in self.unsupported(questions)}
        return self.writer(header, [q for q in questions if q.key not in skip])

    def parse(self, data: bytes, filename: str = "upload", *, traced: bool = True
              ) -> ImportResult:
        if self.reader is None:
            raise FormatError(f"{self.label} files cannot be imported")
        if self.binary:
            check_size(data)
            content: str | bytes = data
        else:
            content = decode(data, filename)  # checks the size too
        try:
            return self.reader(content, filename, traced)
        except RecursionError:
            raise FormatError(f"{filename} is nested too deeply to read") from None


class Collector:
    """Builds an ImportResult question by question: validation, duplicate keys, reasons."""

    def __init__(self, header: BankHeader | None = None, *, traced: bool = True):
        self.result = ImportResult(header=header)
        self.traced = traced
        self._seen: dict[str, int | None] = {}

    def reject(self, line: int | None, key: str | None, reason: str) -> None:
        self.result.rejected.append(Rejection(line, key, reason))

    def skip(self, line: int | None, key: str | None, reason: str) -> None:
        self.result.skipped_types.append(Rejection(line, key, reason))

    def add(self, data: dict[str, Any], line: int | None = None,
            where: str = "") -> QuestionBase | None:
        """`where` starts each reason, for files without lines: "note #3: "."""
        key = data.get("key") if isinstance(data.get("key"), str) else None
        model = SCHEMAS.get(data.get("type")) if isinstance(data.get("type"), str) else None
        if model is None:
            types = ", ".join(SCHEMAS)
            self.reject(line, key,
                        f"{where}unknown type {excerpt(data.get('type'))}; use one of: {types}")
            return None
        if key in self._seen:
            earlier = f" (line {self._seen[key]})" if self._seen[key] else ""
            self.reject(line, key, f"{where}key is already used by an earlier question{earlier}")
            return None
        try:
            question = model.model_validate(data, context={"traced": self.traced})
        except ValidationError as e:
            self.reject(line, key, where + validation_reason(e))
            return None
        self._seen[question.key] = line
        self.result.questions.append(question)
        return question


def validation_reason(error: ValidationError) -> str:
    parts = []
    for err in error.errors():
        where = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def slugify(text: str, fallback: str) -> str:
    """A question key from a title: 'Q1: Capital?' -> 'q1-capital'."""
    if _KEY.fullmatch(text):
        return text
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].rstrip("-")
    return slug or fallback


def parse_flag(text: str) -> bool | str:
    """'true' / 'false' as a bool; anything else stays text, for validation to refuse."""
    return {"true": True, "false": False}.get(text.strip().lower(), text)
