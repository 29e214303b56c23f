"""Event and booking factories: real rows, committed."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from app.core.db import utcnow
from app.core.markdown import render_markdown
from app.events import booking as booking_services
from app.events.models import WORKSHOP, Booking, Event
from app.extensions import db
from tests.factories import make_user
from tests.offers.factories import make_skill

_counter = itertools.count(1)


def make_event(host=None, *, skills=None, starts_in: timedelta = timedelta(days=7),
               duration_minutes: int = 60, capacity: int = 10, kind: str = WORKSHOP,
               commit: bool = True, **overrides) -> Event:
    """A scheduled event `starts_in` from now (negative: in the past), hosted by `host`."""
    n = next(_counter)
    starts_at = overrides.pop("starts_at", utcnow().replace(microsecond=0) + starts_in)
    description = overrides.pop("description_md", f"Bring a laptop to event {n}.")
    fields = {
        "uid": f"{uuid.uuid4()}@skillswap", "kind": kind, "title": f"Event number {n}",
        "description_md": description, "description_html": render_markdown(description),
        "starts_at": starts_at, "duration_minutes": duration_minutes,
        "ends_at": starts_at + timedelta(minutes=duration_minutes),
        "timezone": "Europe/London", "location": "Room 1", "capacity": capacity,
    }
    fields.update(overrides)
    event = Event(host=host or make_user(commit=False), **fields)
    event.skills = list(skills) if skills is not None else [make_skill(commit=False)]
    db.session.add(event)
    db.session.flush()
    if commit:
        db.session.commit()
    return event


def book(event: Event, user=None, *, commit: bool = True) -> Booking:
    """`user` books `event` through the booking service (a seat, or the waitlist)."""
    booking = booking_services.book_seat(event, user or make_user(commit=False))
    if commit:
        db.session.commit()
    return booking


def fill(event: Event, *, waiting: int = 0) -> list[Booking]:
    """Book every seat of `event`, then put `waiting` more people on its waitlist."""
    bookings = [book(event, commit=False) for _ in range(event.capacity - event.seats_taken)]
    bookings += [book(event, commit=False) for _ in range(waiting)]
    db.session.commit()
    return bookings
