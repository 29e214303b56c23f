"""The booking services one rule at a time, part two: offers and their expiry, claims,
the claim window, capacity changes, and a longer story — with the signals each step sends
and the counters checked after every step (see test_booking.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.events import booking as services
from app.events import services as event_services
from app.events.models import (
    CANCELLED,
    CONFIRMED,
    LAPSED,
    OFFERED,
    WAITING,
    Booking,
    Event,
)
from app.extensions import db
from tests.events.booking_support import counts, names, positions, statuses
from tests.events.factories import book, fill, make_event
from tests.factories import make_user

# -- Offers: expiry and claims ---------------------------------------------------------------


def _offer_to_first_of(event: Event, waiting: int, now=None) -> list[Booking]:
    """Fill `event` (capacity 1), queue `waiting` people, then cancel the seat so the first
    of them is offered it. Returns [seat, *queue]."""
    bookings = fill(event, waiting=waiting)
    services.cancel_booking(bookings[0], bookings[0].user, now=now)
    db.session.commit()
    return bookings


def test_an_unclaimed_offer_lapses_and_the_seat_goes_to_the_next_person(app, sent):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    now = utcnow()
    _, first, second, third = _offer_to_first_of(event, 3, now=now)
    assert statuses([first, second]) == [OFFERED, WAITING]
    sent.clear()

    assert services.expire_offers(now + timedelta(hours=23)) == 0  # not yet
    assert statuses([first]) == [OFFERED]

    later = now + timedelta(hours=24)
    assert services.expire_offers(later) == 1
    db.session.commit()

    assert statuses([first, second, third]) == [LAPSED, OFFERED, WAITING]
    assert first.cancelled_at == later
    assert second.offer_expires_at == later + timedelta(hours=24)
    assert positions([first, second, third]) == [None, None, 1]
    assert counts(event) == {CANCELLED: 1, LAPSED: 1, OFFERED: 1, WAITING: 1}
    assert names(sent) == [("seat-offer-expired", first.id), ("seat-offered", second.id)]

    assert services.expire_offers(later) == 0  # running it again changes nothing
    assert counts(event) == {CANCELLED: 1, LAPSED: 1, OFFERED: 1, WAITING: 1}


def test_a_lapsed_offer_with_nobody_waiting_frees_the_seat(app):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    _, only = _offer_to_first_of(event, 1)

    assert services.expire_offers(utcnow() + timedelta(hours=25)) == 1
    db.session.commit()

    assert statuses([only]) == [LAPSED]
    assert counts(event) == {CANCELLED: 1, LAPSED: 1}
    assert event.seats_left == 1


def test_an_offer_lapsing_after_the_event_started_offers_the_seat_to_nobody(app):
    event = make_event(capacity=1, starts_in=timedelta(hours=30))
    _, first, second = _offer_to_first_of(event, 2)

    assert services.expire_offers(event.starts_at + timedelta(minutes=5)) == 1
    db.session.commit()

    assert statuses([first, second]) == [LAPSED, WAITING]
    assert counts(event) == {CANCELLED: 1, LAPSED: 1, WAITING: 1}


def test_expire_offers_lapses_only_the_stale_offers_of_every_event(app):
    soon = make_event(capacity=1, starts_in=timedelta(days=3))
    later = make_event(capacity=1, starts_in=timedelta(days=3))
    now = utcnow()
    _, stale = _offer_to_first_of(soon, 1, now=now - timedelta(hours=2))
    _, fresh = _offer_to_first_of(later, 1, now=now)

    assert services.expire_offers(now + timedelta(hours=23)) == 1
    db.session.commit()

    assert statuses([stale, fresh]) == [LAPSED, OFFERED]
    counts(soon), counts(later)


def test_claiming_an_offered_seat_confirms_it(app, sent):
    event = make_event(capacity=1)
    _, first, second = _offer_to_first_of(event, 2)
    sent.clear()
    now = utcnow()

    claimed = services.claim_seat(first, first.user, now=now)
    db.session.commit()

    assert claimed.id == first.id
    assert (first.status, first.confirmed_at) == (CONFIRMED, now)
    assert counts(event) == {CANCELLED: 1, CONFIRMED: 1, WAITING: 1}
    assert [(name, kw) for name, _, kw in sent] == [("event-booked", {"how": "claimed"})]
    assert services.expire_offers(now + timedelta(days=2)) == 0  # a claimed seat stays

    with pytest.raises(Conflict, match="already claimed"):
        services.claim_seat(first, first.user)


def test_only_the_person_offered_the_seat_can_claim_it(app):
    event = make_event(capacity=1)
    _, first, second = _offer_to_first_of(event, 2)

    for other in (second.user, event.host, make_user()):
        with pytest.raises(NotAllowed, match="Only the person a seat is offered to"):
            services.claim_seat(first, other)
    with pytest.raises(Conflict, match="no seat offered to you"):
        services.claim_seat(second, second.user)  # still waiting
    assert statuses([first, second]) == [OFFERED, WAITING]
    assert counts(event) == {CANCELLED: 1, OFFERED: 1, WAITING: 1}


def test_claiming_after_the_offer_expired_is_refused_and_says_so(app):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    now = utcnow()
    _, first, second = _offer_to_first_of(event, 2, now=now)

    with pytest.raises(Conflict) as refused:
        services.claim_seat(first, first.user, now=now + timedelta(hours=24))
    assert "offer expired" in str(refused.value)
    assert statuses([first]) == [OFFERED]  # the next expiry run lapses it
    assert counts(event) == {CANCELLED: 1, OFFERED: 1, WAITING: 1}


def test_claiming_an_offer_that_already_lapsed_is_refused_and_says_it_expired(app):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    now = utcnow()
    _, first, second = _offer_to_first_of(event, 2, now=now)
    services.expire_offers(now + timedelta(hours=25))
    db.session.commit()
    assert statuses([first, second]) == [LAPSED, OFFERED]

    with pytest.raises(Conflict):
        services.claim_seat(first, first.user)
    # What the person sees comes from the page's service, which knows why.
    with pytest.raises(Conflict, match="this offer expired"):
        event_services.claim_own_seat(event, first.user)
    assert statuses([first, second]) == [LAPSED, OFFERED]
    assert counts(event) == {CANCELLED: 1, LAPSED: 1, OFFERED: 1}


def test_a_lapsed_person_can_join_the_waitlist_again_at_the_back(app):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    now = utcnow()
    _, first, second, third = _offer_to_first_of(event, 3, now=now)
    services.expire_offers(now + timedelta(hours=25))
    db.session.commit()

    again = services.book_seat(event, first.user)
    db.session.commit()

    assert again.id == first.id
    assert (again.status, again.offered_at, again.offer_expires_at) == (WAITING, None, None)
    assert positions([third, again]) == [1, 2]
    assert counts(event) == {CANCELLED: 1, OFFERED: 1, WAITING: 2}


# -- The claim window ------------------------------------------------------------------------


def test_a_seat_is_confirmed_directly_when_the_event_starts_within_the_claim_window(app, sent):
    event = make_event(capacity=1, starts_in=timedelta(hours=5))
    seat, first, second = fill(event, waiting=2)
    sent.clear()

    services.cancel_booking(seat, seat.user)
    db.session.commit()

    assert statuses([first, second]) == [CONFIRMED, WAITING]
    assert first.offer_expires_at is None and first.confirmed_at is not None
    assert counts(event) == {CANCELLED: 1, CONFIRMED: 1, WAITING: 1}
    assert [(name, b.id, kw) for name, b, kw in sent] == [
        ("event-booked", first.id, {"how": "promoted"})]


@pytest.mark.parametrize("hours, starts_in, direct", [
    (2, timedelta(hours=5), False),   # a shorter window: a 5-hour-away event still offers
    (48, timedelta(hours=30), True),  # a longer one: a 30-hour-away event confirms at once
    (24, timedelta(hours=30), False),
])
def test_the_claim_window_setting_is_honoured(app, hours, starts_in, direct):
    app.config["EVENT_CLAIM_WINDOW_HOURS"] = hours
    event = make_event(capacity=1, starts_in=starts_in)
    now = utcnow()

    _, first = _offer_to_first_of(event, 1, now=now)

    assert services.claim_window() == timedelta(hours=hours)
    if direct:
        assert (first.status, first.offer_expires_at) == (CONFIRMED, None)
    else:
        assert (first.status, first.offer_expires_at) == (OFFERED, now + timedelta(hours=hours))
    counts(event)


def test_the_claim_window_defaults_to_24_hours(app):
    app.config.pop("EVENT_CLAIM_WINDOW_HOURS", None)
    assert services.claim_window() == timedelta(hours=24)


# -- Capacity --------------------------------------------------------------------------------


def test_raising_the_capacity_offers_the_new_seats_to_several_people_in_turn(app, sent):
    event = make_event(capacity=2, starts_in=timedelta(days=4))
    bookings = fill(event, waiting=4)
    sent.clear()

    services.change_capacity(event, 5)
    db.session.commit()

    assert event.capacity == 5
    assert statuses(bookings) == [CONFIRMED, CONFIRMED, OFFERED, OFFERED, OFFERED, WAITING]
    assert positions(bookings[5:]) == [1]
    assert counts(event) == {CONFIRMED: 2, OFFERED: 3, WAITING: 1}
    assert names(sent) == [("seat-offered", b.id) for b in bookings[2:5]]


def test_raising_the_capacity_close_to_the_start_confirms_the_waiting_directly(app, sent):
    event = make_event(capacity=1, starts_in=timedelta(hours=3))
    bookings = fill(event, waiting=2)
    sent.clear()

    services.change_capacity(event, 4)
    db.session.commit()

    assert statuses(bookings) == [CONFIRMED] * 3
    assert counts(event) == {CONFIRMED: 3}
    assert event.seats_left == 1
    assert [kw for _, _, kw in sent] == [{"how": "promoted"}] * 2


def test_the_capacity_cannot_go_below_the_seats_held(app):
    event = make_event(capacity=3, starts_in=timedelta(days=4))
    first, *_, last = _offer_to_first_of(event, 2)
    # Three people hold a seat — two confirmed, one offered — and one is waiting.
    assert counts(event) == {CANCELLED: 1, CONFIRMED: 2, OFFERED: 1, WAITING: 1}

    with pytest.raises(Invalid) as refused:
        services.change_capacity(event, 2)
    assert refused.value.field == "capacity"
    assert "3 people already hold a seat" in refused.value.message
    db.session.rollback()
    assert event.capacity == 3
    assert counts(event) == {CANCELLED: 1, CONFIRMED: 2, OFFERED: 1, WAITING: 1}

    services.change_capacity(event, 3)  # exactly the seats held is fine
    db.session.commit()
    assert event.capacity == 3
    assert statuses([last]) == [WAITING]


def test_lowering_the_capacity_to_the_seats_held_keeps_everyone(app):
    event = make_event(capacity=5)
    bookings = fill(event)
    for booking in bookings[3:]:
        services.cancel_booking(booking, booking.user)
    db.session.commit()

    services.change_capacity(event, 3)
    db.session.commit()

    assert event.capacity == 3 and event.seats_left == 0
    assert statuses(bookings[:3]) == [CONFIRMED] * 3
    assert counts(event) == {CONFIRMED: 3, CANCELLED: 2}
    assert book(event).status == WAITING


# -- A longer story ----------------------------------------------------------------------------


def test_the_counters_agree_with_the_bookings_through_a_busy_week(app):
    event = make_event(capacity=3, starts_in=timedelta(days=6))
    now = utcnow()
    people = [make_user() for _ in range(8)]
    b = [services.book_seat(event, p, now=now + timedelta(minutes=i))
         for i, p in enumerate(people)]
    counts(event)
    steps = [
        lambda: services.cancel_booking(b[1], people[1], now=now + timedelta(hours=1)),
        lambda: services.cancel_booking(b[5], people[5], now=now + timedelta(hours=2)),
        lambda: services.claim_seat(b[3], people[3], now=now + timedelta(hours=3)),
        lambda: services.change_capacity(event, 4, now=now + timedelta(hours=4)),
        lambda: services.expire_offers(now + timedelta(hours=30)),
        lambda: services.book_seat(event, people[1], now=now + timedelta(hours=31)),
        lambda: services.cancel_booking(b[0], people[0], now=now + timedelta(hours=32)),
        lambda: services.expire_offers(now + timedelta(hours=60)),
        lambda: services.change_capacity(event, 6, now=now + timedelta(hours=61)),
        lambda: services.cancel_booking(b[2], people[2], now=now + timedelta(hours=62)),
    ]
    for step in steps:
        step()
        db.session.commit()
        counts(event)
    assert statuses(b) == [CANCELLED, OFFERED, CANCELLED, CONFIRMED, LAPSED, CANCELLED,
                           LAPSED, LAPSED]
    assert counts(event) == {CONFIRMED: 1, OFFERED: 1, CANCELLED: 3, LAPSED: 3}
    assert (event.capacity, event.seats_left) == (6, 4)
