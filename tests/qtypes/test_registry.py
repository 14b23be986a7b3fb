"""The registry lists exactly the type folders; a type is one folder; no import cycle."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quizapp.domain.grading import grade
from quizapp.domain.quiz import correct_answer_text, response_text, shown_options
from quizapp.qtypes import registry
from quizapp.qtypes.base import QuestionType
from quizapp.qtypes.web import editor_sections, web
from quizapp.qtypes.web_base import TypeWeb

ROOT = Path(__file__).resolve().parents[2]
QTYPES = ROOT / "quizapp" / "qtypes"
TYPE_FOLDERS = sorted(p.name for p in QTYPES.iterdir()
                      if p.is_dir() and (p / "__init__.py").exists() and p.name != "common")


def test_the_registry_lists_exactly_the_type_folders():
    assert sorted(registry.TYPES) == TYPE_FOLDERS
    assert len(TYPE_FOLDERS) == 8


@pytest.mark.parametrize("name", TYPE_FOLDERS)
def test_each_type_has_its_parts(name: str):
    qtype = registry.get(name)
    assert isinstance(qtype, QuestionType) and qtype.name == name and qtype.label
    assert qtype.schema.model_fields["type"].annotation.__args__ == (name,)
    assert registry.SCHEMAS[name] is qtype.schema and registry.LABELS[name] == qtype.label
    parts = web(name)
    assert isinstance(parts, TypeWeb)
    for template in (parts.input_template, parts.editor_template):
        assert (ROOT / "templates" / template).exists(), template
    assert parts.input_template == f"qtypes/{name}/_input.html"
    assert (QTYPES / name / "web.py").exists()


def test_unknown_type():
    with pytest.raises(KeyError, match="essay"):
        registry.get("essay")


def test_moodle_names_are_declared_by_the_types():
    assert registry.from_moodle("multichoice", single=True) == "single_choice"
    assert registry.from_moodle("multichoice", single=False) == "multiple_choice"
    assert registry.from_moodle("truefalse") == "true_false"
    assert registry.from_moodle("numerical") == "numeric"
    assert registry.for_moodle("essay") is None
    assert registry.moodle_family() == set(TYPE_FOLDERS) - {"ordering", "cloze"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("path", sorted([*QTYPES.glob("*/*.py")]),
                         ids=lambda p: str(p.relative_to(QTYPES)))
def test_no_type_or_shared_module_imports_the_registry_or_the_web_lookup(path: Path):
    imported = _imports(path)
    assert not imported & {"quizapp.qtypes.registry", "quizapp.qtypes.web",
                           "quizapp.domain.grading", "quizapp.domain.quiz"}, imported


@pytest.mark.parametrize("module", [
    *(f"quizapp.qtypes.{n}" for n in TYPE_FOLDERS),
    *(f"quizapp.qtypes.{n}.web" for n in TYPE_FOLDERS),
    "quizapp.qtypes.registry", "quizapp.domain.grading", "quizapp.domain.formats",
    "quizapp.qtypes.common.grading",
])
def test_each_module_imports_alone_in_a_fresh_interpreter(module: str):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- adding a type is one folder ------------------------------------------------------------

THROWAWAY = {
    "__init__.py": '''
        from typing import Literal
        from quizapp.domain.questions import QuestionBase, Short
        from quizapp.qtypes.base import QuestionType
        from quizapp.qtypes.common.grading import result, typed_text

        class Essay(QuestionBase):
            answer_fields = ("model_answer",)
            type: Literal["essay"]
            model_answer: Short

        class EssayType(QuestionType):
            name, label, schema = "essay", "Essay", Essay

            def grade(self, data, response):
                return result(0.5, typed_text(response), "Marked by hand")

            def right_answer(self, snapshot):
                return [snapshot["model_answer"]]

        TYPE = EssayType()
    ''',
    "web.py": '''
        from wtforms import StringField
        from quizapp.qtypes.web_base import TypeWeb

        class EssayWeb(TypeWeb):
            input_template = "qtypes/essay/_input.html"
            editor_template = "qtypes/essay/_editor.html"
            editor_fields = {"model_answer": StringField("Model answer")}

            def answer_fields(self, snapshot, shown):
                return {"answer": StringField("Your essay")}

            def response(self, form, snapshot):
                return form.answer.data

        WEB = EssayWeb()
    ''',
}


@pytest.fixture
def essay_type(tmp_path, monkeypatch):
    """A throwaway type in its own folder, registered as registry.py registers the others."""
    package = tmp_path / "throwaway_qtypes" / "essay"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    for name, text in THROWAWAY.items():
        (package / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    from throwaway_qtypes import essay  # noqa: PLC0415 (made by this fixture)

    monkeypatch.setitem(registry.TYPES, "essay", essay.TYPE)
    monkeypatch.setitem(registry.SCHEMAS, "essay", essay.TYPE.schema)
    monkeypatch.setitem(registry.LABELS, "essay", essay.TYPE.label)
    web.cache_clear()
    yield essay.TYPE
    web.cache_clear()
    for name in [m for m in sys.modules if m.startswith("throwaway_qtypes")]:
        monkeypatch.delitem(sys.modules, name)


def test_a_type_in_a_new_folder_is_graded_shown_and_edited(essay_type):
    snapshot = {"type": "essay", "model_answer": "Because of the war."}
    result = grade("essay", snapshot, "A long answer")
    assert (result.score, result.feedback) == (0.5, "Marked by hand")
    assert correct_answer_text(snapshot) == ["Because of the war."]
    assert response_text(snapshot, "Mine") == ["Mine"]
    assert shown_options(snapshot, 1, 0) == []
    assert web("essay").input_template == "qtypes/essay/_input.html"
    assert ("qtypes/essay/_editor.html", ("essay",)) in {
        (s.template, s.types) for s in editor_sections()}
    spec = registry.SCHEMAS["essay"].model_validate({
        "key": "why", "type": "essay", "prompt": "Why?", "explanation": "So.",
        "source": ["minsk-talks#1"], "tags": ["venue"], "model_answer": "Because."})
    assert spec.answer_data() == {"model_answer": "Because."}
