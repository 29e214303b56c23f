"""What the home page reads besides matches and notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app.accounts.models import User
from app.core.db import utcnow
from app.extensions import db

HOME_EVENTS = 5  # /events/mine lists them all

HOSTING, BOOKED, SEAT_OFFERED = "hosting", "booked", "offered"  # why an event is listed


@dataclass(frozen=True)
class MyEvent:
    """An event on someone's home page, with why it is there."""

    event: object  # an app.events.models.Event
    role: str  # HOSTING, BOOKED, or SEAT_OFFERED (a seat is held for them to claim)
    offer_expires_at: datetime | None = None


def my_upcoming_events(user: User, limit: int = HOME_EVENTS,
                       now: datetime | None = None) -> list[MyEvent]:
    """The next events `user` hosts (or co-hosts), has a seat at, or has been offered a seat
    at, soonest first; an event still running counts. One query."""
    # Imported here: the events package imports skills and accounts when it loads.
    from app.events.models import CONFIRMED, OFFERED, SCHEDULED, Booking, Event, EventCohost

    now = now or utcnow()
    cohosted = select(EventCohost.event_id).where(EventCohost.user_id == user.id)
    rows = db.session.execute(
        select(Event, Booking.status, Booking.offer_expires_at)
        .outerjoin(Booking, (Booking.event_id == Event.id) & (Booking.user_id == user.id))
        .where(Event.status == SCHEDULED, Event.ends_at > now,
               or_(Event.host_id == user.id, Event.id.in_(cohosted),
                   Booking.status.in_((CONFIRMED, OFFERED))))
        .order_by(Event.starts_at, Event.id).limit(limit))
    events = []
    for event, status, expires in rows:
        if event.host_id == user.id or status not in (CONFIRMED, OFFERED):
            events.append(MyEvent(event, HOSTING))
        elif status == OFFERED:
            events.append(MyEvent(event, SEAT_OFFERED, expires))
        else:
            events.append(MyEvent(event, BOOKED))
    return events
