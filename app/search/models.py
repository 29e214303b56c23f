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

    # BigInteger on PostgreSQL, INTEGER (the rowid alias, always increasing) on SQLite.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    doc_type: Mapped[str] = mapped_column(String(DOC_TYPE_MAX))
    doc_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
