"""Booking seats, the waitlist and its promotions. Flushes, never commits.

Every seat move is one conditional UPDATE on the event row (`seats_taken < capacity` to take,
`seats_taken > 0` to give back), and every booking state change is a conditional UPDATE on
the booking row (`WHERE status = <what we expect>`), so concurrent requests — two people
booking the last seat, a cancellation racing a promotion, a claim racing its expiry — each
either win cleanly or see that they lost, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.events.models import (
    ACTIVE_BOOKING,
    CANCELLED,
    CONFIRMED,
    HOLDS_SEAT,
    LAPSED,
    OFFERED,
    SCHEDULED,
    WAITING,
    Booking,
    Event,
)
from app.events.permissions import is_event_host
from app.extensions import db

DEFAULT_CLAIM_WINDOW_HOURS = 24


def claim_window() -> timedelta:
    return timedelta(hours=current_app.config.get("EVENT_CLAIM_WINDOW_HOURS",
                                                  DEFAULT_CLAIM_WINDOW_HOURS))


def _check_bookable(event: Event, user: User, now: datetime) -> None:
    if event.is_cancelled:
        raise Conflict("This event was cancelled, so it can't be booked.")
    if event.starts_at <= now:
        raise Conflict("This event has already started, so it can't be booked any more.")
    if is_event_host(user, event):
        raise NotAllowed("You're hosting this event, so you don't need a seat.")


def _take_seat(event: Event) -> bool:
    """Take one seat if one is free (and the event still runs): True when taken."""
    taken = db.session.execute(
        update(Event).where(Event.id == event.id, Event.status == SCHEDULED,
                            Event.seats_taken < Event.capacity)
        .values(seats_taken=Event.seats_taken + 1)
        .execution_options(synchronize_session=False)).rowcount
    return bool(taken)


def _give_back_seat(event: Event) -> None:
    db.session.execute(
        update(Event).where(Event.id == event.id, Event.seats_taken > 0)
        .values(seats_taken=Event.seats_taken - 1)
        .execution_options(synchronize_session=False))


def _count_waiting(event: Event, delta: int) -> bool:
    """Move the waiting counter; joining (delta > 0) only while the event still runs."""
    query = update(Event).where(Event.id == event.id)
    if delta > 0:
        query = query.where(Event.status == SCHEDULED)
    moved = db.session.execute(
        query.values(waiting_count=case((Event.waiting_count + delta < 0, 0),
                                        else_=Event.waiting_count + delta))
        .execution_options(synchronize_session=False)).rowcount
    return bool(moved)


def _lock_event(event: Event) -> None:
    """Lock the event's row (PostgreSQL; SQLite has one writer anyway) before any booking
    row. Every path that changes both — booking, cancelling, promoting, expiring — takes
    the event first, so two of them can never wait on each other (a deadlock)."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def _set_status(booking: Booking, expected: tuple[str, ...], **values) -> bool:
    """Move the booking on only if it is still in one of the `expected` states."""
    moved = db.session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status.in_(expected))
        .values(**values).execution_options(synchronize_session=False)).rowcount
    return bool(moved)


def _refresh(*objects) -> None:
    for obj in objects:
        db.session.refresh(obj)


def waitlist_position(booking: Booking) -> int | None:
    """1 for the next person to be offered a seat; None when not waiting."""
    if booking.status != WAITING or booking.waiting_since is None:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Booking)
        .where(Booking.event_id == booking.event_id, Booking.status == WAITING,
               (Booking.waiting_since < booking.waiting_since)
               | ((Booking.waiting_since == booking.waiting_since) & (Booking.id < booking.id))))
    return (ahead or 0) + 1


def book_seat(event: Event, user: User, now: datetime | None = None) -> Booking:
    """Book a seat, or join the waitlist when the event is full. Raises Conflict when the
    person already has a booking or a place in the queue."""
    now = now or utcnow()
    _check_bookable(event, user, now)
    existing = db.session.scalar(select(Booking).where(Booking.event_id == event.id,
                                                       Booking.user_id == user.id))
    if existing is not None and existing.is_active:
        raise Conflict(_already_message(existing))
    try:
        with db.session.begin_nested():
            seat = _take_seat(event)
            values = ({"status": CONFIRMED, "confirmed_at": now, "waiting_since": None}
                      if seat else {"status": WAITING, "waiting_since": now})
            values.update(offered_at=None, offer_expires_at=None, cancelled_at=None,
                          checked_in_at=None, reminded_at=None)
            if existing is None:
                booking = Booking(event_id=event.id, user_id=user.id, created_at=now, **values)
                db.session.add(booking)
                db.session.flush()
            else:
                booking = existing
                if not _set_status(booking, (CANCELLED, LAPSED), **values):
                    raise Conflict(_already_message(booking))
            if not seat and not _count_waiting(event, +1):
                raise Conflict("This event was cancelled, so it can't be booked.")
    except IntegrityError as err:  # a second request of the same person won the insert
        raise Conflict("You already have a booking for this event.") from err
    _refresh(booking, event)
    if booking.status == CONFIRMED:
        signals.event_booked.send(booking, how="booked")
    else:
        signals.event_waitlisted.send(booking, position=waitlist_position(booking))
    return booking


def _already_message(booking: Booking) -> str:
    if booking.status == WAITING:
        return "You're already on the waitlist for this event."
    if booking.status == OFFERED:
        return "A seat is already held for you: claim it on the event's page."
    return "You've already booked this event."


