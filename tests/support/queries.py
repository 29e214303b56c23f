"""Counting the SQL statements a request runs, for "constant number of queries" tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs, in order."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def count_queries(client, path: str, *, follow_redirects: bool = False) -> int:
    """How many statements GET `path` runs (it must answer 200)."""
    with recorded_statements() as statements:
        response = client.get(path, follow_redirects=follow_redirects)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)
