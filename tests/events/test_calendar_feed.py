"""The personal calendar feed: what a subscribed calendar app sees at /calendar/<token>.ics,
the settings page that shows the address, and replacing a leaked address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.core.db import utcnow
from app.events import booking as booking_services
from app.events import calendar_feeds
from app.events.models import (
    CALENDAR_TOKEN_LENGTH,
    CANCELLED,
    CONFIRMED,
    Booking,
    CalendarFeed,
)
from app.extensions import db
from tests.core.test_security import assert_strict_headers, inline_code, login_with_token
from tests.events.factories import book, fill, make_event
from tests.factories import make_user
from tests.support.queries import recorded_statements


def feed_url(user) -> str:
    feed = calendar_feeds.get_or_create_feed(user)
    db.session.commit()
    return f"/calendar/{feed.token}.ics"


def fetch(client, path: str) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def by_uid(calendar: Calendar) -> dict:
    return {str(vevent["UID"]): vevent for vevent in calendar.walk("VEVENT")}


def cancel_event(event, when=None):
    """What the host's cancellation does to the rows (done directly here)."""
    when = when or utcnow()
    event.status, event.cancelled_at = CANCELLED, when
    event.sequence += 1
    for row in db.session.scalars(select(Booking).where(Booking.event_id == event.id)):
        if row.is_active:
            row.status, row.cancelled_at = CANCELLED, when
    event.seats_taken = event.waiting_count = 0
    db.session.commit()


@pytest.fixture
def person(app):
    return make_user(display_name="Grace Hopper")


def test_the_feed_has_what_the_person_hosts_books_and_waits_for(client, person):
    hosted = make_event(person, title="My own workshop")
    cohosted = make_event(title="Helping out", cohosts=[person])
    booked = make_event(title="Booked one", online_url="https://meet.example.com/booked")
    book(booked, person)
    full = make_event(title="Full one", capacity=1, online_url="https://meet.example.com/full")
    fill(full)
    book(full, person)  # the waitlist
    offered = make_event(title="Offered one", capacity=1, starts_in=timedelta(days=5))
    [taker] = fill(offered)
    book(offered, person)
    booking_services.cancel_booking(taker, taker.user)  # the seat is offered to the person
    db.session.commit()
    others = make_event(title="Someone else's")
    book(others, make_user())
    left = make_event(title="I cancelled mine")
    booking_services.cancel_booking(book(left, person), person)
    db.session.commit()

    response = client.get(feed_url(person))  # no login: calendar apps can't log in
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    calendar = Calendar.from_ical(response.get_data())
    assert calendar["X-WR-CALNAME"] == "Skillswap — Grace Hopper"
    assert calendar["METHOD"] == "PUBLISH" and calendar["VERSION"] == "2.0"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.get_data()
    assert b"X-PUBLISHED-TTL:PT1H" in response.get_data()

    vevents = by_uid(calendar)
    assert set(vevents) == {hosted.uid, cohosted.uid, booked.uid, full.uid, offered.uid}
    assert vevents[hosted.uid]["SUMMARY"] == "My own workshop"
    assert vevents[booked.uid]["STATUS"] == "CONFIRMED"
    assert vevents[full.uid]["SUMMARY"] == "[Waitlist] Full one"
    assert vevents[full.uid]["STATUS"] == "TENTATIVE"
    assert vevents[offered.uid]["SUMMARY"] == "[Seat offered] Offered one"
    assert vevents[offered.uid]["STATUS"] == "TENTATIVE"
    assert "claim it" in vevents[offered.uid]["DESCRIPTION"]
    assert vevents[booked.uid]["LOCATION"] == "Room 1 · https://meet.example.com/booked"
    for event in (hosted, booked, full):
        vevent = vevents[event.uid]
        assert vevent["URL"] == f"http://localhost/events/{event.id}"
        assert vevent["ORGANIZER"] == f"http://localhost/people/{event.host.handle}"
        assert vevent["ORGANIZER"].params["CN"] == event.host.display_name
        assert int(vevent["SEQUENCE"]) == event.sequence


