"""The booking panel through HTTP: book, join the waitlist, leave, cancel and claim — as
plain forms (303 and a flash) and with htmx (the panel alone, the message inside it)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.events import booking as seats
from app.events.models import CANCELLED, CONFIRMED, OFFERED, WAITING, Booking
from app.extensions import db
from tests.conftest import HTMX
from tests.events.factories import book, fill, make_event
from tests.factories import make_user


@pytest.fixture
def me(auth):
    user = make_user(handle="me", timezone="Asia/Tokyo")
    auth.login(user)
    return user


def _mine(event, user) -> Booking | None:
    db.session.expire_all()
    return db.session.query(Booking).filter_by(event_id=event.id, user_id=user.id).first()


def panel_only(response) -> str:
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith("<section id=\"booking-panel\"")
    return html.unescape(body)


def page_text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_book_with_a_plain_form_redirects_with_a_message(client, me):
    event = make_event(capacity=3)
    response = client.post(f"/events/{event.id}/book")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    page = page_text(client.get(f"/events/{event.id}"))
    assert "You're booked. See you there!" in page
    assert "2 of 3 seats left" in page and "Cancel booking" in page
    assert _mine(event, me).status == CONFIRMED


def test_book_with_htmx_answers_with_the_panel(client, me):
    event = make_event(capacity=3)
    page = page_text(client.get(f"/events/{event.id}"))
    assert f'hx-post="/events/{event.id}/book"' in page
    assert 'hx-target="#booking-panel" hx-swap="outerHTML"' in page
    body = panel_only(client.post(f"/events/{event.id}/book", headers=HTMX))
    assert "You're booked. See you there!" in body
    assert "2 of 3 seats left" in body
    assert f'hx-post="/events/{event.id}/booking/cancel"' in body


def test_a_full_event_puts_me_on_the_waitlist_with_my_place(client, me):
    event = make_event(capacity=1)
    fill(event, waiting=1)
    page = page_text(client.get(f"/events/{event.id}"))
    assert "Join waitlist" in page and "1 on the waitlist" in page
    body = panel_only(client.post(f"/events/{event.id}/book", headers=HTMX))
    assert "you're on the waitlist: number 2" in body
    assert "You're number 2 on the waitlist." in body and "Leave waitlist" in body
    body = panel_only(client.post(f"/events/{event.id}/booking/cancel", headers=HTMX))
    assert "You've left the waitlist." in body and "Join waitlist" in body
    assert _mine(event, me).status == CANCELLED


def test_booking_twice_is_a_message_not_an_error(client, me):
    event = make_event()
    book(event, me)
    response = client.post(f"/events/{event.id}/book", headers=HTMX)
    assert response.status_code == 409
    assert "You've already booked this event." in panel_only(response)
    plain = page_text(client.post(f"/events/{event.id}/book", follow_redirects=True))
    assert "already booked" in plain


@pytest.mark.parametrize(("setup", "message"), [
    ("cancelled", "This event was cancelled, so it can't be booked."),
    ("past", "already started"),
    ("hosting", "You're hosting this event"),
])
def test_events_that_cannot_be_booked_say_why(client, me, setup, message):
    event = make_event(me if setup == "hosting" else None,
                       starts_in=timedelta(days=-1) if setup == "past" else timedelta(days=3))
    if setup == "cancelled":
        from app.events.services import cancel_event

        cancel_event(event, event.host)
        db.session.commit()
    response = client.post(f"/events/{event.id}/book", headers=HTMX)
    assert response.status_code in (403, 409)
    assert message in panel_only(response)
    assert _mine(event, me) is None
    page = page_text(client.post(f"/events/{event.id}/book", follow_redirects=True))
    assert message in page


def test_the_panel_says_cancelled_or_ended(client, me):
    ended = make_event(starts_in=timedelta(days=-2))
    book_row = Booking(event_id=ended.id, user_id=me.id, status=CONFIRMED,
                       confirmed_at=utcnow())
    db.session.add(book_row)
    db.session.commit()
    page = page_text(client.get(f"/events/{ended.id}"))
    assert "This event has ended." in page and 'href="#feedback"' in page
    assert "Book a seat" not in page and "Cancel booking" not in page
    cancelled = make_event(capacity=2)
    book(cancelled, me)
    from app.events.services import cancel_event

    cancel_event(cancelled, cancelled.host)
    db.session.commit()
    page = page_text(client.get(f"/events/{cancelled.id}"))
    assert "This event was cancelled." in page and "Your booking was cancelled with it." in page
    assert "Book a seat" not in page and "Join waitlist" not in page


def test_cancelling_only_ever_touches_my_own_booking(client, me):
    event = make_event(capacity=1)
    (theirs,) = fill(event)
    response = client.post(f"/events/{event.id}/booking/cancel", headers=HTMX)
    assert response.status_code == 409
    assert "You don't have a booking" in panel_only(response)
    db.session.refresh(theirs)
    assert theirs.status == CONFIRMED


def test_cancelling_my_seat_offers_it_to_the_next_person(client, me):
    event = make_event(capacity=1, starts_in=timedelta(days=4))
    book(event, me)
    (waiting,) = fill(event, waiting=1)
    response = page_text(client.post(f"/events/{event.id}/booking/cancel",
                                     follow_redirects=True))
    assert "Your booking is cancelled" in response
    db.session.refresh(waiting)
    assert waiting.status == OFFERED


def test_claim_a_seat_offered_to_me_before_it_expires(client, me):
    event = make_event(capacity=1, starts_in=timedelta(days=4))
    (first,) = fill(event)
    book(event, me)
    seats.cancel_booking(first, first.user)
    db.session.commit()
    mine = _mine(event, me)
    assert mine.status == OFFERED
    page = page_text(client.get(f"/events/{event.id}"))
    assert "A seat freed up and is held for you" in page and "Claim your seat" in page
    # Shown in my own time zone (Tokyo).
    from zoneinfo import ZoneInfo
    expiry = mine.offer_expires_at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    assert expiry in page
    body = panel_only(client.post(f"/events/{event.id}/booking/claim", headers=HTMX))
    assert "The seat is yours" in body and "You're booked." in body
    assert _mine(event, me).status == CONFIRMED


def test_claiming_an_expired_offer_explains_it(client, me):
    event = make_event(capacity=1, starts_in=timedelta(days=4))
    (first,) = fill(event)
    book(event, me)
    seats.cancel_booking(first, first.user)
    seats.expire_offers(utcnow() + timedelta(days=2))
    db.session.commit()
    response = client.post(f"/events/{event.id}/booking/claim", headers=HTMX)
    assert response.status_code == 409
    assert "this offer expired" in panel_only(response)
    plain = page_text(client.post(f"/events/{event.id}/booking/claim", follow_redirects=True))
    assert "this offer expired" in plain and "Book a seat" in plain  # the seat is free again


def test_claiming_with_nothing_offered_explains_it(client, me):
    event = make_event()
    response = page_text(client.post(f"/events/{event.id}/booking/claim",
                                     follow_redirects=True))
    assert "There's no seat offered to you" in response
    book(event, me)
    assert "already claimed" in client.post(f"/events/{event.id}/booking/claim",
                                            headers=HTMX).text


def test_booking_needs_a_post(client, me):
    event = make_event()
    assert client.get(f"/events/{event.id}/book").status_code == 405
    assert _mine(event, me) is None


def test_waiting_people_see_their_place_on_the_event_page(client, me):
    event = make_event(capacity=1)
    fill(event, waiting=2)
    book(event, me)
    assert _mine(event, me).status == WAITING
    page = page_text(client.get(f"/events/{event.id}"))
    assert "You're number 3 on the waitlist." in page
