"""The Whoosh index of one process: opened lazily, one long-lived searcher, small commits.

Opening a searcher reads every segment's metadata, so each process keeps one and replaces it
only when the index changed (`up_to_date()`). While another process commits, a reader can
meet a segment that a merge just removed (`FileNotFoundError`, `ReaderClosed`); `run()` then
refreshes and retries once, so a person never sees that error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.reading import ReaderClosed
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from app.search.schema import SCHEMA, index_fields

T = TypeVar("T")
_RETRYABLE = (FileNotFoundError, ReaderClosed)
_EXTENSION_KEY = "search_index"


class SearchIndex:
    """The index in one directory, with a shared searcher guarded by a lock."""

    def __init__(self, directory: str | Path, lock_timeout: float = 1.0):
        self.directory = Path(directory)
        self.lock_timeout = lock_timeout
        self._ix = None
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()

    # -- opening -----------------------------------------------------------------------
    def open(self):
        """The Whoosh index, created (with its directory) on first use."""
        with self._lock:
            if self._ix is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                if whoosh_index.exists_in(str(self.directory)):
                    # Always the current schema, even over an index written with an older
                    # one (until `flask search reindex` rewrites it, old documents are
                    # simply not found by the fields they lack).
                    self._ix = whoosh_index.open_dir(str(self.directory), schema=SCHEMA)
                else:
                    self._ix = whoosh_index.create_in(str(self.directory), SCHEMA)
            return self._ix

    # -- reading -----------------------------------------------------------------------
    def searcher(self, force_new: bool = False) -> Searcher:
        """The shared searcher, refreshed if the index changed since it was opened."""
        ix = self.open()
        with self._lock:
            current = self._searcher
            if current is None or force_new or not current.up_to_date():
                # Not `current.refresh()`: in whoosh-reloaded 2.7.5 a refreshed reader keeps
                # the old segments beside the new ones, so updated documents show up twice
                # and deleted ones stay. The old searcher is left to other threads still
                # using it and closes when the last reference goes.
                self._searcher = ix.searcher()
            return self._searcher

    def run(self, fn: Callable[[Searcher], T]) -> T:
        """`fn(searcher)`, retried once on a fresh searcher if segments vanished under it."""
        try:
            return fn(self.searcher())
        except _RETRYABLE:
            return fn(self.searcher(force_new=True))

    # -- writing -----------------------------------------------------------------------
    def writer(self, timeout: float | None = None):
        """A writer; raises `whoosh.index.LockError` if another one holds the lock."""
        return self.open().writer(timeout=self.lock_timeout if timeout is None else timeout)

    def write(self, upserts: Iterable[dict], deletes: Iterable[str]) -> None:
        """Upsert documents (by doc_key) and delete others, in one small commit that does
        not merge segments (merging can take a second; `optimize()` does it off-line)."""
        upserts, deletes = list(upserts), list(deletes)
        if not upserts and not deletes:
            return
        writer = self.writer()
        try:
            for key in deletes:
                writer.delete_by_term("doc_key", key)
            for doc in upserts:
                writer.update_document(**index_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=False)

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Replace the whole index with `documents`; returns how many were written."""
        writer = self.writer(timeout=max(self.lock_timeout, 10.0))
        count = 0
        try:
            for doc in documents:
                writer.add_document(**index_fields(doc))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)
        return count

    def optimize(self) -> None:
        """Merge every segment into one (run from `flask search sync`, never in a request)."""
        writer = self.writer(timeout=max(self.lock_timeout, 10.0))
        writer.commit(optimize=True)

    def indexed_ids(self, doc_type: str) -> set[int]:
        def collect(searcher: Searcher) -> set[int]:
            return {fields["doc_id"] for fields in searcher.reader().all_stored_fields()
                    if fields.get("doc_type") == doc_type}
        return self.run(collect)

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._ix = None


def get_search_index() -> SearchIndex:
    """The current app's index (created without I/O by `init_app`, opened on first use)."""
    return current_app.extensions[_EXTENSION_KEY]


def init_app(app) -> None:
    app.extensions[_EXTENSION_KEY] = SearchIndex(
        app.config["SEARCH_INDEX_DIR"], app.config.get("SEARCH_LOCK_TIMEOUT_MS", 1000) / 1000)
