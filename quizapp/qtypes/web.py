"""The web-facing lookup of each type's web parts (`quizapp/qtypes/<name>/web.py`).

The types are the registry's; this only imports each one's `web` module.
"""

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from quizapp.qtypes import registry
from quizapp.qtypes.web_base import TypeWeb


@cache
def web(name: str) -> TypeWeb:
    """The web parts of the type called `name`; KeyError for an unknown type."""
    qtype = registry.get(name)
    module = importlib.import_module(f"{type(qtype).__module__}.web")
    return module.WEB


@dataclass(frozen=True)
class EditorSection:
    template: str
    types: tuple[str, ...]


def editor_sections() -> list[EditorSection]:
    """One editor fieldset per editor template, with the types that use it."""
    sections: dict[str, list[str]] = {}
    for name in registry.TYPES:
        sections.setdefault(web(name).editor_template, []).append(name)
    return [EditorSection(template, tuple(names)) for template, names in sections.items()]


def editor_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in registry.TYPES:
        for field_name, field in web(name).editor_fields.items():
            fields.setdefault(field_name, field)
    return fields


def row_lists() -> tuple[str, ...]:
    return tuple(dict.fromkeys(r for name in registry.TYPES for r in web(name).row_lists))
