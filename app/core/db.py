"""Database helpers shared by every domain: UTC datetimes, mixins, SQLite pragmas."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime, stored as UTC, read back as aware UTC on every backend.

    SQLite has no time zones; PostgreSQL has `timestamptz`. Either way Python only ever sees
    aware datetimes in UTC, and a naive datetime is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


_sqlite_busy_timeout_ms = 5000


def configure_sqlite(busy_timeout_ms: int) -> None:
    global _sqlite_busy_timeout_ms
    _sqlite_busy_timeout_ms = busy_timeout_ms


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets readers work while one process writes; the busy timeout makes writers queue
    instead of failing at once; foreign keys are off in SQLite unless asked for."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(_sqlite_busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds ASCII only; PostgreSQL's folds every letter. Use Python's so
    # case-insensitive search behaves alike on both ("élodie" finds "Élodie").
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


@event.listens_for(Engine, "savepoint")
def _sqlite_begin_before_savepoint(conn, name):
    """pysqlite opens a transaction only before INSERT/UPDATE/DELETE, so a SAVEPOINT that
    comes first would start a transaction of its own, and its RELEASE would commit at once —
    outside the request's one commit. Open the real transaction first; IMMEDIATE takes the
    write lock now (waiting up to the busy timeout), since a savepoint is there to write."""
    dbapi_connection = conn.connection.dbapi_connection
    if (type(dbapi_connection).__module__.startswith("sqlite3")
            and not dbapi_connection.in_transaction):
        dbapi_connection.execute("BEGIN IMMEDIATE")


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def render_alembic_item(type_, obj, autogen_context):
    """Autogenerate writes our column types as plain SQLAlchemy ones, so revisions never
    import application code (a revision must keep working after the app changes)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
