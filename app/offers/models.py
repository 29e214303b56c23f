"""Offers on the marketplace: "I can teach X" and "I want to learn X".

A person has at most one offer per kind and skill that is not closed (a partial unique
index: open and paused offers count, closed ones don't). A teaching offer has a capacity
(1–50 learners at once) and a `seats_taken` counter that accepting an exchange raises with a
conditional UPDATE, backed by a CHECK, so two accepts can never take the last seat twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.skills.models import Skill

TEACH, LEARN = "teach", "learn"
KINDS = {TEACH: "Can teach", LEARN: "Wants to learn"}
LEVELS = {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"}
LEVEL_RANK = {"beginner": 1, "intermediate": 2, "advanced": 3}
FORMATS = {"one_to_one": "1:1", "group": "Group session", "async": "Async Q&A"}
OPEN, PAUSED, CLOSED = "open", "paused", "closed"
STATUSES = {OPEN: "Open", PAUSED: "Paused", CLOSED: "Closed"}
CAPACITY_MIN, CAPACITY_MAX = 1, 50
AVAILABILITY_MAX = 200
DESCRIPTION_MAX = 4000

_NOT_CLOSED = text("status <> 'closed'")


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("kind IN ('teach', 'learn')", name="kind_known"),
        CheckConstraint("level IN ('beginner', 'intermediate', 'advanced')", name="level_known"),
        CheckConstraint("status IN ('open', 'paused', 'closed')", name="status_known"),
        CheckConstraint("format_one_to_one OR format_group OR format_async", name="has_format"),
        CheckConstraint(
            f"(kind = 'teach' AND capacity BETWEEN {CAPACITY_MIN} AND {CAPACITY_MAX}) "
            "OR (kind = 'learn' AND capacity IS NULL)", name="capacity_for_teachers"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= coalesce(capacity, 0)",
                        name="seats_within_capacity"),
        Index("uq_offers_one_open_per_kind_and_skill", "user_id", "kind", "skill_id",
              unique=True, sqlite_where=_NOT_CLOSED, postgresql_where=_NOT_CLOSED),
        Index("ix_offers_browse", "status", "kind", "skill_id"),
        # The marketplace lists open offers newest first: walk this index and stop at a page.
        Index("ix_offers_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(5))
    level: Mapped[str] = mapped_column(String(12))
    format_one_to_one: Mapped[bool] = mapped_column(Boolean, default=True)
    format_group: Mapped[bool] = mapped_column(Boolean, default=False)
    format_async: Mapped[bool] = mapped_column(Boolean, default=False)
    availability: Mapped[str] = mapped_column(String(AVAILABILITY_MAX), default="")
    description_md: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(6), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    skill: Mapped[Skill] = relationship()

    @property
    def formats(self) -> list[str]:
        return [key for key in FORMATS if getattr(self, f"format_{key}")]

    @property
    def seats_free(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.seats_taken

    def __repr__(self) -> str:
        return f"<Offer {self.kind} {self.skill_id} by {self.user_id}>"


SUGGESTION_KEY_MAX = 120


class DismissedSuggestion(db.Model):
    """A match suggestion someone chose not to see again, by its stable key
    (`app.offers.matching.Suggestion.key`)."""

    __tablename__ = "dismissed_suggestions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(SUGGESTION_KEY_MAX), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
