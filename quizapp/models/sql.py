"""SQL expressions the two databases spell differently."""

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """Fractional days from the first timestamp to the second."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(date_part('epoch', {end} - {start}) / 86400.0)"


class whole_days_between(FunctionElement):  # noqa: N801
    """Whole days elapsed from the first timestamp to the second: the fraction dropped
    (toward zero, as SQLite's CAST does; -1.5 days is -1)."""

    type = Float()
    inherit_cache = True
    name = "whole_days_between"


@compiles(whole_days_between, "sqlite")
def _whole_days_sqlite(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


@compiles(whole_days_between, "postgresql")
def _whole_days_postgresql(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    # date_part is a float; EXTRACT's numeric is several times slower in a sum over cards
    return f"TRUNC(date_part('epoch', {end} - {start}) / 86400.0)"


class at_least_zero(FunctionElement):  # noqa: N801
    """The value, or 0 when it is below 0 (one evaluation of the value)."""

    type = Float()
    inherit_cache = True
    name = "at_least_zero"


@compiles(at_least_zero, "sqlite")
def _at_least_zero_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)}, 0)"  # scalar max, not the aggregate


@compiles(at_least_zero, "postgresql")
def _at_least_zero_postgresql(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)}, 0)"
