"""What the booking tests share: checks that an event's counters agree with its bookings
(the `sent` fixture, recording the booking signals, is in this folder's conftest.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core import signals
from app.events import booking as services
from app.events.models import (
    CONFIRMED,
    OFFERED,
    WAITING,
    Booking,
    Event,
)
from app.extensions import db

BOOKING_SIGNALS = (signals.event_booked, signals.event_waitlisted, signals.seat_offered,
                   signals.seat_offer_expired)


def counts(event: Event) -> dict[str, int]:
    """The event's bookings by status, after checking the counters agree with them."""
    db.session.refresh(event)
    found = dict(db.session.execute(
        select(Booking.status, func.count()).where(Booking.event_id == event.id)
        .group_by(Booking.status)).all())
    assert event.seats_taken == found.get(CONFIRMED, 0) + found.get(OFFERED, 0), found
    assert event.waiting_count == found.get(WAITING, 0), found
    assert 0 <= event.seats_taken <= event.capacity
    return {status: n for status, n in found.items() if n}


def statuses(bookings: list[Booking]) -> list[str]:
    for booking in bookings:
        db.session.refresh(booking)
    return [b.status for b in bookings]


def positions(bookings: list[Booking]) -> list[int | None]:
    for booking in bookings:
        db.session.refresh(booking)
    return [services.waitlist_position(b) for b in bookings]


def names(log) -> list[tuple[str, int]]:
    return [(name, booking.id) for name, booking, _ in log]
