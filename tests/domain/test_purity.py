"""domain/ stays pure: it never imports flask or sqlalchemy."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "quizapp" / "domain"
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "wtforms", "flask_wtf")


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
            if node.module.startswith("quizapp.") and not node.module.startswith("quizapp.domain"):
                roots.add(node.module)
    return roots


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_is_pure(path: Path):
    roots = imported_roots(path)
    assert not roots & set(FORBIDDEN), f"{path.name} imports {roots & set(FORBIDDEN)}"
    assert not any(r.startswith("quizapp.") for r in roots), f"{path.name} imports outside domain"


def test_the_check_catches_an_impure_module(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import current_app\nimport sqlalchemy.orm\n")
    assert imported_roots(bad) >= {"flask", "sqlalchemy"}
