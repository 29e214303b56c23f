"""The search outbox: an ordered log of documents whose index entry must be refreshed.

A row is written in the same transaction as the change it describes, so a rollback removes
both; after commit the drain re-reads the current rows and updates the Whoosh index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

DOC_TYPE_MAX = 30


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"
    # Ids are never reused. A drain deletes exactly the rows it read, by id; had a drained
    # row's id been handed to a newer row (SQLite's plain rowid takes the largest id + 1, so
    # an emptied table starts again), that newer row would be deleted unapplied and its
    # document never indexed. PostgreSQL sequences never go back; SQLite needs AUTOINCREMENT.
    __table_args__ = {"sqlite_autoincrement": True}

    # BigInteger on PostgreSQL, INTEGER (the rowid alias) on SQLite.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    doc_type: Mapped[str] = mapped_column(String(DOC_TYPE_MAX))
    doc_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
