"""Keeping the index in step with the database: sync, rebuild and check.

Plain functions behind `flask search sync|reindex|check`. They read and write through the
session but never commit: the command that calls them commits once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from whoosh.index import LockError
from whoosh.searching import Searcher

from app.extensions import db
from app.search import outbox, registry
from app.search.index import get_search_index
from app.search.models import SearchOutbox
from app.search.registry import DocType
from app.search.schema import doc_key

BATCH_SIZE = 500
SAMPLE_SIZE = 20

Progress = Callable[[int], None]


class IndexBusy(Exception):
    """Another process holds the index's write lock (a reindex, a sync, a web worker)."""

    def __init__(self, waiting: int = 0, applied: int = 0):
        self.waiting = waiting
        self.applied = applied
        super().__init__("The search index is locked by another writer.")


# -- sync ----------------------------------------------------------------------------------

@dataclass
class SyncReport:
    applied: int  # outbox rows applied to the index


def pending_outbox_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def sync_index(batch_size: int = BATCH_SIZE) -> SyncReport:
    """Apply every outbox row, then merge the index's segments into one.

    Raises `IndexBusy` when another writer holds the lock (the rows wait for the next sync).
    """
    applied = outbox.drain_all(batch_size)
    while waiting := pending_outbox_rows():
        # Rows left: either written since the last batch, or the index is locked (a drain
        # that finds rows but cannot take the lock applies none).
        more = outbox.drain(batch_size)
        if not more:
            raise IndexBusy(waiting=waiting, applied=applied)
        applied += more + outbox.drain_all(batch_size)
    db.session.rollback()  # end the read before waiting on the index lock
    try:
        get_search_index().optimize()
    except LockError as err:
        raise IndexBusy(applied=applied) from err
    return SyncReport(applied=applied)


# -- reindex -------------------------------------------------------------------------------

@dataclass
class RebuildReport:
    documents: int  # documents written to the new index
    seconds: float
    cleared: int  # outbox rows made redundant by the rebuild

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else float(self.documents)


def candidate_ids(doc_type: DocType) -> list[int]:
    return list(db.session.scalars(doc_type.all_ids()))


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def indexable_rows(doc_type: DocType, ids: Sequence[int],
                   batch_size: int = BATCH_SIZE, progress: Progress | None = None
                   ) -> Iterator[object]:
    """The rows for `ids` that belong in the index, loaded `batch_size` at a time."""
    for chunk in _chunks(ids, batch_size):
        for obj in doc_type.load_many(chunk):
            if doc_type.is_indexable(obj):
                yield obj
        if progress is not None:
            progress(len(chunk))


def search_document(doc_type: DocType, obj) -> dict:
    """The index entry for one row: its fields plus the keys every document carries."""
    return {**doc_type.to_document(obj), "doc_key": doc_key(doc_type.name, obj.id),
            "doc_type": doc_type.name, "doc_id": obj.id}


def all_documents(ids_by_type: dict[str, list[int]], batch_size: int = BATCH_SIZE,
                  progress: Progress | None = None) -> Iterator[dict]:
    for name, ids in ids_by_type.items():
        doc_type = registry.get(name)
        for obj in indexable_rows(doc_type, ids, batch_size, progress):
            yield search_document(doc_type, obj)


def count_candidates() -> int:
    """How many rows a rebuild will look at (for a progress bar's length)."""
    return sum(db.session.scalar(select(func.count()).select_from(
        dt.all_ids().order_by(None).subquery())) or 0 for dt in registry.all_doc_types())


def rebuild_index(batch_size: int = BATCH_SIZE, progress: Progress | None = None
                  ) -> RebuildReport:
    """Replace the whole index with documents built from the database.

    Outbox rows that existed when the rebuild started are deleted afterwards (the rebuild
    covers them); rows written while it ran stay, so the next drain applies those changes.
    Raises `IndexBusy` when another writer holds the index lock.
    """
    covered = list(db.session.scalars(select(SearchOutbox.id)))
    ids_by_type = {dt.name: candidate_ids(dt) for dt in registry.all_doc_types()}
    started: list[float] = []

    def documents() -> Iterator[dict]:
        started.append(time.perf_counter())  # the write lock is held from here on
        yield from all_documents(ids_by_type, batch_size, progress)

    try:
        count = get_search_index().rebuild(documents())
    except LockError as err:
        raise IndexBusy from err
    seconds = time.perf_counter() - started[0]
    for chunk in _chunks(covered, batch_size):
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(chunk)))
    return RebuildReport(documents=count, seconds=seconds, cleared=len(covered))


# -- check ---------------------------------------------------------------------------------

@dataclass
class TypeCheck:
    """How one kind of document in the index differs from the database."""

    doc_type: str
    in_database: int = 0
    in_index: int = 0
    missing: list[int] = field(default_factory=list)  # should be in the index, are not
    extra: list[int] = field(default_factory=list)  # are in the index, should not be

    @property
    def consistent(self) -> bool:
        return not self.missing and not self.extra


@dataclass
class CheckReport:
    types: list[TypeCheck]
    pending: int  # outbox rows not applied yet

    @property
    def consistent(self) -> bool:
        return all(t.consistent for t in self.types)


def indexed_documents() -> dict[str, set[int]]:
    """Every document in the index, as ids grouped by doc_type (one pass over the index)."""
    def collect(searcher: Searcher) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {}
        for fields in searcher.reader().all_stored_fields():
            found.setdefault(fields.get("doc_type", ""), set()).add(fields.get("doc_id"))
        return found
    return get_search_index().run(collect)


def _compare(name: str, expected: Iterable[int], indexed: set[int]) -> TypeCheck:
    expected = set(expected)
    return TypeCheck(doc_type=name, in_database=len(expected), in_index=len(indexed),
                     missing=sorted(expected - indexed), extra=sorted(indexed - expected))


def check_index(batch_size: int = BATCH_SIZE) -> CheckReport:
    """Compare the documents in the index with the rows that should be there."""
    indexed = indexed_documents()
    types = []
    for doc_type in registry.all_doc_types():
        expected = (obj.id for obj in indexable_rows(doc_type, candidate_ids(doc_type),
                                                     batch_size))
        types.append(_compare(doc_type.name, expected, indexed.pop(doc_type.name, set())))
    for name, ids in sorted(indexed.items()):  # kinds of documents nobody declares any more
        types.append(_compare(name or "(none)", (), ids))
    return CheckReport(types=types, pending=pending_outbox_rows())
