"""The events list is rendered once per worker and reused until events change; what is the
viewer's own (their time zone, their booking badges) never leaks to someone else."""

from __future__ import annotations

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

from app.core import generations
from app.events import booking as seats
from app.events.list_page import AREA
from app.extensions import db
from tests.events.factories import book, make_event
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.queries import count_queries


def body(client, path: str = "/events/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def login(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    return client


def test_a_repeated_list_comes_from_the_cache_and_a_change_shows_at_once(app, auth, client):
    auth.login(make_user())
    event = make_event(title="Intro to SQL", capacity=3)
    assert "3 of 3 seats left" in body(client)
    cached = count_queries(client, "/events/")
    assert cached <= 4  # the person, their unread count, the generations, their bookings

    book(event)  # the seat counter moves the generation in the same transaction
    assert "2 of 3 seats left" in body(client)
    event.title = "Intro to SQL, part two"
    db.session.commit()
    assert "Intro to SQL, part two" in body(client)


def test_booking_badges_and_time_zones_are_each_viewers_own(app):
    event = make_event(title="Shared list", starts_in=timedelta(days=5))
    tokyo = make_user(timezone="Asia/Tokyo")
    london = make_user(timezone="Europe/London")
    seats.book_seat(event, tokyo)
    db.session.commit()
    tokyo_client, london_client = login(app, tokyo), login(app, london)

    mine = body(tokyo_client)
    theirs = body(london_client)
    assert "Booked" in mine and "Booked" not in theirs
    tokyo_time = event.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    london_time = event.starts_at.astimezone(ZoneInfo("Europe/London"))
    assert tokyo_time.strftime("%H:%M") in mine
    assert london_time.strftime("%H:%M") in theirs
    # Served again from the cache: still each their own.
    assert "Booked" in body(tokyo_client) and "Booked" not in body(london_client)


def test_the_htmx_fragment_is_the_list_on_the_full_page(app, auth, client):
    auth.login(make_user())
    make_event(title="Fragment check")
    fragment = client.get("/events/", headers={"HX-Request": "true"}).get_data(as_text=True)
    page = client.get("/events/").get_data(as_text=True)
    assert "<html" not in fragment and fragment.strip() in page
    assert "<!--booking:" not in page


def test_a_change_elsewhere_moves_the_events_generation(app):
    event = make_event()
    before = generations.current(AREA)
    seats.book_seat(event, make_user())
    db.session.commit()
    db.session.remove()
    assert generations.current(AREA) != before


def test_an_event_that_ends_drops_off_the_cached_list_without_any_write(app, auth, client,
                                                                       monkeypatch):
    from app.events import list_page

    auth.login(make_user())
    ending = make_event(title="Almost over", starts_in=-timedelta(minutes=59),
                        duration_minutes=60)
    make_event(title="Later on", starts_in=timedelta(days=2))
    body(client)  # the "welcome back" message goes with the first page
    first = body(client)
    assert "Almost over" in first and "Later on" in first
    assert count_queries(client, "/events/") <= 4  # from the cache

    later = ending.ends_at + timedelta(minutes=1)  # gone within a minute of its end
    monkeypatch.setattr(list_page, "utcnow", lambda: later)
    after = body(client)
    assert "Almost over" not in after and "Later on" in after
