"""One event's .ics download: a valid RFC 5545 calendar that calendar apps import, and that
updates the same entry in place after a change or a cancellation."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from app.core.db import utcnow
from app.events import ics
from app.events.models import CANCELLED, Event
from app.extensions import db
from tests.events.factories import book, make_event
from tests.factories import make_user
from tests.offers.factories import make_skill


def parse(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def only_event(calendar: Calendar):
    [component] = calendar.walk("VEVENT")
    return component


def make_workshop(**overrides) -> Event:
    host = make_user(display_name="Ada Lovelace", email="ada@example.com")
    return make_event(host, skills=[make_skill(name="Python"), make_skill(name="Testing")],
                      description_md="**Bring** a [laptop](https://example.com/kit).",
                      location="Room 4", online_url="https://meet.example.com/abc",
                      title="Testing with pytest", **overrides)


def test_the_download_is_a_calendar_with_every_detail_of_the_event(client, auth):
    event = make_workshop()
    attendee = make_user()
    book(event, attendee)
    auth.login(attendee)

    response = client.get(f"/events/{event.id}.ics")
    calendar = parse(response)
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="testing-with-pytest-{event.id}.ics"'
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == ics.PRODID
    assert calendar["METHOD"] == "PUBLISH"

    vevent = only_event(calendar)
    assert vevent["UID"] == event.uid
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTEND") == event.starts_at + timedelta(minutes=60)
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(0)
    assert vevent.decoded("DTSTAMP") <= utcnow()
    assert vevent["SUMMARY"] == "Testing with pytest"
    description = vevent["DESCRIPTION"]
    assert "Bring a laptop." in description and "**" not in description
    assert f"http://localhost/events/{event.id}" in description
    assert vevent["LOCATION"] == "Room 4 · https://meet.example.com/abc"
    assert vevent["URL"] == f"http://localhost/events/{event.id}"
    organizer = vevent["ORGANIZER"]
    assert organizer == f"http://localhost/people/{event.host.handle}"
    assert "ada@example.com" not in response.get_data(as_text=True)
    assert organizer.params["CN"] == "Ada Lovelace"
    assert int(vevent["SEQUENCE"]) == 0
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent.decoded("LAST-MODIFIED") == event.updated_at.replace(microsecond=0)
    assert [str(c) for c in vevent["CATEGORIES"].cats] == ["Python", "Testing"]


def test_the_uid_stays_and_the_sequence_rises_when_the_event_changes(client, auth):
    event = make_workshop()
    auth.login(event.host)
    before = only_event(parse(client.get(f"/events/{event.id}.ics")))

    event.starts_at += timedelta(hours=2)
    event.ends_at += timedelta(hours=2)
    event.location = "Room 9"
    event.sequence += 1
    db.session.commit()

    after = only_event(parse(client.get(f"/events/{event.id}.ics")))
    assert after["UID"] == before["UID"] == event.uid
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1 == 1
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(hours=2)
    assert after["LOCATION"].startswith("Room 9")


def test_a_cancelled_event_still_downloads_marked_cancelled(client, auth):
    event = make_workshop()
    attendee = make_user()
    book(event, attendee)
    event.status, event.cancelled_at = CANCELLED, utcnow()
    event.sequence += 1
    db.session.commit()
    auth.login(attendee)

    vevent = only_event(parse(client.get(f"/events/{event.id}.ics")))
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["UID"] == event.uid and int(vevent["SEQUENCE"]) == 1
    assert vevent["SUMMARY"] == "Cancelled: Testing with pytest"


def test_the_download_is_the_event_as_it_is_whoever_downloads_it(client, auth):
    event = make_workshop(capacity=1)
    book(event)
    auth.login(make_user())  # no seat: the event is full
    body = client.get(f"/events/{event.id}.ics").get_data()
    auth.logout()
    auth.login(event.host)
    assert _unstamped(client.get(f"/events/{event.id}.ics").get_data()) == _unstamped(body)
    vevent = only_event(Calendar.from_ical(body))
    assert vevent["SUMMARY"] == "Testing with pytest" and vevent["STATUS"] == "CONFIRMED"
    assert "Join online: https://meet.example.com/abc" in vevent["DESCRIPTION"]


def _unstamped(body: bytes) -> list[bytes]:
    """The calendar without DTSTAMP (the time of the download)."""
    return [line for line in body.split(b"\r\n") if not line.startswith(b"DTSTAMP:")]


def test_the_download_needs_a_login_and_a_real_event(client, auth):
    event = make_workshop()
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(make_user())
    assert client.get(f"/events/{event.id + 1000}.ics").status_code == 404


def test_typed_text_cannot_break_out_of_its_property(client, auth):
    title = 'Mocks, stubs; "fakes" \\ & <b>more</b>'
    description = "Line one\nEND:VEVENT\nBEGIN:VEVENT\nUID:evil\nSUMMARY:Injected"
    event = make_event(title=title, description_md=description, location="A, B; C")
    auth.login(event.host)
    response = client.get(f"/events/{event.id}.ics")
    vevent = only_event(parse(response))  # still exactly one event
    assert vevent["SUMMARY"] == title
    assert vevent["LOCATION"] == "A, B; C"
    assert vevent["UID"] == event.uid
    assert all(len(line) <= 75 for line in response.get_data().split(b"\r\n"))


def test_the_filename_is_plain_ascii_whatever_the_title(app):
    event = make_event(title='Café "intro" / 101: ünïcode')
    assert ics.filename(event) == f"cafe-intro-101-unicode-{event.id}.ics"
    event.title = "日本語だけ"
    assert ics.filename(event) == f"event-{event.id}.ics"
