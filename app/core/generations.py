"""Cache generations: a number per cached area that changes with the data the area shows.

A page part that is costly to build and the same for many requests (the marketplace's
filter form and its lists of offers) is cached per process under its area's *generation*.
Every transaction that writes a table an area watches — through the ORM or with a bulk
INSERT/UPDATE/DELETE on the session — moves that area's row in `cache_generations` to a new
value, in the same transaction, just before it commits. So:

- a reader that sees the new value also sees the new data (both commit together), on every
  worker and every host — there is nothing to broadcast;
- a rolled-back change moves nothing;
- the row is written last, after the final flush, so holding its lock never waits on another
  lock: no deadlock, and concurrent writers of the same area only queue for that one UPDATE.

A process that never saw a change has no row to read, and caches nothing (`current()` is
None). The first change inserts the row with a random value, so a database that is recreated
or restored never hands out a value some process has cached under before.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import g, has_app_context
from sqlalchemy import BigInteger, String, event, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db

_PENDING = "cache_generations_pending"  # session.info: areas this transaction changed
_SEEN = "cache_generations_seen"  # flask.g: generations read in this request


class CacheGeneration(db.Model):
    __tablename__ = "cache_generations"

    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


@dataclass(frozen=True)
class _Watch:
    area: str
    table: str
    columns: frozenset[str] = field(default_factory=frozenset)  # empty: any column


_watches: list[_Watch] = []
_links: dict[Any, list[tuple[str, set[str]]]] = {}  # mapper -> _watched_links(mapper)
_listening = False


def watch(area: str, table: str, columns: tuple[str, ...] = ()) -> None:
    """Move `area`'s generation whenever `table` changes (for an update — of an ORM object or
    a bulk UPDATE — only when it sets one of `columns`, if given; inserts and deletes always
    count)."""
    entry = _Watch(area, table, frozenset(columns))
    if entry not in _watches:
        _watches.append(entry)
        _links.clear()
    _listen()


_ALL = select(CacheGeneration.area, CacheGeneration.value)


def current(area: str) -> int | None:
    """The area's generation as this request sees it; None before its first change.

    Read once per request, all areas at once (and again after this request commits a
    change to any)."""
    seen = g.get(_SEEN) if has_app_context() else None
    if seen is None:
        seen = {area: value for area, value in db.session.execute(_ALL)}  # all: one read
        if has_app_context():
            g.setdefault(_SEEN, seen)
    return seen.get(area)


def _areas_for_object(obj: Any, inserted_or_deleted: bool) -> set[str]:
    table = getattr(type(obj), "__tablename__", None)
    found: set[str] = set()
    for entry in _watches:
        if entry.table != table:
            continue
        if inserted_or_deleted or not entry.columns:
            found.add(entry.area)
            continue
        attrs = inspect(obj).attrs
        if any(attrs[name].history.has_changes() for name in entry.columns):
            found.add(entry.area)
    return found | _areas_for_links(obj)


def _areas_for_links(obj: Any) -> set[str]:
    """Rows of an association table (`event.cohosts = [...]` writes `event_cohosts`) are
    written by the flush itself, never as objects of their own: a changed collection counts
    as a change to its table."""
    found: set[str] = set()
    state = inspect(obj)
    for key, areas in _watched_links(state.mapper):
        if state.attrs[key].history.has_changes():
            found |= areas
    return found


def _watched_links(mapper: Any) -> list[tuple[str, set[str]]]:
    """(relationship name, areas) for `mapper`'s collections through a watched table."""
    if mapper not in _links:
        _links[mapper] = [
            (relationship.key, areas) for relationship in mapper.relationships
            if (areas := {entry.area for entry in _watches
                          if entry.table == getattr(relationship.secondary, "name", None)})]
    return _links[mapper]


def _after_flush(session: Session, flush_context: Any) -> None:
    pending = session.info.setdefault(_PENDING, set())
    for obj in session.new | session.deleted:
        pending |= _areas_for_object(obj, True)
    watched = {entry.table for entry in _watches}
    for obj in session.dirty:
        if ((getattr(type(obj), "__tablename__", None) in watched
             or _watched_links(inspect(obj).mapper)) and session.is_modified(obj)):
            pending |= _areas_for_object(obj, False)


def _updated_columns(state: Any) -> set[str] | None:
    """The column names a bulk UPDATE may set, or None when that can't be told (then every
    watch of its table counts): those of `update().values(...)`, kept in `_values` (stable
    since SQLAlchemy 1.4), and every name in the parameters (an UPDATE by primary key sets
    its columns there, and Core sets any column a parameter names)."""
    names = {str(getattr(key, "key", key)) for key in getattr(state.statement, "_values", None)
             or ()}
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    if not all(isinstance(row, dict) for row in rows):
        return None
    names |= {str(key) for row in rows for key in row}
    return names or None


def _do_orm_execute(state: Any) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    entries = [entry for entry in _watches if entry.table == name]
    if not entries:
        return
    changed = _updated_columns(state) if state.is_update else None
    areas = {entry.area for entry in entries
             if changed is None or not entry.columns or entry.columns & changed}
    if areas:
        state.session.info.setdefault(_PENDING, set()).update(areas)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's release, not the commit
        return
    session.flush()  # the commit's own flush, early, so its changes are counted
    areas = session.info.pop(_PENDING, None)
    if areas:
        connection = session.connection()
        for area in sorted(areas):
            _move(connection, area)
        if has_app_context():
            g.pop(_SEEN, None)


def _move(connection: Any, area: str) -> None:
    table = CacheGeneration.__table__
    moved = connection.execute(update(table).where(table.c.area == area)
                               .values(value=table.c.value + 1))
    if moved.rowcount:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    start = secrets.randbits(62)
    connection.execute(dialect.insert(table).values(area=area, value=start)
                       .on_conflict_do_update(index_elements=[table.c.area],
                                              set_={"value": table.c.value + 1}))


def _forget(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def _listen() -> None:
    global _listening
    if _listening:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_soft_rollback", _forget)
    _listening = True
