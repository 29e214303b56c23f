"""Reading events: the list (days, filters, htmx, pages), one event (times, attendees), my
events — each in a constant number of SQL statements."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.core.db import utcnow
from app.events import booking as seats
from app.events.models import LUNCH_AND_LEARN, TEACH_BACK, Booking, EventFeedback
from app.events.services import cancel_event
from app.extensions import db
from tests.conftest import HTMX
from tests.events.factories import book, fill, make_event
from tests.factories import make_user
from tests.offers.factories import make_skill
from tests.support.queries import count_queries

DAY = (utcnow() + timedelta(days=30)).replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
def me(auth):
    user = make_user(handle="me", timezone="Asia/Tokyo")
    auth.login(user)
    return user


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def titles(body: str) -> list[str]:
    return re.findall(r'<a href="/events/\d+">([^<]+)</a>', body)


# -- The list ---------------------------------------------------------------------------------


def test_upcoming_events_are_grouped_by_the_viewers_days(client, me):
    # 14:00 and 16:00 UTC on the same UTC day are 23:00 and 01:00 (next day) in Tokyo.
    make_event(title="Late in Tokyo", starts_at=DAY.replace(hour=14))
    make_event(title="Early in Tokyo", starts_at=DAY.replace(hour=16))
    make_event(title="Running now", starts_in=timedelta(minutes=-10), duration_minutes=60)
    make_event(title="Already over", starts_in=timedelta(days=-1))
    called_off = make_event(title="Called off")
    cancel_event(called_off, called_off.host)
    db.session.commit()
    body = text(client.get("/events/"))
    assert titles(body) == ["Running now", "Late in Tokyo", "Early in Tokyo"]
    tokyo = DAY + timedelta(hours=9)
    first, second = tokyo.strftime("%A %-d %B %Y"), (tokyo + timedelta(days=1)).strftime(
        "%A %-d %B %Y")
    assert body.index(first) < body.index("Late in Tokyo") < body.index(second) < body.index(
        "Early in Tokyo")
    assert "23:00</time>–00:00" in body and "01:00</time>–02:00" in body
    assert "3 upcoming events" in body


def test_filters_by_skill_kind_dates_and_free_seats(client, me):
    sql = make_skill("SQL")
    make_event(title="SQL workshop", skills=[sql, make_skill("Databases")],
               starts_at=DAY.replace(hour=3))
    full = make_event(title="Full lunch", kind=LUNCH_AND_LEARN, capacity=1,
                      starts_at=DAY.replace(hour=3) + timedelta(days=2))
    fill(full)
    make_event(title="Teach-back later", kind=TEACH_BACK, skills=[sql],
               starts_at=DAY.replace(hour=3) + timedelta(days=10))
    assert titles(text(client.get("/events/?skill=sql"))) == ["SQL workshop", "Teach-back later"]
    assert titles(text(client.get("/events/?kind=lunch_and_learn"))) == ["Full lunch"]
    assert titles(text(client.get("/events/?free=1"))) == ["SQL workshop", "Teach-back later"]
    day = (DAY + timedelta(hours=9)).date()  # the viewer's (Tokyo) day of the first event
    since = text(client.get(f"/events/?from={day + timedelta(days=1)}"))
    assert titles(since) == ["Full lunch", "Teach-back later"]
    until = text(client.get(f"/events/?from={day}&to={day + timedelta(days=2)}"))
    assert titles(until) == ["SQL workshop", "Full lunch"]
    both = text(client.get("/events/?skill=sql&kind=teach_back"))
    assert titles(both) == ["Teach-back later"]
    odd = text(client.get("/events/?kind=rave&from=someday&to=%00&skill=%00"))
    assert len(titles(odd)) == 3  # unknown values are dropped, not failed on


def test_the_filter_form_works_with_htmx_keeping_the_address(client, me):
    make_event(title="Only one here", skills=[make_skill("Go")])
    page = text(client.get("/events/"))
    assert 'hx-get="/events/"' in page and 'hx-push-url="true"' in page
    assert 'hx-target="#event-results"' in page and 'id="event-results"' in page
    assert '<option value="go">Go</option>' in page
    fragment = text(client.get("/events/?skill=go", headers=HTMX))
    assert "<html" not in fragment and "<form" not in fragment
    assert titles(fragment) == ["Only one here"]


def test_an_empty_list_invites_people_to_host(client, me):
    body = text(client.get("/events/"))
    assert "No upcoming events." in body and 'href="/events/new"' in body
    filtered = text(client.get("/events/?kind=workshop"))
    assert "match these filters" in filtered and "Show every event" in filtered


def test_the_list_is_paginated(client, me):
    for n in range(5):
        make_event(title=f"Event at {n} o'clock", starts_at=DAY.replace(hour=n))
    first = text(client.get("/events/?per_page=2"))
    assert titles(first) == ["Event at 0 o'clock", "Event at 1 o'clock"]
    assert "page=2" in first and "5 upcoming events" in first
    third = text(client.get("/events/?per_page=2&page=3"))
    assert titles(third) == ["Event at 4 o'clock"]


def test_my_bookings_are_marked_in_the_list(client, me):
    event = make_event(title="I booked this")
    book(event, me)
    assert "Booked" in text(client.get("/events/"))


# -- One event ----------------------------------------------------------------------------------


def test_the_time_shows_in_my_zone_with_the_hosts_noted(client, me):
    host = make_user(timezone="Europe/Paris")
    make_event(host, title="Summer lunch", timezone="Europe/Paris",
               starts_at=datetime(utcnow().year + 1, 7, 1, 10, 30, tzinfo=UTC))
    body = text(client.get("/events/1"))
    assert "19:30–20:30</time> in your time (Asia/Tokyo)" in body
    assert "12:30–13:30 Europe/Paris, the host's time" in body


def test_no_second_zone_when_it_is_mine(client, me):
    event = make_event(timezone="Asia/Tokyo")
    body = text(client.get(f"/events/{event.id}"))
    assert "in your time (Asia/Tokyo)" in body and "the host's time" not in body


def test_attendees_are_for_hosts_and_people_with_a_seat(client, auth):
    host, cohost = make_user(), make_user()
    event = make_event(host, capacity=2, cohosts=[cohost])
    attendee, other = (b.user for b in fill(event))
    waiting = fill(event, waiting=1)[-1].user
    stranger = make_user()
    for person, sees in ((host, True), (cohost, True), (attendee, True), (waiting, False),
                         (stranger, False)):
        auth.logout()
        auth.login(person)
        body = text(client.get(f"/events/{event.id}"))
        assert ("Who's coming" in body) is sees, person
        assert (other.display_name in body) is sees, person


def test_repeats_and_teach_backs_link_their_origin(client, me):
    original = make_event(title="The first run", starts_in=timedelta(days=-7))
    repeat = make_event(title="The second run", repeat_of_id=original.id)
    teach_back = make_event(title="Taught back", kind=TEACH_BACK, teach_back_of_id=original.id)
    assert f'href="/events/{original.id}">The first run' in text(
        client.get(f"/events/{repeat.id}"))
    body = text(client.get(f"/events/{teach_back.id}"))
    assert "Teach-back of" in body and "The first run" in body


# -- My events ---------------------------------------------------------------------------------


def test_my_events_in_their_groups(client, me):
    make_event(me, title="I host this")
    make_event(title="I co-host this", cohosts=[me])
    book(make_event(title="I booked this"), me)
    full = make_event(title="I wait for this", capacity=1)
    fill(full, waiting=1)
    book(full, me)
    offered = make_event(title="Offered to me", capacity=1, starts_in=timedelta(days=5))
    (seat,) = fill(offered)
    book(offered, me)
    seats.cancel_booking(seat, seat.user)
    past = make_event(title="I went to this", starts_in=timedelta(days=-3))
    rated = make_event(title="I rated this", starts_in=timedelta(days=-4))
    for event in (past, rated):
        db.session.execute(db.metadata.tables["bookings"].insert().values(
            event_id=event.id, user_id=me.id, status="confirmed", created_at=utcnow()))
    db.session.add(EventFeedback(event_id=rated.id, user_id=me.id, rating=5))
    db.session.commit()
    body = text(client.get("/events/mine"))
    order = ["Seats offered to you", "Offered to me", "You're hosting", "I host this",
             "I co-host this", "You're booked", "I booked this", "On the waitlist",
             "I wait for this", "Past events you attended", "I went to this", "I rated this"]
    positions = [body.index(words) for words in order]
    assert positions == sorted(positions)
    assert "You're number 2 on the waitlist." in body
    assert "claim it before" in body
    assert f'href="/events/{past.id}#feedback">Give feedback' in body
    assert "Thanks for your feedback." in body


def test_a_group_pages_on_its_own(client, me):
    for n in range(3):
        book(make_event(title=f"Booked number {n}", starts_in=timedelta(days=n + 1)), me)
    body = text(client.get("/events/mine?group=booked&per_page=2"))
    assert titles(body) == ["Booked number 0", "Booked number 1"]
    assert "Next" in body and "Past events you attended" not in body
    assert titles(text(client.get("/events/mine?group=booked&per_page=2&page=2"))) == [
        "Booked number 2"]


# -- Constant queries ---------------------------------------------------------------------------


def _busy_event(host=None, capacity: int = 4):
    event = make_event(host, capacity=capacity,
                       skills=[make_skill(), make_skill(), make_skill()],
                       cohosts=[make_user(), make_user()])
    fill(event, waiting=2)
    return event


def test_the_list_runs_a_constant_number_of_queries(client, me):
    book(make_event(), me)
    few = count_queries(client, "/events/")
    for _ in range(6):
        _busy_event()
    book(_busy_event(), me)
    assert count_queries(client, "/events/") == few


def test_the_event_page_runs_a_constant_number_of_queries(client, me):
    small = make_event(me, capacity=2)
    book(small)
    big = _busy_event(me)
    for _ in range(20):
        seats.change_capacity(big, big.capacity + 1)
        book(big, commit=False)
    db.session.commit()
    assert count_queries(client, f"/events/{big.id}") == count_queries(
        client, f"/events/{small.id}")


def test_an_attendees_page_runs_a_constant_number_of_queries(client, auth):
    me = make_user()
    small, big = make_event(capacity=3), make_event(capacity=60, cohosts=[make_user()])
    book(small, me)
    book(big, me)
    fill(big, waiting=3)
    auth.login(me)
    assert count_queries(client, f"/events/{big.id}") == count_queries(
        client, f"/events/{small.id}")
    assert "Next →" in client.get(f"/events/{big.id}").text


def _one_of_each(me) -> None:
    """An event I host, one I booked, one I wait for, one offered to me, one I attended."""
    make_event(me, skills=[make_skill(), make_skill()])
    book(make_event(skills=[make_skill(), make_skill()]), me)
    book(_busy_event(), me)
    offered = _busy_event()
    book(offered, me)
    first = db.session.scalar(db.select(Booking).where(Booking.event_id == offered.id,
                                                       Booking.status == "confirmed"))
    seats.cancel_booking(first, first.user)
    past = make_event(starts_in=timedelta(days=-2))
    db.session.add(Booking(event_id=past.id, user_id=me.id, status="confirmed"))
    db.session.add(EventFeedback(event_id=past.id, user_id=me.id, rating=4))
    db.session.commit()


def test_my_events_run_a_constant_number_of_queries(client, me):
    _one_of_each(me)
    few = count_queries(client, "/events/mine")
    for _ in range(3):
        _one_of_each(me)
    assert count_queries(client, "/events/mine") == few
