"""The event page's shared part (when, where, skills, hosts, description) is rendered once
per worker and time zone and reused until what it shows changes; everything that is the
viewer's own — their booking, the seats left, the attendee list, the host's tools — is read
on every request."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from app.core import generations
from app.events import booking as seats
from app.events import followup, services
from app.events.detail_page import AREA
from app.events.models import Event
from app.extensions import db
from app.skills.services import rename_skill
from tests.events.factories import book, make_event
from tests.factories import DEFAULT_PASSWORD, make_admin, make_user
from tests.offers.factories import make_skill
from tests.support.queries import count_queries


def login(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 303
    return client


def page(client, event) -> str:
    event_id = event if isinstance(event, int) else event.id
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def article(body: str) -> str:
    """The event itself, CSRF tokens left out (they carry a timestamp)."""
    start = body.index('<article class="event-page">')
    return re.sub(r'name="csrf_token" value="[^"]*"', "",
                  body[start:body.index("</article>", start)])


def test_a_repeated_page_skips_host_skills_and_cohosts_and_a_change_shows_at_once(app):
    host = make_user(display_name="Hana Host")
    event = make_event(host, title="Intro to SQL", location="Room 1", capacity=3)
    client = login(app, make_user())
    first = page(client, event)
    assert "Room 1" in first and "Hana Host" in first
    # The person, the generations, the event, their booking, their unread count.
    assert count_queries(client, f"/events/{event.id}") <= 5

    event.location = "Atrium"
    event.description_md, event.description_html = "New plan", "<p>New plan</p>"
    db.session.commit()
    again = page(client, event)
    assert "Atrium" in again and "Room 1" not in again and "New plan" in again


def test_seats_and_bookings_are_read_on_every_view_without_moving_the_generation(app):
    event = make_event(title="Seats check", capacity=3)
    viewer, somebody = make_user(), make_user()
    client = login(app, viewer)
    assert "3 of 3 seats left" in page(client, event)
    before = generations.current(AREA)

    book(event, somebody)
    event_id = event.id
    db.session.remove()
    assert generations.current(AREA) == before  # seat counters are not part of the cache
    assert "2 of 3 seats left" in page(client, event_id)
    seats.book_seat(db.session.get(Event, event_id), db.session.merge(viewer))
    db.session.commit()
    body = page(client, event_id)
    assert "1 of 3 seats left" in body and "You're booked." in body


def test_renaming_a_skill_or_the_host_shows_on_the_cached_page(app):
    skill = make_skill("Postgres")
    host = make_user(display_name="Ada Lovelace", timezone="Europe/London")
    event = make_event(host, skills=[skill], timezone="Europe/London")
    client = login(app, make_user(timezone="Asia/Tokyo"))
    first = page(client, event)
    assert "Postgres" in first and "Ada Lovelace" in first and "the host's time" in first

    rename_skill(make_admin(), skill, "PostgreSQL")
    host.display_name = "Ada King"
    db.session.commit()
    body = page(client, event)
    assert "PostgreSQL" in body and "Ada King" in body and "Ada Lovelace" not in body

    host.timezone = "America/New_York"  # the event keeps its own zone: no longer the host's
    db.session.commit()
    assert "the event's time zone" in page(client, event)


def test_a_new_cohost_gets_the_hosts_tools_and_a_removed_one_loses_them(app):
    host = make_user()
    helper = make_user(handle="helper")
    event = make_event(host, title="Team teaching")
    helper_client = login(app, helper)
    assert ">Edit</a>" not in page(helper_client, event)

    services.update_event(event, host, cohosts=["helper"])
    db.session.commit()
    assert ">Edit</a>" in page(helper_client, event)

    services.update_event(db.session.get(Event, event.id), host, cohosts=[])
    db.session.commit()
    assert ">Edit</a>" not in page(helper_client, event)


def test_materials_are_read_only_for_events_that_have_some(app):
    host = make_user()
    event = make_event(host, starts_in=timedelta(days=-2))
    attendee = make_user()
    db.session.execute(update(Event).where(Event.id == event.id)
                       .values(starts_at=event.starts_at))  # a bulk write moves it too
    db.session.commit()
    client = login(app, attendee)
    page(client, event)
    without = count_queries(client, f"/events/{event.id}")

    followup.add_material(db.session.get(Event, event.id), host, "Slides",
                          "https://example.com/slides")
    db.session.commit()
    body = page(client, event)
    assert "Slides" in body
    assert count_queries(client, f"/events/{event.id}") == without + 1


def test_each_viewer_sees_times_in_their_own_zone_from_the_cache(app):
    event = make_event(title="Zones", timezone="UTC")
    tokyo, london = make_user(timezone="Asia/Tokyo"), make_user(timezone="Europe/London")
    tokyo_client, london_client = login(app, tokyo), login(app, london)
    tokyo_time = event.starts_at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    london_time = event.starts_at.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M")
    for _ in range(2):  # built, then served from the cache
        mine, theirs = page(tokyo_client, event), page(london_client, event)
        assert f"{tokyo_time}" in mine and "(Asia/Tokyo)" in mine
        assert "(Europe/London)" in theirs and "(Asia/Tokyo)" not in theirs
        assert london_time in theirs


def test_cancelling_shows_at_once_and_with_the_cache_off_the_page_is_the_same(app):
    host = make_user()
    event = make_event(host, title="Soon cancelled")
    client = login(app, make_user())
    page(client, event)  # the "welcome back" message goes with the first page
    cached = article(page(client, event))
    entries = app.config["PAGE_CACHE_ENTRIES"]
    app.config["PAGE_CACHE_ENTRIES"] = 0
    try:
        assert article(page(client, event)) == cached
    finally:
        app.config["PAGE_CACHE_ENTRIES"] = entries
    services.cancel_event(event, host)
    db.session.commit()
    assert "This event was cancelled" in page(client, event)


def test_a_change_committed_while_the_page_is_built_is_not_cached_as_new(app):
    """The view loads the event before it reads the generation: the shared part is built
    from the rows as they are after that read, never from what the request loaded first."""
    from sqlalchemy.orm import Session

    from app.events.detail_page import details_for

    event_id = make_event(title="Race", description_md="Old plan").id
    db.session.remove()
    with app.test_request_context():
        loaded = db.session.get(Event, event_id)
        assert "Old plan" in loaded.description_html
        with Session(db.engine) as other:  # another request commits meanwhile
            other.get(Event, event_id).description_html = "<p>New plan</p>"
            other.commit()
        details = details_for(loaded)
    assert "New plan" in details.facts_html and "Old plan" not in details.facts_html