def test_changes_reach_the_feed_under_the_same_uid_and_cancellations_show(client, person):
    event = make_event(title="Moving target")
    book(event, person)
    url = feed_url(person)
    before = by_uid(fetch(client, url))[event.uid]

    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    event.sequence += 1
    db.session.commit()
    moved = by_uid(fetch(client, url))[event.uid]
    assert int(moved["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert moved.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(days=1)

    cancel_event(event)
    gone = by_uid(fetch(client, url))[event.uid]
    assert gone["STATUS"] == "CANCELLED"
    assert int(gone["SEQUENCE"]) == int(moved["SEQUENCE"]) + 1


def test_old_and_long_cancelled_events_drop_out(app, person):
    now = utcnow()
    recent_past = make_event(title="Last month", starts_in=-timedelta(days=30))
    ancient = make_event(title="Last year", starts_in=-timedelta(days=120))
    for event in (recent_past, ancient):
        event.seats_taken = 1
        db.session.add(_confirmed(event, person, now - timedelta(days=200)))
    cancelled_long_ago = make_event(person, title="Called off long ago",
                                    starts_in=timedelta(days=3))
    cancel_event(cancelled_long_ago, now - timedelta(days=40))
    cancelled_lately = make_event(person, title="Called off lately",
                                  starts_in=timedelta(days=3))
    cancel_event(cancelled_lately, now - timedelta(days=2))
    booked_then_cancelled = make_event(title="Host cancelled it")
    book(booked_then_cancelled, person)
    cancel_event(booked_then_cancelled)
    never_got_in = make_event(title="Waited in vain", capacity=1, starts_in=timedelta(days=1))
    fill(never_got_in)
    book(never_got_in, person)
    never_got_in.starts_at = now - timedelta(hours=3)
    never_got_in.ends_at = now - timedelta(hours=2)
    db.session.commit()
    left_then_cancelled = make_event(title="I left before it was cancelled")
    booking_services.cancel_booking(book(left_then_cancelled, person), person)
    db.session.commit()
    cancel_event(left_then_cancelled, now + timedelta(hours=1))

    entries = {e.event.title: e.role for e in calendar_feeds.feed_events(person, now)}
    assert entries == {"Last month": CONFIRMED, "Called off lately": calendar_feeds.HOST,
                       "Host cancelled it": CANCELLED}


def _confirmed(event, user, when):
    return Booking(event=event, user=user, status=CONFIRMED, created_at=when, confirmed_at=when)


def test_the_feed_is_nearest_first_and_bounded(app, person):
    now = utcnow()
    far = make_event(person, title="Far ahead", starts_in=timedelta(days=60))
    soon = make_event(person, title="Soon", starts_in=timedelta(days=1))
    past = make_event(person, title="Yesterday", starts_in=-timedelta(days=1))
    older = make_event(person, title="Last week", starts_in=-timedelta(days=7))
    titles = [e.event.title for e in calendar_feeds.feed_events(person, now)]
    assert titles == [soon.title, far.title, past.title, older.title]
    limited = [e.event.title for e in calendar_feeds.feed_events(person, now, limit=3)]
    assert limited == [soon.title, far.title, past.title]


def test_the_feed_runs_a_constant_number_of_queries(client, person):
    url = feed_url(person)
    make_event(person)

    def queries() -> int:
        with recorded_statements() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = queries()
    for n in range(6):
        event = make_event(cohosts=[person] if n % 2 else [])
        if not n % 2:
            book(event, person)
    assert queries() == few


def test_an_unknown_or_malformed_token_is_not_found(client, person):
    feed_url(person)
    assert client.get("/calendar/" + "x" * CALENDAR_TOKEN_LENGTH + ".ics").status_code == 404
    assert client.get("/calendar/short.ics").status_code == 404
    assert client.get("/calendar/.ics").status_code == 404


def test_a_deactivated_persons_feed_stops_working(client, person):
    url = feed_url(person)
    person.active = False
    db.session.commit()
    assert client.get(url).status_code == 404


def test_the_settings_page_creates_the_feed_on_request_and_shows_both_addresses(
        client, auth, person):
    auth.login(person)
    first = client.get("/events/calendar")
    assert first.status_code == 200
    assert db.session.get(CalendarFeed, person.id) is None  # a GET never writes
    assert "Create my calendar address" in first.get_data(as_text=True)
    created = client.post("/events/calendar/regenerate")
    assert created.status_code == 303
    response = client.get("/events/calendar")
    assert "Your calendar address is ready" in response.get_data(as_text=True)
    feed = db.session.get(CalendarFeed, person.id)
    assert feed is not None and len(feed.token) == CALENDAR_TOKEN_LENGTH
    page = response.get_data(as_text=True)
    assert f"http://localhost/calendar/{feed.token}.ics" in page
    assert f'href="webcal://localhost/calendar/{feed.token}.ics"' in page
    assert 'action="/events/calendar/regenerate"' in page

    again = client.get("/events/calendar").get_data(as_text=True)
    assert f"/calendar/{feed.token}.ics" in again
    assert db.session.scalars(select(CalendarFeed)).all() == [feed]


def test_the_settings_page_needs_a_login(client):
    response = client.get("/events/calendar")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/events/calendar/regenerate").status_code == 302


def test_regenerating_replaces_the_address_and_the_old_one_stops_working(client, auth, person):
    make_event(person, title="Still mine")
    old_url = feed_url(person)
    assert client.get(old_url).status_code == 200
    auth.login(person)

    response = client.post("/events/calendar/regenerate")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/events/calendar")
    page = client.get("/events/calendar").get_data(as_text=True)
    assert "Your calendar address was replaced" in page

    new_token = db.session.get(CalendarFeed, person.id).token
    assert f"/calendar/{new_token}.ics" != old_url
    assert client.get(old_url).status_code == 404
    assert [str(v["SUMMARY"]) for v in fetch(client, f"/calendar/{new_token}.ics")
            .walk("VEVENT")] == ["Still mine"]


def test_regenerating_needs_the_csrf_token_and_the_page_is_strict(app, client, person):
    app.config["WTF_CSRF_ENABLED"] = True
    url = feed_url(person)
    token = login_with_token(client, person)
    page = client.get("/events/calendar")
    assert_strict_headers(page)
    assert inline_code(page.get_data(as_text=True)) == []
    assert "no-store" in page.headers["Cache-Control"]

    assert client.post("/events/calendar/regenerate").status_code == 400
    assert client.get(url).status_code == 200  # unchanged
    assert client.post("/events/calendar/regenerate",
                       data={"csrf_token": token}).status_code == 303
    assert client.get(url).status_code == 404


def test_two_first_visits_at_once_make_one_feed(app, person, monkeypatch):
    with db.engine.begin() as other_request:  # won the race, between our look and our insert
        other_request.execute(CalendarFeed.__table__.insert().values(
            user_id=person.id, token="t" * CALENDAR_TOKEN_LENGTH, created_at=utcnow()))
    monkeypatch.setattr(db.session, "get", lambda *args, **kwargs: None)
    feed = calendar_feeds.get_or_create_feed(person)
    monkeypatch.undo()
    db.session.commit()
    assert feed.token == "t" * CALENDAR_TOKEN_LENGTH
    assert len(db.session.scalars(select(CalendarFeed)).all()) == 1
