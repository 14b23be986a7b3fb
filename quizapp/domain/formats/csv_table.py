"""CSV: one question per row, for spreadsheets.

The first row is the header, naming these columns (any order; names are case-insensitive):

    key          the question's stable slug, e.g. venue-residence
    type         single_choice, multiple_choice, true_false, short_answer, numeric,
                 ordering, matching or cloze
    prompt       the question (Markdown; for cloze it holds the {{1}} gaps)
    explanation  why the answer is right
    source       citations separated by a space: "minsk-talks#2 minsk-talks#3" (commas are
                 read as spaces too)
    tags         topic tags separated by a space: "venue people" (or commas)
    difficulty   1, 2 or 3 (optional column; an empty cell means 2)
    answer       a JSON object with the type's own fields, exactly as in the bank file:
                 {"options": [{"text": "Minsk", "correct": true}, {"text": "Kyiv"}]},
                 {"answer": true}, {"answers": ["Purgin"], "typos": true},
                 {"value": 5063, "tolerance": 0, "unit": "victims"}, {"items": [...]},
                 {"pairs": [{"left": "Kuchma", "right": "Ukraine"}]}, {"gaps": [["20"]]}
    source_check_ignore  optional column: the reason the source check skips the question

Every type fits, so a bank round-trips through CSV unchanged (the bank header does not:
CSV has no place for it). Files are written as UTF-8 with a byte-order mark (so that
spreadsheet programs detect the encoding) and read with or without one.

Formula injection (OWASP "CSV injection"): on export a cell starting with = + - @, a tab or a
carriage return gets a single quote in front, so a spreadsheet shows it as text instead of
running it. A cell that already starts with quotes followed by one of those characters gets
one more. On import exactly one such added quote is removed again; any other leading quote
is data and stays.
"""

import csv
import io
import json
import sys
from typing import Any

from quizapp.domain.bank_file import BankHeader
from quizapp.domain.messages import excerpt
from quizapp.domain.questions import QuestionBase
from quizapp.qtypes.registry import SCHEMAS

from .base import Collector, FormatError, ImportResult

COLUMNS = ("key", "type", "prompt", "explanation", "source", "tags", "difficulty", "answer",
           "source_check_ignore")
REQUIRED = frozenset(COLUMNS) - {"difficulty", "source_check_ignore"}
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    if cell.lstrip("'").startswith(DANGEROUS):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    if cell.startswith("'") and cell.lstrip("'").startswith(DANGEROUS):
        return cell[1:]
    return cell


def export_csv(header: BankHeader, questions: list[QuestionBase]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for q in questions:
        row = [
            q.key, q.type, q.prompt, q.explanation, " ".join(q.source), " ".join(q.tags),
            str(q.difficulty), json.dumps(q.answer_data(), ensure_ascii=False),
            q.source_check_ignore or "",
        ]
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def _header(row: list[str], filename: str) -> list[str]:
    names = [restore(cell).strip().lower() for cell in row]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise FormatError(
            f"{filename}: unknown column {excerpt(unknown[0])} in the header row; "
            f"the columns are: {', '.join(COLUMNS)}"
        )
    missing = [c for c in COLUMNS if c in REQUIRED and c not in names]
    if missing:
        raise FormatError(
            f"{filename}: the header row has no {missing[0]!r} column; "
            f"the first row must name the columns: {', '.join(COLUMNS)}"
        )
    twice = [n for n in names if names.count(n) > 1]
    if twice:
        raise FormatError(f"{filename}: the column {excerpt(twice[0])} is named twice in the "
                          "header row")
    return names


def _question(cells: dict[str, str], qtype: str) -> dict[str, Any] | str:
    """The question's fields from a row, or the reason the row cannot be read."""
    try:
        answer = json.loads(cells["answer"])
    except json.JSONDecodeError as e:
        return f"answer is not valid JSON ({e.msg} at character {e.pos + 1})"
    except RecursionError:
        return "answer is JSON nested too deeply"
    except ValueError:  # an integer of more digits than Python converts
        limit = sys.get_int_max_str_digits()
        return f"answer has a number with too many digits (at most {limit:,})"
    if not isinstance(answer, dict):
        return 'answer must be a JSON object, like {"answer": true}'
    model = SCHEMAS.get(qtype)
    if model is not None:
        extra = sorted(set(answer) - set(model.answer_fields))
        if extra:
            return (f"answer has the field {excerpt(extra[0])}, which {qtype} questions do not "
                    "have "
                    f"(expected: {', '.join(model.answer_fields)})")
    data: dict[str, Any] = {
        name: cells[name] for name in ("key", "type", "prompt", "explanation")
    }
    data["source"] = cells["source"].replace(",", " ").split()
    data["tags"] = cells["tags"].replace(",", " ").split()
    if cells.get("difficulty", "").strip():
        data["difficulty"] = cells["difficulty"].strip()
    if cells.get("source_check_ignore", "").strip():
        data["source_check_ignore"] = cells["source_check_ignore"]
    return data | answer


def parse_csv(text: str, filename: str, traced: bool = True) -> ImportResult:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    collect = Collector(traced=traced)
    names: list[str] | None = None
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if names is None:
                names = _header(row, filename)
                continue
            cells = dict(zip(names, (restore(cell) for cell in row), strict=False))
            key = cells.get("key") or None
            if len(row) != len(names):
                collect.reject(start, key, f"the row has {len(row)} cells but the header names "
                                           f"{len(names)} columns; a column is missing or extra")
                continue
            data = _question(cells, cells["type"])
            if isinstance(data, str):
                collect.reject(start, key, data)
            else:
                collect.add(data, start)
    except csv.Error as e:
        raise FormatError(f"{filename}: line {reader.line_num}: not valid CSV ({e})") from None
    if names is None:
        raise FormatError(f"{filename} is empty: a CSV file starts with a header row naming "
                          f"the columns: {', '.join(COLUMNS)}")
    return collect.result