def cancel_booking(booking: Booking, user: User, now: datetime | None = None) -> Booking:
    """The person cancels their own booking or leaves the waitlist; a seat they held goes to
    the next person waiting."""
    now = now or utcnow()
    if booking.user_id != user.id:
        raise NotAllowed("You can only cancel your own booking.")
    event = booking.event
    _lock_event(event)
    db.session.refresh(booking)  # as it is now that promotions of this event wait for us
    previous = booking.status
    if not booking.is_active or not _set_status(booking, (previous,), status=CANCELLED,
                                                cancelled_at=now):
        raise Conflict("This booking is already cancelled.")
    if previous in HOLDS_SEAT:
        _give_back_seat(event)
    elif previous == WAITING:
        _count_waiting(event, -1)
    _refresh(booking, event)
    if previous in HOLDS_SEAT and event.starts_at > now and not event.is_cancelled:
        fill_free_seats(event, now)
    return booking


def claim_seat(booking: Booking, user: User, now: datetime | None = None) -> Booking:
    """Confirm a seat offered from the waitlist, while the offer lasts."""
    now = now or utcnow()
    if booking.user_id != user.id:
        raise NotAllowed("Only the person a seat is offered to can claim it.")
    if booking.status == CONFIRMED:
        raise Conflict("You've already claimed this seat.")
    if booking.status != OFFERED:
        raise Conflict("There's no seat offered to you for this event.")
    if not _set_status_if_unexpired(booking, now):
        raise Conflict("Sorry, this offer expired and the seat went to the next person "
                       "waiting. You can join the waitlist again.")
    _refresh(booking)
    signals.event_booked.send(booking, how="claimed")
    return booking


def _set_status_if_unexpired(booking: Booking, now: datetime) -> bool:
    moved = db.session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status == OFFERED,
                              Booking.offer_expires_at > now)
        .values(status=CONFIRMED, confirmed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    return bool(moved)


def _next_waiting(event: Event) -> Booking | None:
    return db.session.scalar(
        select(Booking).join(User, User.id == Booking.user_id)
        .where(Booking.event_id == event.id, Booking.status == WAITING, User.active)
        .order_by(Booking.waiting_since, Booking.id).limit(1))


def fill_free_seats(event: Event, now: datetime | None = None) -> list[Booking]:
    """Offer every free seat to the people waiting, in order: held for the claim window, or
    confirmed at once when the event starts sooner than that. Returns the bookings moved."""
    now = now or utcnow()
    if event.is_cancelled or event.starts_at <= now:
        return []
    direct = event.starts_at - now <= claim_window()
    moved: list[Booking] = []
    while True:
        candidate = _next_waiting(event)
        if candidate is None or not _take_seat(event):
            break
        if direct:
            values = {"status": CONFIRMED, "confirmed_at": now}
        else:
            values = {"status": OFFERED, "offered_at": now,
                      "offer_expires_at": min(now + claim_window(), event.starts_at)}
        if not _set_status(candidate, (WAITING,), **values):
            _give_back_seat(event)  # someone else moved them first (they left, or a promotion)
            db.session.expire(candidate)
            continue
        _count_waiting(event, -1)
        _refresh(candidate)
        moved.append(candidate)
    _refresh(event)
    for booking in moved:
        if booking.status == CONFIRMED:
            signals.event_booked.send(booking, how="promoted")
        else:
            signals.seat_offered.send(booking)
    return moved


def expire_offers(now: datetime | None = None) -> int:
    """Offers not claimed in time lapse; their seats go to the next people waiting. Returns
    how many lapsed. Safe to run from several processes: each lapse is a conditional UPDATE."""
    now = now or utcnow()
    stale = list(db.session.scalars(
        select(Booking).where(Booking.status == OFFERED, Booking.offer_expires_at <= now)
        .order_by(Booking.offer_expires_at, Booking.id)))
    lapsed = 0
    for booking in stale:
        _lock_event(booking.event)
        still_expired = db.session.execute(
            update(Booking).where(Booking.id == booking.id, Booking.status == OFFERED,
                                  Booking.offer_expires_at <= now)
            .values(status=LAPSED, cancelled_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if not still_expired:  # claimed (or cancelled) in the meantime
            continue
        _give_back_seat(booking.event)
        _refresh(booking, booking.event)
        lapsed += 1
        signals.seat_offer_expired.send(booking)
        fill_free_seats(booking.event, now)
    return lapsed


def release_bookings_of(user: User, now: datetime | None = None) -> int:
    """A deactivated person's seats and places in queues go back — to the next people
    waiting — for events that haven't started. Returns how many were released."""
    now = now or utcnow()
    bookings = list(db.session.scalars(
        select(Booking).join(Booking.event)
        .where(Booking.user_id == user.id, Booking.status.in_(ACTIVE_BOOKING),
               Event.starts_at > now).order_by(Booking.id)))
    for booking in bookings:
        cancel_booking(booking, user, now)
    return len(bookings)


def change_capacity(event: Event, capacity: int, now: datetime | None = None) -> None:
    """Set a new capacity. Raising it offers the new seats to the waitlist; lowering it below
    the seats already taken is refused (a database CHECK backs this)."""
    moved = db.session.execute(
        update(Event).where(Event.id == event.id, Event.seats_taken <= capacity)
        .values(capacity=capacity).execution_options(synchronize_session=False)).rowcount
    _refresh(event)
    if not moved:
        raise Invalid(
            "capacity",
            f"{event.seats_taken} people already hold a seat, so the capacity can't go below "
            f"{event.seats_taken}. Ask some of them to cancel first, or keep the capacity.")
    fill_free_seats(event, now)
