"""1:1 exchanges: a mentoring pair, a reciprocal swap or a 3-person cycle, as one record.

An exchange has members (everyone in it, each accepting on their own) and legs (who teaches
whom which skill). It becomes active (`accepted`) only when every member has accepted; that
moment takes a seat on each leg's teaching offer with a conditional UPDATE, so two accepts
for a teacher's last seat cannot both win (the offers table's CHECK backs it).

States: requested → accepted → completed, or declined / cancelled / expired. A request
unanswered for `EXPIRE_AFTER_DAYS` expires.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.offers.models import Offer
from app.skills.models import Skill

MENTORING, SWAP, CYCLE = "mentoring", "swap", "cycle"
KINDS = {MENTORING: "Mentoring", SWAP: "Swap", CYCLE: "Three-way swap"}
REQUESTED, ACCEPTED, COMPLETED = "requested", "accepted", "completed"
DECLINED, CANCELLED, EXPIRED = "declined", "cancelled", "expired"
STATUSES = {REQUESTED: "Requested", ACCEPTED: "Active", COMPLETED: "Completed",
            DECLINED: "Declined", CANCELLED: "Cancelled", EXPIRED: "Expired"}
OPEN_STATUSES = (REQUESTED, ACCEPTED)
FITS = {"good": "Good fit", "unsure": "Not sure yet", "not_fit": "Not a fit"}
EXPIRE_AFTER_DAYS = 14
RATINGS_VISIBLE_AFTER_DAYS = 14
MESSAGE_MAX = 1000
COMMENT_MAX = 1000
CLOSE_REASON_MAX = 200
HOURS_NOTE_MAX = 200
MINUTES_MAX = 12 * 60


class Exchange(db.Model):
    __tablename__ = "exchanges"
    __table_args__ = (
        CheckConstraint("kind IN ('mentoring', 'swap', 'cycle')", name="kind_known"),
        CheckConstraint("status IN ('requested', 'accepted', 'completed', 'declined', "
                        "'cancelled', 'expired')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=REQUESTED, index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_reason: Mapped[str] = mapped_column(String(CLOSE_REASON_MAX), default="")

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    members: Mapped[list[ExchangeMember]] = relationship(
        back_populates="exchange", cascade="all, delete-orphan", order_by="ExchangeMember.user_id")
    legs: Mapped[list[ExchangeLeg]] = relationship(
        back_populates="exchange", cascade="all, delete-orphan", order_by="ExchangeLeg.id")


class ExchangeMember(db.Model):
    """One person in an exchange: their acceptance, fit check and rating."""

    __tablename__ = "exchange_members"
    __table_args__ = (
        CheckConstraint("fit IS NULL OR fit IN ('good', 'unsure', 'not_fit')", name="fit_known"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_1_to_5"),
    )

    exchange_id: Mapped[int] = mapped_column(
        ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fit: Mapped[str | None] = mapped_column(String(8))
    fit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str] = mapped_column(String(COMMENT_MAX), default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    exchange: Mapped[Exchange] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class ExchangeLeg(db.Model):
    """Who teaches whom what, within an exchange (a swap has two legs, a cycle three)."""

    __tablename__ = "exchange_legs"
    __table_args__ = (
        UniqueConstraint("exchange_id", "teacher_id", "learner_id", "skill_id",
                         name="uq_exchange_legs_teacher_learner_skill"),
        CheckConstraint("teacher_id <> learner_id", name="two_people"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(
        ForeignKey("exchanges.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    teach_offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="SET NULL"), index=True)
    # True while this leg holds a seat on the teaching offer (taken on activation, given
    # back when the exchange ends).
    holds_seat: Mapped[bool] = mapped_column(Boolean, default=False)

    exchange: Mapped[Exchange] = relationship(back_populates="legs")
    teacher: Mapped[User] = relationship(foreign_keys=[teacher_id])
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    skill: Mapped[Skill] = relationship()
    teach_offer: Mapped[Offer | None] = relationship()


class HoursLog(db.Model):
    """Time spent on one leg of an exchange, for the time-bank ledger."""

    __tablename__ = "exchange_hours"
    __table_args__ = (
        CheckConstraint(f"minutes BETWEEN 1 AND {MINUTES_MAX}", name="minutes_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange_id: Mapped[int] = mapped_column(
        ForeignKey("exchanges.id", ondelete="CASCADE"), index=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("exchange_legs.id", ondelete="CASCADE"),
                                        index=True)
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    minutes: Mapped[int] = mapped_column(Integer)
    happened_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(HOURS_NOTE_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    leg: Mapped[ExchangeLeg] = relationship()
    logged_by: Mapped[User] = relationship()
