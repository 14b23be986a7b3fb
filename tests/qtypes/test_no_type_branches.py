"""Outside quizapp/qtypes/ and templates/qtypes/, nothing branches on a question type's name:
the app asks the registry. A type name as a quoted literal (Python string, template or script
string) outside the type folders is a branch put back.

Moodle's own kind names go to `registry.from_moodle("...")` / `for_moodle("...")`; those
literals name Moodle's kinds (one of which, "matching", is also ours) and are allowed.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from quizapp.qtypes.registry import TYPES

ROOT = Path(__file__).resolve().parents[2]
NAMES = frozenset(TYPES)
MOODLE_LOOKUPS = {"from_moodle", "for_moodle"}
EXEMPT = {ROOT / "quizapp/qtypes/registry.py"}  # the one place the types are listed


def python_hits(source: str) -> list[tuple[int, str]]:
    """(line, name) of each string literal that is exactly a type name."""
    hits = []
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.STRING:
            continue
        try:
            value = ast.literal_eval(tok.string)  # f-strings are not STRING tokens
        except Exception:
            continue
        if value in NAMES:
            before = [t.string for t in tokens[max(0, i - 2):i]]
            if len(before) == 2 and before[1] == "(" and before[0] in MOODLE_LOOKUPS:
                continue
            hits.append((tok.start[0], value))
    return hits


_QUOTED = re.compile(r"""(['"])([a-z_]+)\1""")


def text_hits(source: str) -> list[tuple[int, str]]:
    """(line, name) of each quoted type name in a template or a script."""
    return [(source.count("\n", 0, m.start()) + 1, m.group(2))
            for m in _QUOTED.finditer(source) if m.group(2) in NAMES]


def checked_files() -> list[Path]:
    files = [p for p in (ROOT / "quizapp").rglob("*.py")
             if ROOT / "quizapp/qtypes" not in p.parents and p not in EXEMPT]
    files += [p for p in (ROOT / "templates").rglob("*.html")
              if ROOT / "templates/qtypes" not in p.parents]
    files += [p for p in (ROOT / "static/js").glob("*.js")]
    return sorted(files)


def hits(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    return python_hits(source) if path.suffix == ".py" else text_hits(source)


def test_no_file_outside_the_type_folders_names_a_type():
    found = {str(p.relative_to(ROOT)): h for p in checked_files() if (h := hits(p))}
    assert found == {}


def test_the_walk_covers_the_app_templates_and_scripts():
    names = {str(p.relative_to(ROOT)) for p in checked_files()}
    assert {"quizapp/domain/grading.py", "quizapp/quiz/forms.py", "templates/quiz/_inputs.html",
            "templates/author/editor.html", "static/js/editor.js"} <= names
    assert not any(n.startswith(("quizapp/qtypes/", "templates/qtypes/")) for n in names)


@pytest.mark.parametrize("source", [
    'if kind == "cloze":\n    pass\n',
    "if q.type in ('single_choice', 'multiple_choice'):\n    pass\n",
    'CHECKERS = {"numeric": check}\n',
    'match q.type:\n    case "ordering":\n        pass\n',
])
def test_a_branch_put_back_in_python_is_caught(source: str):
    assert python_hits(source)


@pytest.mark.parametrize("source", [
    "{% if q.type == 'cloze' %}x{% endif %}",
    '<fieldset data-types="true_false">',
    "{% if form.type.data not in ('single_choice', 'multiple_choice') %} hidden{% endif %}",
    'if (kind === "matching") {}',
])
def test_a_branch_put_back_in_a_template_or_script_is_caught(source: str):
    assert text_hits(source)


@pytest.mark.parametrize("source", [
    '"""Matching pairs, ordering items and numeric answers are read here."""\n',
    'kind = registry.from_moodle("matching")\n',
    'message = f"no {kind} matching"\n',
])
def test_prose_and_moodle_names_are_not_branches(source: str):
    assert python_hits(source) == []


def test_prose_in_a_template_is_not_a_branch():
    assert text_hits("{{ n }} accounts matching “{{ q }}”. Put the ordering right.") == []
