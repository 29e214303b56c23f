"""Personal calendar feeds: the secret address a calendar app subscribes to, and what is in it.

A person's feed, /calendar/<token>.ics, lists the events they host or co-host, have a seat
at, or are waiting for (or have been offered a seat at). Events the host cancelled stay in it
for `CANCELLED_KEPT_DAYS` as cancelled, so subscribed calendars take them off; bookings the
person cancelled themselves, and waitlist places at events that are over, simply drop out (a
subscription mirrors the feed). The feed covers
`PAST_DAYS` back and everything ahead, at most `MAX_EVENTS` events, nearest first.

The token (`secrets.token_urlsafe(32)`, 43 characters) is the only credential a calendar app
has, so it is created lazily when the person first looks at their calendar settings and can
be replaced at any time, which makes the old address stop working.

Services flush but never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.core.db import utcnow
from app.events.models import (
    CALENDAR_TOKEN_LENGTH,
    CANCELLED,
    CONFIRMED,
    OFFERED,
    SCHEDULED,
    WAITING,
    Booking,
    CalendarFeed,
    Event,
    EventCohost,
)
from app.extensions import db

PAST_DAYS = 90
CANCELLED_KEPT_DAYS = 30
MAX_EVENTS = 500
# A booking cancelled this close to (or after) the event's cancellation went with the event.
_CANCELLED_WITH_EVENT = timedelta(minutes=1)

HOST, COHOST = "host", "cohost"


@dataclass(frozen=True)
class FeedEntry:
    """One event in a person's feed and why it is there: HOST, COHOST or a booking status
    ("confirmed", "waiting", "offered", or "cancelled" when it went with the event)."""

    event: Event
    role: str
    offer_expires_at: datetime | None = None


def new_token() -> str:
    """A fresh secret: 32 random bytes, URL-safe, `CALENDAR_TOKEN_LENGTH` characters."""
    return secrets.token_urlsafe(32)


def feed_owner(token: str) -> User | None:
    """Whose feed this token opens, if that person may still use the site; None otherwise."""
    if not token or len(token) != CALENDAR_TOKEN_LENGTH:
        return None
    owner = db.session.scalar(select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
                              .where(CalendarFeed.token == token))
    return owner if owner is not None and owner.is_active else None


def feed_of(user: User) -> CalendarFeed | None:
    """The person's feed, if they have asked for one."""
    return db.session.get(CalendarFeed, user.id)


def get_or_create_feed(user: User) -> CalendarFeed:
    """The person's feed, created with a fresh token the first time. Two first visits at
    once create one feed: the loser of the insert reads the winner's."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is not None:
        return feed
    try:
        with db.session.begin_nested():
            feed = CalendarFeed(user_id=user.id, token=new_token(), created_at=utcnow())
            db.session.add(feed)
            db.session.flush()
    except IntegrityError:
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id)
                                 .execution_options(populate_existing=True))
        if feed is None:  # pragma: no cover — the row that clashed is gone again
            raise
    return feed


def regenerate_feed(user: User) -> CalendarFeed:
    """Give the person a new secret address; the old one stops working at once."""
    feed = get_or_create_feed(user)
    feed.token = new_token()
    feed.created_at = utcnow()
    db.session.flush()
    return feed


def _went_with_event(event: Event, booking_cancelled_at: datetime | None) -> bool:
    return (booking_cancelled_at is not None and event.cancelled_at is not None
            and booking_cancelled_at >= event.cancelled_at - _CANCELLED_WITH_EVENT)


def feed_events(user: User, now: datetime | None = None,
                limit: int = MAX_EVENTS) -> list[FeedEntry]:
    """What goes into the person's feed, nearest upcoming first, then the most recent past.
    A constant number of queries: the events (with host), then their skills."""
    now = now or utcnow()
    booking = Booking.__table__.alias("own_booking")
    is_cohost = exists().where(EventCohost.event_id == Event.id,
                               EventCohost.user_id == user.id)
    hosts = or_(Event.host_id == user.id, is_cohost)
    recently_cancelled = and_(Event.status == CANCELLED,
                              Event.cancelled_at.is_not(None),
                              Event.cancelled_at >= now - timedelta(days=CANCELLED_KEPT_DAYS))
    visible_status = or_(Event.status == SCHEDULED, recently_cancelled)
    # Whether it went with the event is decided below: date arithmetic isn't portable SQL.
    maybe_went_with_event = and_(recently_cancelled, booking.c.status == CANCELLED)
    upcoming = Event.ends_at >= now
    # A place on the waitlist of an event that's over is no longer worth showing.
    has_place = or_(booking.c.status == CONFIRMED,
                    and_(booking.c.status.in_((WAITING, OFFERED)), upcoming))
    stmt = (
        select(Event, booking.c.status, booking.c.offer_expires_at, booking.c.cancelled_at,
               is_cohost.label("cohost"))
        .outerjoin(booking, and_(booking.c.event_id == Event.id,
                                 booking.c.user_id == user.id))
        .where(Event.ends_at >= now - timedelta(days=PAST_DAYS), visible_status,
               or_(hosts, has_place, maybe_went_with_event))
        .options(joinedload(Event.host), selectinload(Event.skills))
        .order_by(case((upcoming, 0), else_=1),
                  case((upcoming, Event.starts_at)).asc(),
                  Event.starts_at.desc(), Event.id)
        .limit(limit)
    )
    entries = []
    rows = db.session.execute(stmt).unique()
    for event, status, offer_expires_at, booking_cancelled_at, cohost in rows:
        if event.host_id == user.id:
            role = HOST
        elif cohost:
            role = COHOST
        elif status == CANCELLED and not _went_with_event(event, booking_cancelled_at):
            continue  # they had cancelled before the host did
        else:
            role = status
        entries.append(FeedEntry(event, role, offer_expires_at))
    return entries
