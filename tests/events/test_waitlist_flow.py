"""The waitlist end to end at the service level: fill, cancel, offer, lapse, promote, and
capacity changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.core.errors import Invalid
from app.events import booking as services
from app.events.models import CONFIRMED, LAPSED, OFFERED, WAITING
from app.extensions import db
from tests.events.factories import fill, make_event


def statuses(bookings) -> list[str]:
    for booking in bookings:
        db.session.refresh(booking)
    return [b.status for b in bookings]


def test_a_freed_seat_is_offered_in_turn_and_lapses_to_the_next_person(app):
    event = make_event(capacity=2, starts_in=timedelta(days=3))
    bookings = fill(event, waiting=2)
    assert statuses(bookings) == [CONFIRMED, CONFIRMED, WAITING, WAITING]
    assert (event.seats_taken, event.waiting_count) == (2, 2)
    assert services.waitlist_position(bookings[3]) == 2

    services.cancel_booking(bookings[0], bookings[0].user)
    db.session.commit()
    assert statuses(bookings)[1:] == [CONFIRMED, OFFERED, WAITING]
    assert bookings[2].offer_expires_at is not None
    assert (event.seats_taken, event.waiting_count) == (2, 1)

    assert services.expire_offers(utcnow() + timedelta(hours=25)) == 1
    db.session.commit()
    assert statuses(bookings)[2:] == [LAPSED, OFFERED]
    assert services.waitlist_position(bookings[3]) is None

    services.claim_seat(bookings[3], bookings[3].user)
    db.session.commit()
    assert statuses(bookings)[3] == CONFIRMED


def test_seats_are_confirmed_directly_when_the_event_starts_within_the_claim_window(app):
    event = make_event(capacity=1, starts_in=timedelta(hours=5))
    first, second = fill(event, waiting=1)
    services.cancel_booking(first, first.user)
    db.session.commit()
    assert statuses([second]) == [CONFIRMED]


def test_raising_capacity_offers_seats_and_lowering_below_the_booked_is_refused(app):
    event = make_event(capacity=1, starts_in=timedelta(days=3))
    bookings = fill(event, waiting=2)
    services.change_capacity(event, 2)
    db.session.commit()
    assert statuses(bookings) == [CONFIRMED, OFFERED, WAITING]
    with pytest.raises(Invalid) as refused:
        services.change_capacity(event, 1)
    assert "2 people already hold a seat" in str(refused.value)
    db.session.rollback()
    assert event.capacity == 2
