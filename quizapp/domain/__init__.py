"""Pure Python: no Flask, no SQLAlchemy. Takes plain values (and `now`), returns plain values."""
