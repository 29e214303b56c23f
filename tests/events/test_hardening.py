"""Edges people (or scripts) reach: absurd dates and ids, cancelling once an event has
started, and what a deactivated account leaves behind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.services import deactivate_user
from app.events import booking as seats
from app.events.models import CANCELLED, CONFIRMED, OFFERED, WAITING
from app.extensions import db
from tests.events.factories import book, fill, make_event
from tests.factories import make_admin, make_user


@pytest.fixture
def me(auth):
    user = make_user(timezone="Asia/Tokyo")
    auth.login(user)
    return user


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "from=1899-12-31",
                                   "to=0001-01-01&from=9999-12-31"])
def test_far_off_dates_in_the_list_filters_are_ignored(client, me, query):
    make_event(title="Next week workshop")
    response = client.get(f"/events/?{query}")
    assert response.status_code == 200
    assert "Next week workshop" in response.text


@pytest.mark.parametrize("path", ["/events/99999999999999999999999",
                                  "/events/2147483648", "/events/99999999999999999999.ics",
                                  "/events/new?proposal=999999999999999999999999",
                                  "/events/new?repeat_of=99999999999999999999",
                                  "/events/new?teach_back_of=-4"])
def test_absurd_ids_are_not_found(client, me, path):
    assert client.get(path).status_code == 404


def test_a_booking_cannot_be_cancelled_once_the_event_has_started(client, me):
    event = make_event(starts_in=timedelta(minutes=-5), duration_minutes=60)
    booking = seats.Booking(event_id=event.id, user_id=me.id, status=CONFIRMED)
    db.session.add(booking)
    event.seats_taken = 1
    db.session.commit()
    response = client.post(f"/events/{event.id}/booking/cancel", follow_redirects=True)
    assert "already started" in response.text
    db.session.refresh(booking)
    assert booking.status == CONFIRMED


def test_deactivating_someone_gives_their_seat_to_the_next_person(app):
    event = make_event(capacity=1, starts_in=timedelta(days=3))
    seat, waiting = fill(event, waiting=1)
    deactivate_user(make_admin(), seat.user)
    db.session.commit()
    db.session.refresh(seat)
    db.session.refresh(waiting)
    assert (seat.status, waiting.status) == (CANCELLED, OFFERED)
    assert (event.seats_taken, event.waiting_count) == (1, 0)


def test_the_waitlist_passes_over_deactivated_people(app):
    event = make_event(capacity=1, starts_in=timedelta(days=3))
    seat = book(event)
    gone, next_in_line = book(event), book(event)
    gone.user.active = False  # deactivated some other way, bookings left as they were
    db.session.commit()
    seats.cancel_booking(seat, seat.user)
    db.session.commit()
    for booking in (gone, next_in_line):
        db.session.refresh(booking)
    assert (gone.status, next_in_line.status) == (WAITING, OFFERED)


def test_moving_an_event_means_a_new_reminder(app):
    from app.core.db import utcnow
    from app.events.reminders import send_reminder_batch
    from app.events.services import update_event

    event = make_event(starts_in=timedelta(hours=10))
    booking = book(event)
    send_reminder_batch(utcnow())
    db.session.commit()
    db.session.refresh(booking)
    assert booking.reminded_at is not None
    update_event(event, event.host, starts_at=event.starts_at + timedelta(hours=2))
    db.session.commit()
    db.session.refresh(booking)
    assert booking.reminded_at is None
