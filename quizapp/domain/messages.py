"""Validation errors in words an author understands, instead of pydantic's own."""

from collections.abc import Mapping
from typing import Any

# What a list field holds, for "Give at least 2 options."
_ITEMS = {
    "options": ("option", "options"),
    "items": ("item", "items"),
    "pairs": ("pair", "pairs"),
    "gaps": ("gap answer", "gap answers"),
    "answers": ("accepted answer", "accepted answers"),
    "source": ("cited paragraph", "cited paragraphs"),
    "tags": ("topic", "topics"),
}
_PATTERNS = {
    "key": "Use lowercase letters, digits and hyphens only, starting with a letter or digit, "
           "at most 80 characters (for example minsk-venue-1).",
}


def _count(n: int, field: str | None) -> str:
    one, many = _ITEMS.get(field or "", ("entry", "entries"))
    return f"{n} {one if n == 1 else many}"


def plain_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) as a plain sentence."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    loc = error.get("loc") or ()
    field = str(loc[0]) if loc else None
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "missing" or kind == "string_too_short":
        return "Fill this in."
    if kind == "too_short":
        return f"Give at least {_count(ctx.get('min_length', 1), field)}."
    if kind == "too_long":
        return f"Give at most {_count(ctx.get('max_length', 1), field)}."
    if kind == "string_too_long":
        return f"Keep this to {ctx.get('max_length')} characters or fewer."
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(loc[-1] if loc else "", "This is not in the expected form.")
    if kind in ("float_parsing", "float_type", "finite_number", "decimal_parsing"):
        return "Enter a number, such as 5063 or 2.5."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Enter a whole number."
    if kind in ("greater_than_equal", "greater_than"):
        return f"Enter {ctx.get('ge', ctx.get('gt'))} or more."
    if kind in ("less_than_equal", "less_than"):
        return f"Enter {ctx.get('le', ctx.get('lt'))} or less."
    if kind in ("bool_type", "bool_parsing"):
        return "Choose yes or no."
    if kind in ("literal_error", "enum"):
        return "Choose one of the offered values."
    return "This value cannot be used here."


MAX_ECHO = 80  # characters of a user's value that a message may quote


def excerpt(value: Any, limit: int = MAX_ECHO) -> str:
    """`repr(value)` cut to `limit` characters plus "...": a message quotes a bad value without
    growing with it (a 10,000-character type, an alias-expanded list, a 5,000-digit number)."""
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's digit limit for str()
        return "a number too long to show..."
    return text if len(text) <= limit else text[:limit] + "..."
