"""power() on SQLite: the built-in one when SQLite has its math functions, else ours."""

import sqlite3

import pytest

from quizapp.database import _has_power, _power


def test_the_stand_in_power_agrees_with_sqlites_own():
    builtin = sqlite3.connect(":memory:")
    if not _has_power(builtin):
        pytest.skip("this SQLite has no math functions to compare with")
    own = sqlite3.connect(":memory:")
    own.create_function("pow2", 2, _power, deterministic=True)
    for base, exponent in [(1.5, -0.1542), (1.0, -0.5), (2.0, 3.0), (10.0, 0.0)]:
        expected = builtin.execute("SELECT power(?, ?)", (base, exponent)).fetchone()[0]
        assert own.execute("SELECT pow2(?, ?)", (base, exponent)).fetchone()[0] == \
            pytest.approx(expected)
    assert own.execute("SELECT pow2(NULL, 2)").fetchone()[0] is None

