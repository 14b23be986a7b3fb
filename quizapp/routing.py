"""URL converters."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest INTEGER PostgreSQL holds (SQLite's are wider)


class IdConverter(IntegerConverter):
    """`<int:...>` that turns numbers no database can hold into a 404, not an overflow."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
