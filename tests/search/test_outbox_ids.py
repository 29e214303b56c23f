"""A drain deletes the outbox rows it applied by id, so an id must never come back: a newer
row given a drained row's id would be deleted by a slower drain before it was applied."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from app.core.db import utcnow
from app.extensions import db
from app.search.models import SearchOutbox


def _add() -> int:
    db.session.execute(insert(SearchOutbox), [{"doc_type": "question", "doc_id": 1,
                                               "created_at": utcnow()}])
    return db.session.scalar(select(SearchOutbox.id).order_by(SearchOutbox.id.desc()).limit(1))


def test_an_emptied_outbox_never_hands_out_an_old_id_again(app):
    first = _add()
    db.session.commit()
    db.session.execute(delete(SearchOutbox))  # a drain applied everything
    db.session.commit()
    second = _add()
    db.session.commit()
    assert second > first
