"""The booking services one rule at a time, part one: seats, the waitlist and its order,
and cancelling (offers, claims, the claim window and capacity: test_booking_offers.py).

After every step the event's counters must agree with its bookings: `seats_taken` equals the
confirmed plus offered bookings (never above the capacity) and `waiting_count` the waiting
ones — the lists show those counters, so a drift is a wrong page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.core.db import utcnow
from app.core.errors import Conflict, NotAllowed
from app.events import booking as services
from app.events.models import (
    CANCELLED,
    CONFIRMED,
    OFFERED,
    WAITING,
    Booking,
)
from app.extensions import db
from tests.events.booking_support import counts, names, positions, statuses
from tests.events.factories import book, fill, make_event
from tests.factories import make_user

# -- Booking -----------------------------------------------------------------------------


def test_booking_a_free_seat_confirms_it(app, sent):
    event = make_event(capacity=2)
    person = make_user()
    now = utcnow()

    booking = services.book_seat(event, person, now=now)
    db.session.commit()

    assert (booking.status, booking.user_id, booking.event_id) == (CONFIRMED, person.id, event.id)
    assert booking.confirmed_at == now and booking.waiting_since is None
    assert services.waitlist_position(booking) is None
    assert counts(event) == {CONFIRMED: 1}
    assert (event.seats_taken, event.seats_left) == (1, 1)
    assert [(name, b.id, kw) for name, b, kw in sent] == [
        ("event-booked", booking.id, {"how": "booked"})]


def test_a_full_event_puts_people_on_the_waitlist_in_order(app, sent):
    event = make_event(capacity=1)
    [seat] = fill(event)
    sent.clear()

    queue = [book(event) for _ in range(3)]

    assert statuses([seat, *queue]) == [CONFIRMED, WAITING, WAITING, WAITING]
    assert all(b.waiting_since is not None and b.offer_expires_at is None for b in queue)
    assert positions(queue) == [1, 2, 3]
    assert counts(event) == {CONFIRMED: 1, WAITING: 3}
    assert event.seats_left == 0
    assert [(name, kw) for name, _, kw in sent] == [
        ("event-waitlisted", {"position": 1}), ("event-waitlisted", {"position": 2}),
        ("event-waitlisted", {"position": 3})]
    assert [b.id for _, b, _ in sent] == [b.id for b in queue]


def test_booking_twice_is_refused_whatever_the_booking_holds(app, sent):
    event = make_event(capacity=2)
    confirmed, leaving, offered = fill(event, waiting=1)
    services.cancel_booking(leaving, leaving.user)  # frees a seat: offered to the one waiting
    full = make_event(capacity=1)
    fill(full)
    queued = book(full)
    assert statuses([confirmed, offered, queued]) == [CONFIRMED, OFFERED, WAITING]
    before = (counts(event), counts(full))
    sent.clear()

    refusals = [(event, confirmed, "You've already booked this event."),
                (event, offered, "A seat is already held for you"),
                (full, queued, "You're already on the waitlist")]
    for where, booking, message in refusals:
        with pytest.raises(Conflict, match=message):
            services.book_seat(where, booking.user)
    db.session.commit()

    assert (counts(event), counts(full)) == before
    assert statuses([confirmed, offered, queued]) == [CONFIRMED, OFFERED, WAITING]
    assert sent == []


def test_booking_again_after_cancelling_reuses_the_booking(app, sent):
    event = make_event(capacity=1)
    person = make_user()
    first = services.book_seat(event, person)
    services.cancel_booking(first, person)
    db.session.commit()
    assert counts(event) == {CANCELLED: 1}
    assert first.cancelled_at is not None

    again = services.book_seat(event, person)
    db.session.commit()

    assert again.id == first.id
    assert (again.status, again.cancelled_at, again.waiting_since) == (CONFIRMED, None, None)
    assert counts(event) == {CONFIRMED: 1}
    assert [kw.get("how") for _, _, kw in sent] == ["booked", "booked"]


def test_booking_again_after_cancelling_joins_the_back_of_the_queue(app):
    event = make_event(capacity=1)
    _, early, late = fill(event, waiting=2)
    services.cancel_booking(early, early.user)
    db.session.commit()
    assert positions([late]) == [1]

    again = services.book_seat(event, early.user)
    db.session.commit()

    assert again.id == early.id and again.status == WAITING
    assert positions([late, again]) == [1, 2]
    assert counts(event) == {CONFIRMED: 1, WAITING: 2}


def test_the_host_and_cohosts_cannot_book_their_own_event(app):
    host, cohost = make_user(), make_user()
    event = make_event(host, cohosts=[cohost])

    for person in (host, cohost):
        with pytest.raises(NotAllowed, match="hosting this event"):
            services.book_seat(event, person)
    assert counts(event) == {}


@pytest.mark.parametrize("change, message", [
    ({"status": CANCELLED}, "was cancelled"),
    ({"starts_in": timedelta(days=-2)}, "already started"),
    ({"starts_in": timedelta(minutes=-10), "duration_minutes": 60}, "already started"),
])
def test_a_cancelled_or_started_event_cannot_be_booked(app, change, message):
    event = make_event(**change)

    with pytest.raises(Conflict, match=message):
        services.book_seat(event, make_user())
    assert counts(event) == {}


def test_a_booking_made_at_a_given_moment_is_checked_against_that_moment(app):
    event = make_event(starts_in=timedelta(hours=1))
    with pytest.raises(Conflict, match="already started"):
        services.book_seat(event, make_user(), now=event.starts_at)
    assert services.book_seat(event, make_user(),
                              now=event.starts_at - timedelta(seconds=1)).status == CONFIRMED


@pytest.mark.parametrize("full", [False, True], ids=["seat", "waitlist"])
def test_a_booking_rolled_back_with_its_request_leaves_nothing_behind(app, full):
    """One commit per request: when something after the booking fails and the request rolls
    back, the seat (or the place in the queue) goes back too — on SQLite as well, where a
    savepoint opened first must not start (and on release commit) a transaction of its own."""
    event = make_event(capacity=1)
    if full:
        fill(event)
    before = counts(event)

    services.book_seat(event, make_user())
    db.session.rollback()

    assert counts(event) == before


# -- Cancelling ----------------------------------------------------------------------------


def test_nobody_can_cancel_someone_elses_booking(app):
    event = make_event(capacity=1)
    seat, waiting = fill(event, waiting=1)

    for booking in (seat, waiting):
        with pytest.raises(NotAllowed, match="your own booking"):
            services.cancel_booking(booking, event.host)
        with pytest.raises(NotAllowed):
            services.cancel_booking(booking, make_user())
    assert statuses([seat, waiting]) == [CONFIRMED, WAITING]
    assert counts(event) == {CONFIRMED: 1, WAITING: 1}


def test_cancelling_twice_is_a_conflict(app):
    event = make_event(capacity=1)
    booking = book(event)
    services.cancel_booking(booking, booking.user)
    db.session.commit()

    with pytest.raises(Conflict, match="already cancelled"):
        services.cancel_booking(booking, booking.user)
    assert counts(event) == {CANCELLED: 1}


def test_leaving_the_waitlist_moves_the_people_behind_up_and_offers_nothing(app, sent):
    event = make_event(capacity=1)
    seat, first, second, third = fill(event, waiting=3)
    sent.clear()

    services.cancel_booking(second, second.user)
    db.session.commit()

    assert statuses([seat, first, second, third]) == [CONFIRMED, WAITING, CANCELLED, WAITING]
    assert positions([first, third]) == [1, 2]
    assert counts(event) == {CONFIRMED: 1, WAITING: 2, CANCELLED: 1}
    assert sent == []


def test_a_cancelled_seat_is_offered_to_whoever_has_waited_longest(app, sent):
    event = make_event(capacity=2, starts_in=timedelta(days=5))
    first_seat, second_seat, w1, w2, w3 = fill(event, waiting=3)
    # Queue order is waiting_since, then id: w3 joined first; w1 and w2 at the same instant.
    t0 = utcnow() - timedelta(hours=1)
    for booking, since in ((w3, t0), (w1, t0 + timedelta(seconds=1)),
                           (w2, t0 + timedelta(seconds=1))):
        db.session.execute(update(Booking).where(Booking.id == booking.id)
                           .values(waiting_since=since))
    db.session.commit()
    assert positions([w3, w1, w2]) == [1, 2, 3]
    sent.clear()

    now = utcnow()
    services.cancel_booking(first_seat, first_seat.user, now=now)
    db.session.commit()

    assert statuses([first_seat, w3, w1, w2]) == [CANCELLED, OFFERED, WAITING, WAITING]
    assert (w3.offered_at, w3.offer_expires_at) == (now, now + timedelta(hours=24))
    assert positions([w1, w2]) == [1, 2]
    assert counts(event) == {CONFIRMED: 1, OFFERED: 1, WAITING: 2, CANCELLED: 1}
    assert names(sent) == [("seat-offered", w3.id)]

    services.cancel_booking(second_seat, second_seat.user)
    db.session.commit()
    assert statuses([w3, w1, w2]) == [OFFERED, OFFERED, WAITING]
    assert counts(event) == {OFFERED: 2, WAITING: 1, CANCELLED: 2}


def test_giving_up_an_offered_seat_offers_it_to_the_next_person(app, sent):
    event = make_event(capacity=1)
    seat, first, second = fill(event, waiting=2)
    services.cancel_booking(seat, seat.user)
    db.session.commit()
    sent.clear()

    services.cancel_booking(first, first.user)
    db.session.commit()

    assert statuses([first, second]) == [CANCELLED, OFFERED]
    assert counts(event) == {OFFERED: 1, CANCELLED: 2}
    assert names(sent) == [("seat-offered", second.id)]


def test_a_seat_freed_when_nobody_waits_is_simply_free_again(app, sent):
    event = make_event(capacity=2)
    first, second = fill(event)
    sent.clear()

    services.cancel_booking(first, first.user)
    db.session.commit()

    assert counts(event) == {CONFIRMED: 1, CANCELLED: 1}
    assert event.seats_left == 1
    assert sent == []
    assert book(event).status == CONFIRMED
