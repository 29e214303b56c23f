"""The transactional outbox: write "refresh this document" rows with the change, drain later.

`after_flush` looks at what the flush wrote; for every row of a registered or watched model it
inserts a `SearchOutbox(doc_type, doc_id)` row on the flush's own connection, so the outbox row
commits or rolls back with the change. After a request whose transaction committed such rows,
`drain()` runs once the response has been sent: it re-reads the current rows, upserts or deletes
their Whoosh documents and deletes exactly the outbox rows it applied. Draining is idempotent;
if another process holds the Whoosh write lock the rows wait for the next drain.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from flask import Flask, Response, current_app, has_app_context
from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session
from whoosh.index import LockError

from app.core.db import utcnow
from app.extensions import db
from app.search import registry
from app.search.models import SearchOutbox
from app.search.schema import doc_key

log = logging.getLogger(__name__)

_PENDING = "search_outbox_pending"  # session.info: outbox rows written, not yet committed
_COMMITTED = "search_outbox_committed"  # session.info: committed outbox rows to drain
_SEEN = "search_outbox_seen"  # session.info: documents already in this transaction's outbox
_registered = False


def search_enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("SEARCH_ENABLED", True))


def _write_rows(session: Session, targets: set[tuple[str, int]]) -> None:
    """Insert outbox rows on the session's connection, one per document per transaction."""
    seen = session.info.setdefault(_SEEN, set())
    targets = targets - seen
    if not targets:
        return
    now = utcnow()
    session.connection().execute(
        insert(SearchOutbox.__table__),
        [{"doc_type": t, "doc_id": i, "created_at": now} for t, i in sorted(targets)],
    )
    session.info[_PENDING] = True
    seen.update(targets)


def _after_flush(session: Session, flush_context: Any) -> None:
    if not search_enabled():
        return
    targets: set[tuple[str, int]] = set()
    for obj in session.new | session.deleted:
        targets.update(registry.targets_for(obj))
    for obj in session.dirty:
        if registry.is_watched(obj) and session.is_modified(obj):
            targets.update(registry.targets_for(obj, _changed_attributes(obj)))
    _write_rows(session, targets)


def _changed_attributes(obj: Any) -> set[str]:
    """The attributes of `obj` that this flush changed (columns and relationships)."""
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _after_commit(session: Session) -> None:
    session.info.pop(_SEEN, None)
    if session.info.pop(_PENDING, False):
        session.info[_COMMITTED] = True


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    # Also on a savepoint's rollback: forget what was written, so the next flush writes the
    # rows again rather than trusting ones that may have been rolled back.
    session.info.pop(_SEEN, None)


def touch(doc_type: str, doc_id: int) -> None:
    """Mark one document stale in the current transaction (for changes made with bulk
    UPDATEs, which the flush does not see). Committed with, and undone with, the caller's
    transaction."""
    if search_enabled():
        _write_rows(db.session(), {(doc_type, doc_id)})


def touch_object(obj: Any) -> None:
    """Mark every document that `obj` (a registered or watched row) feeds as stale."""
    if search_enabled():
        _write_rows(db.session(), set(registry.targets_for(obj)))


def drain(max_rows: int = 500) -> int:
    """Apply up to `max_rows` outbox rows to the index; returns how many were applied.

    0 when another process holds the index's write lock (the rows stay for the next drain).
    """
    from app.search.index import get_search_index

    if not current_app.config.get("SEARCH_ENABLED", True):
        return 0
    session = db.session
    rows = session.execute(
        select(SearchOutbox.id, SearchOutbox.doc_type, SearchOutbox.doc_id)
        .order_by(SearchOutbox.id).limit(max_rows)
    ).all()
    if not rows:
        session.rollback()
        return 0
    wanted: dict[str, list[int]] = defaultdict(list)
    for _, doc_type, doc_id in rows:
        if doc_id not in wanted[doc_type]:
            wanted[doc_type].append(doc_id)
    upserts: list[dict] = []
    deletes: list[str] = []
    for type_name, ids in wanted.items():
        doc_type = registry.get(type_name)
        if doc_type is None:  # a type no longer registered: drop its documents
            deletes += [doc_key(type_name, i) for i in ids]
            continue
        found = {obj.id: obj for obj in doc_type.load_many(ids)}
        for doc_id in ids:
            obj = found.get(doc_id)
            if obj is not None and doc_type.is_indexable(obj):
                upserts.append(_document(type_name, doc_id, doc_type.to_document(obj)))
            else:
                deletes.append(doc_key(type_name, doc_id))
    session.rollback()  # end the read transaction before waiting on the index lock
    try:
        get_search_index().write(upserts, deletes)
    except LockError:
        log.info("search index is locked by another writer; %d outbox rows wait", len(rows))
        return 0
    session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r[0] for r in rows])))
    session.commit()
    return len(rows)


def drain_all(batch: int = 500) -> int:
    """Drain until the outbox is empty (or the index stays locked)."""
    total = 0
    while (applied := drain(batch)) > 0:
        total += applied
    return total


def drain_quietly(app: Flask) -> None:
    """Drain after a response: never raises, only logs."""
    try:
        with app.app_context():
            drain_all()
    except Exception:  # noqa: BLE001 — a search failure must never break a request
        app.logger.exception("Draining the search outbox failed; the next drain retries")


def _document(doc_type: str, doc_id: int, fields: dict) -> dict:
    return {**fields, "doc_key": doc_key(doc_type, doc_id), "doc_type": doc_type,
            "doc_id": doc_id}


def init_app(app: Flask) -> None:
    """Listen to flushes (once per process) and drain after responses that wrote rows."""
    global _registered
    if not _registered:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        _registered = True

    @app.after_request
    def drain_after_response(response: Response) -> Response:
        if not db.session.info.pop(_COMMITTED, False):
            return response
        if app.config.get("SEARCH_DRAIN_INLINE", False):
            drain_quietly(app)
        else:
            response.call_on_close(lambda: drain_quietly(app))
        return response
