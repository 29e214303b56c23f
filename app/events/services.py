"""Events in domain words: schedule one, change it, cancel it; book, leave and claim as the
person signed in. Flush, never commit; `Invalid` names the form field that is wrong.

Times: a start given without a time zone (what a form sends) is a wall-clock time in the
event's own time zone; one with a time zone is taken as it is. Everything is stored in UTC.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update

from app.accounts.models import User
from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.markdown import render_markdown
from app.events import booking as seats
from app.events import permissions, queries
from app.events.fields import (
    clean_fields,
    resolve_cohosts,
    resolve_skills,
)
from app.events.models import (
    ACTIVE_BOOKING,
    CANCELLED,
    LAPSED,
    OFFERED,
    SCHEDULED,
    WAITING,
    Booking,
    Event,
)
from app.extensions import db

DETAIL_FIELDS = ("kind", "title", "skills", "description", "starts_at", "duration_minutes",
                 "timezone", "location", "online_url", "capacity", "cohosts")
# What attendees are told about when it changes, in words (signals.event_changed).
CHANGE_WORDS = {"time": "the time", "location": "the place", "online_url": "the online link",
                "capacity": "the capacity"}

# -- Scheduling, changing and cancelling -----------------------------------------------------


def schedule_event(host: User, *, repeat_of: Event | None = None,
                   teach_back_of: Event | None = None, proposal=None,
                   now: datetime | None = None, **fields) -> Event:
    """`host` schedules an event. `fields`: kind, title, skills (names), description
    (Markdown), starts_at, duration_minutes, timezone (default: the host's), location,
    online_url, capacity, cohosts (handles). A repeat tells the original's waitlist first;
    one made from a session proposal marks the proposal scheduled."""
    now = now or utcnow()
    values = {"description": "", "location": "", "online_url": "", "cohosts": (),
              "timezone": host.timezone, **fields}
    if missing := [f for f in DETAIL_FIELDS if f not in values]:
        raise TypeError(f"schedule_event() missing {', '.join(missing)}")
    if repeat_of is not None and not permissions.can_repeat_event(host, repeat_of):
        raise NotAllowed("Only the hosts of an event can schedule a repeat of it.")
    cleaned = clean_fields(values)
    if cleaned["starts_at"] <= now:
        raise Invalid("starts_at", "Choose a start in the future.")
    cohosts = resolve_cohosts(host, values["cohosts"])
    event = Event(
        uid=f"{uuid.uuid4()}@skillswap", kind=cleaned["kind"], status=SCHEDULED,
        title=cleaned["title"], description_md=cleaned["description"],
        description_html=render_markdown(cleaned["description"]),
        starts_at=cleaned["starts_at"], duration_minutes=cleaned["duration_minutes"],
        ends_at=cleaned["ends_at"], timezone=cleaned["timezone"],
        location=cleaned["location"], online_url=cleaned["online_url"],
        capacity=cleaned["capacity"], seats_taken=0, waiting_count=0, sequence=0,
        host=host, repeat_of=repeat_of, teach_back_of=teach_back_of, created_at=now)
    event.skills = resolve_skills(host, values["skills"])
    event.cohosts = cohosts
    db.session.add(event)
    db.session.flush()
    if repeat_of is not None:
        _tell_the_waitlist(repeat_of, event)
    if proposal is not None:
        from app.events.proposals import attach_event  # the proposals module imports us

        attach_event(proposal, event, host)
    return event


def _tell_the_waitlist(original: Event, repeat: Event) -> None:
    hosts = {repeat.host_id, *(c.id for c in repeat.cohosts)}
    waiting = [u for u in db.session.scalars(
        select(User).join(Booking, Booking.user_id == User.id)
        .where(Booking.event_id == original.id, Booking.status.in_((WAITING, LAPSED)),
               User.active).order_by(Booking.waiting_since, Booking.id))
        if u.id not in hosts]
    if waiting:
        signals.event_repeat_scheduled.send(repeat, to=waiting)


def _require_changeable(event: Event, by: User, now: datetime, verb: str) -> None:
    if not permissions.can_manage_event(by, event):
        raise NotAllowed(f"Only the hosts of this event can {verb} it.")
    if event.is_cancelled:
        raise Conflict("This event was cancelled, so it can't be changed any more."
                       if verb == "change" else "This event was already cancelled.")
    if permissions.has_ended(event, now):
        raise Conflict("This event has ended, so it can't be "
                       f"{'changed' if verb == 'change' else 'cancelled'} any more.")


def _current(event: Event) -> dict:
    return {"kind": event.kind, "title": event.title, "skills": list(event.skills),
            "description": event.description_md, "starts_at": event.starts_at,
            "duration_minutes": event.duration_minutes, "timezone": event.timezone,
            "location": event.location, "online_url": event.online_url,
            "capacity": event.capacity, "cohosts": list(event.cohosts)}


def update_event(event: Event, by: User, *, now: datetime | None = None,
                 **fields) -> list[str]:
    """Change an event's details (any of schedule_event's fields). Every change raises the
    calendar sequence; people booked or waiting hear about a new time, place, link or
    capacity. Returns those changes in words (empty when nothing they care about changed)."""
    now = now or utcnow()
    _require_changeable(event, by, now, "change")
    if unknown := set(fields) - set(DETAIL_FIELDS):
        raise TypeError(f"update_event() got unknown fields: {', '.join(sorted(unknown))}")
    cleaned = clean_fields({**_current(event), **fields})
    time_changed = (cleaned["starts_at"], cleaned["ends_at"]) != (event.starts_at,
                                                                  event.ends_at)
    if time_changed and cleaned["starts_at"] != event.starts_at and cleaned["starts_at"] <= now:
        raise Invalid("starts_at", "Choose a start in the future.")
    skills = resolve_skills(by, fields["skills"]) if "skills" in fields else list(event.skills)
    cohosts = (resolve_cohosts(event.host, fields["cohosts"]) if "cohosts" in fields
               else list(event.cohosts))
    changed = {name for name in ("kind", "title", "timezone", "location", "online_url",
                                 "capacity", "duration_minutes")
               if cleaned[name] != getattr(event, name)}
    if cleaned["description"] != event.description_md:
        changed.add("description")
    if time_changed:
        changed.add("time")
    if {s.id for s in skills} != {s.id for s in event.skills}:
        changed.add("skills")
    if {u.id for u in cohosts} != {u.id for u in event.cohosts}:
        changed.add("cohosts")
    if not changed:
        return []
    for name in ("kind", "title", "timezone", "location", "online_url", "starts_at",
                 "duration_minutes", "ends_at"):
        setattr(event, name, cleaned[name])
    if "description" in changed:
        event.description_md = cleaned["description"]
        event.description_html = render_markdown(cleaned["description"])
    event.skills = skills
    event.cohosts = cohosts
    db.session.flush()
    if "capacity" in changed:
        seats.change_capacity(event, cleaned["capacity"], now)  # refuses going below the booked
    if time_changed:  # a seat held for someone can't be held past the start
        db.session.execute(
            update(Booking).where(Booking.event_id == event.id, Booking.status == OFFERED,
                                  Booking.offer_expires_at > event.starts_at)
            .values(offer_expires_at=event.starts_at)
            .execution_options(synchronize_session=False))
        db.session.execute(  # a reminder of the old time is no reminder of the new one
            update(Booking).where(Booking.event_id == event.id,
                                  Booking.reminded_at.is_not(None))
            .values(reminded_at=None).execution_options(synchronize_session=False))
    db.session.execute(update(Event).where(Event.id == event.id)
                       .values(sequence=Event.sequence + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(event)
    words = [CHANGE_WORDS[name] for name in CHANGE_WORDS if name in changed]
    if words:
        signals.event_changed.send(event, by=by, changes=words)
    return words


def cancel_event(event: Event, by: User, now: datetime | None = None) -> list[User]:
    """Cancel the event and every booking with it. Returns the people told (booked, offered a
    seat or waiting)."""
    now = now or utcnow()
    _require_changeable(event, by, now, "cancel")
    cancelled = db.session.execute(  # first, so a booking racing us waits for this row
        update(Event).where(Event.id == event.id, Event.status == SCHEDULED)
        .values(status=CANCELLED, cancelled_at=now, sequence=Event.sequence + 1,
                seats_taken=0, waiting_count=0)
        .execution_options(synchronize_session=False)).rowcount
    if not cancelled:
        raise Conflict("This event was already cancelled.")
    user_ids = list(db.session.scalars(
        update(Booking).where(Booking.event_id == event.id,
                              Booking.status.in_(ACTIVE_BOOKING))
        .values(status=CANCELLED, cancelled_at=now)
        .returning(Booking.user_id).execution_options(synchronize_session=False)))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Booking) and obj.event_id == event.id:
            db.session.expire(obj)
    db.session.refresh(event)
    notify = list(db.session.scalars(select(User).where(User.id.in_(user_ids))
                                     .order_by(User.id))) if user_ids else []
    signals.event_cancelled.send(event, by=by, notify=notify)
    return notify


# -- The signed-in person's own booking ----------------------------------------------------


book = seats.book_seat  # a seat, or a place on the waitlist when the event is full


def cancel_own_booking(event: Event, user: User, now: datetime | None = None) -> Booking:
    """Give up a seat, an offered seat, or a place on the waitlist."""
    now = now or utcnow()
    if event.is_cancelled:
        raise Conflict("This event was cancelled, so there's nothing to cancel.")
    if event.starts_at <= now:
        raise Conflict("This event has already started, so bookings can't be cancelled any "
                       "more.")
    booking = queries.own_booking(event, user)
    if booking is None or not booking.is_active:
        raise Conflict("You don't have a booking or a place on the waitlist for this event.")
    return seats.cancel_booking(booking, user, now)


def claim_own_seat(event: Event, user: User, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    if event.is_cancelled:
        raise Conflict("This event was cancelled.")
    booking = queries.own_booking(event, user)
    if booking is None:
        raise Conflict("There's no seat offered to you for this event.")
    if booking.status == LAPSED:
        raise Conflict("Sorry, this offer expired and the seat went to the next person "
                       "waiting. You can join the waitlist again.")
    return seats.claim_seat(booking, user, now)
