"""domain/ and the pure part of every question type stay pure: no flask, no sqlalchemy.

The pure modules may import each other (quizapp.domain, and the type modules of
quizapp.qtypes except their web parts); nothing else of quizapp.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "quizapp" / "domain"
QTYPES = ROOT / "quizapp" / "qtypes"
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "wtforms", "flask_wtf",
             "werkzeug", "markupsafe", "jinja2")
# The web parts of the types: forms and templates, reached through quizapp.qtypes.web.
WEB_MODULES = {"quizapp.qtypes.web", "quizapp.qtypes.web_base", "quizapp.qtypes.common.web"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_web(module: str) -> bool:
    return module in WEB_MODULES or module.endswith(".web")


def is_pure_module(module: str) -> bool:
    """A quizapp module the pure code may import."""
    if module.startswith("quizapp.domain"):
        return True
    return (module == "quizapp.qtypes" or module.startswith("quizapp.qtypes.")) \
        and not is_web(module)


PURE_TYPE_FILES = sorted(p for p in QTYPES.rglob("*.py") if not is_web(module_name(p)))


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
            roots.update(alias.name for alias in node.names if alias.name.startswith("quizapp."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
            if node.module.startswith("quizapp."):
                roots.add(node.module)
                # `from quizapp.qtypes import cloze`: the names may be modules too
                roots.update(f"{node.module}.{alias.name}" for alias in node.names
                             if (ROOT / node.module.replace(".", "/") / alias.name).exists())
    return roots


def impure_imports(path: Path) -> set[str]:
    roots = imported_roots(path)
    bad = roots & set(FORBIDDEN)
    bad |= {r for r in roots if r.startswith("quizapp.") and not is_pure_module(r)}
    return bad


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")) + PURE_TYPE_FILES,
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_module_is_pure(path: Path):
    assert not impure_imports(path), f"{path.name} imports {impure_imports(path)}"


def test_the_pure_type_modules_are_walked():
    names = {module_name(p) for p in PURE_TYPE_FILES}
    assert {"quizapp.qtypes.registry", "quizapp.qtypes.base", "quizapp.qtypes.cloze",
            "quizapp.qtypes.common.grading"} <= names
    assert not any(n.endswith(".web") for n in names)


def test_the_check_catches_an_impure_module(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import current_app\nimport sqlalchemy.orm\n"
                   "from quizapp.qtypes.cloze.web import ClozeWeb\n"
                   "from quizapp.services import quizzes\n")
    assert impure_imports(bad) >= {"flask", "sqlalchemy", "quizapp.qtypes.cloze.web",
                                   "quizapp.services"}
    good = tmp_path / "good.py"
    good.write_text("from quizapp.qtypes import registry\nfrom quizapp.domain import text\n")
    assert not impure_imports(good)
