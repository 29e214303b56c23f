"""URL converters. `<int:…>` ids stop at the largest value an INTEGER column holds, so an
address with an absurd id is a 404 rather than a database overflow error."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

ID_MAX = 2**31 - 1  # PostgreSQL INTEGER; SQLite's limit is higher


class IdConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def is_id(value: int | None) -> bool:
    """Whether a number from a query string can be a row's id."""
    return value is not None and 0 < value <= ID_MAX
