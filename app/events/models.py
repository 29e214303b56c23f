"""Events — workshops, lunch-and-learns and teach-backs — with their bookings and waitlists.

Seats are a counter on the event: `seats_taken` counts confirmed bookings and seats offered to
someone from the waitlist (held for them until the offer expires). Every change to it is a
conditional UPDATE (`… WHERE seats_taken < capacity`), and a CHECK keeps it within 0 and the
capacity, so two people can never take the last seat. A person has at most one booking per
event (unique); cancelling keeps the row, and booking again reuses it.

Booking states:
    confirmed — holds a seat;
    waiting   — on the waitlist, in order of `waiting_since`;
    offered   — a freed seat is held for them until `offer_expires_at`; claiming confirms it;
    cancelled — they cancelled (or the event was cancelled);
    lapsed    — a seat was offered and not claimed in time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.skills.models import Skill

WORKSHOP, LUNCH_AND_LEARN, TEACH_BACK = "workshop", "lunch_and_learn", "teach_back"
KINDS = {WORKSHOP: "Workshop", LUNCH_AND_LEARN: "Lunch-and-learn", TEACH_BACK: "Teach-back"}
SCHEDULED, CANCELLED = "scheduled", "cancelled"
EVENT_STATUSES = {SCHEDULED: "Scheduled", CANCELLED: "Cancelled"}

CONFIRMED, WAITING, OFFERED, LAPSED = "confirmed", "waiting", "offered", "lapsed"
BOOKING_STATUSES = {CONFIRMED: "Booked", WAITING: "On the waitlist", OFFERED: "Seat offered",
                    CANCELLED: "Cancelled", LAPSED: "Offer expired"}
HOLDS_SEAT = (CONFIRMED, OFFERED)
ACTIVE_BOOKING = (CONFIRMED, OFFERED, WAITING)

TITLE_MIN, TITLE_MAX = 5, 150
DESCRIPTION_MAX = 10_000
LOCATION_MAX = 200
URL_MAX = 500
TIMEZONE_MAX = 64
CAPACITY_MIN, CAPACITY_MAX = 1, 500
DURATION_MIN, DURATION_MAX = 5, 24 * 60  # minutes
SKILLS_MAX = 5
COHOSTS_MAX = 5
MATERIAL_TITLE_MAX = 150
MATERIAL_NOTES_MAX = 5000
FEEDBACK_COMMENT_MAX = 1000
FEEDBACK_MIN_FOR_HOSTS = 3  # hosts see ratings only once this many people gave them
PROPOSAL_TEXT_MIN, PROPOSAL_TEXT_MAX = 10, 500
PROPOSAL_OPEN, PROPOSAL_SCHEDULED, PROPOSAL_WITHDRAWN = "open", "scheduled", "withdrawn"
PROPOSAL_STATUSES = {PROPOSAL_OPEN: "Open", PROPOSAL_SCHEDULED: "Scheduled",
                     PROPOSAL_WITHDRAWN: "Withdrawn"}
CALENDAR_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("kind IN ('workshop', 'lunch_and_learn', 'teach_back')",
                        name="kind_known"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
        CheckConstraint(f"capacity BETWEEN {CAPACITY_MIN} AND {CAPACITY_MAX}",
                        name="capacity_in_range"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity",
                        name="seats_within_capacity"),
        CheckConstraint(f"duration_minutes BETWEEN {DURATION_MIN} AND {DURATION_MAX}",
                        name="duration_in_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("waiting_count >= 0", name="waiting_count_not_negative"),
        Index("ix_events_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)  # the calendar UID, never changes
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=SCHEDULED)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description_md: Mapped[str] = mapped_column(String(DESCRIPTION_MAX), default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    timezone: Mapped[str] = mapped_column(String(TIMEZONE_MAX))
    location: Mapped[str] = mapped_column(String(LOCATION_MAX), default="")
    online_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    waiting_count: Mapped[int] = mapped_column(Integer, default=0)  # waiting, for lists
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # the calendar SEQUENCE
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    repeat_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True)
    teach_back_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    host: Mapped[User] = relationship(foreign_keys=[host_id])
    skills: Mapped[list[Skill]] = relationship(secondary="event_skills", order_by="Skill.name")
    cohosts: Mapped[list[User]] = relationship(secondary="event_cohosts",
                                               order_by="User.display_name")
    repeat_of: Mapped[Event | None] = relationship(remote_side=[id], foreign_keys=[repeat_of_id])
    teach_back_of: Mapped[Event | None] = relationship(remote_side=[id],
                                                       foreign_keys=[teach_back_of_id])

    # The host's and co-hosts' ids when a page already knows them (app.events.detail_page
    # sets it from its cache); None: read them from `cohosts`.
    known_host_ids = None

    @property
    def host_ids(self) -> frozenset[int]:
        """Who runs the event: the host and the co-hosts."""
        if self.known_host_ids is not None:
            return self.known_host_ids
        return frozenset({self.host_id, *(person.id for person in self.cohosts)})

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class EventSkill(db.Model):
    __tablename__ = "event_skills"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)


class EventCohost(db.Model):
    __tablename__ = "event_cohosts"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_bookings_event_user"),
        CheckConstraint("status IN ('confirmed', 'waiting', 'offered', 'cancelled', 'lapsed')",
                        name="status_known"),
        CheckConstraint("status <> 'offered' OR offer_expires_at IS NOT NULL",
                        name="offer_has_expiry"),
        CheckConstraint("status NOT IN ('waiting', 'offered') OR waiting_since IS NOT NULL",
                        name="waiting_has_place"),
        Index("ix_bookings_event_status_waiting", "event_id", "status", "waiting_since"),
        Index("ix_bookings_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()

    @property
    def holds_seat(self) -> bool:
        return self.status in HOLDS_SEAT

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_BOOKING


class EventMaterial(db.Model):
    """A link and/or Markdown notes a host added to an event (slides, a repository, notes)."""

    __tablename__ = "event_materials"
    __table_args__ = (
        CheckConstraint("url <> '' OR notes_md <> ''", name="has_content"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(MATERIAL_TITLE_MAX))
    url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    notes_md: Mapped[str] = mapped_column(String(MATERIAL_NOTES_MAX), default="")
    notes_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[Event] = relationship()
    added_by: Mapped[User | None] = relationship()


class EventFeedback(db.Model):
    """One attendee's rating of an event. Hosts see ratings only in aggregate, and only once
    `FEEDBACK_MIN_FOR_HOSTS` people have rated."""

    __tablename__ = "event_feedback"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_event_feedback_event_user"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(String(FEEDBACK_COMMENT_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SessionProposal(db.Model):
    """"I'd like a session on X": others add their interest; a teacher of X can schedule it."""

    __tablename__ = "session_proposals"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'scheduled', 'withdrawn')", name="status_known"),
        Index("ix_session_proposals_status_skill", "status", "skill_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(PROPOSAL_TEXT_MAX))
    status: Mapped[str] = mapped_column(String(10), default=PROPOSAL_OPEN)
    interest_count: Mapped[int] = mapped_column(Integer, default=1)  # the proposer counts
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    skill: Mapped[Skill] = relationship()
    event: Mapped[Event | None] = relationship()


class ProposalInterest(db.Model):
    __tablename__ = "proposal_interests"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("session_proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CalendarFeed(db.Model):
    """A person's secret calendar address, /calendar/<token>.ics. Regenerating replaces the
    token, so the old address stops working."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    token: Mapped[str] = mapped_column(String(CALENDAR_TOKEN_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
