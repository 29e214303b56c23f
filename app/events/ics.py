"""iCalendar (RFC 5545) for events: one event's .ics download, and a person's feed.

Built with the `icalendar` library, which escapes text, folds long lines and writes CRLFs.
Times are written in UTC (`…Z`), which every calendar app shows in its own time zone. Each
event keeps its `uid` for life and carries its `sequence`, so a calendar that already has it
updates it in place after a change, and shows it as cancelled (STATUS:CANCELLED) once the host
cancels it. Building needs a request context: links are absolute (`url_for(..., _external)`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import url_for
from icalendar import Calendar, vCalAddress, vDuration, vText
from icalendar import Event as VEvent

from app.accounts.models import User
from app.core.db import utcnow
from app.core.markdown import to_plain_text
from app.events.calendar_feeds import FeedEntry
from app.events.models import OFFERED, WAITING, Event

PRODID = "-//Skillswap//Skillswap events//EN"
REFRESH = timedelta(hours=1)
CONTENT_TYPE = "text/calendar; charset=utf-8"

# How the feed marks places that aren't a seat yet.
MARKS = {WAITING: "[Waitlist] ", OFFERED: "[Seat offered] "}


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def _in_zone(value: datetime, zone: str) -> str:
    try:
        local = value.astimezone(ZoneInfo(zone or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        local, zone = value, "UTC"
    return f"{local.strftime('%-d %b %Y, %H:%M')} ({zone or 'UTC'})"


def _organizer(host: User) -> vCalAddress:
    """The host by name, addressed by their profile page: email addresses are private on
    Skillswap (RFC 5545 allows any URI as a calendar address)."""
    organizer = vCalAddress(url_for("accounts.profile", handle=host.handle, _external=True))
    organizer.params["cn"] = vText(host.display_name)
    return organizer


def _location(event: Event) -> str:
    parts = [event.location.strip()] if event.location and event.location.strip() else []
    if event.online_url:
        parts.append(event.online_url)
    return " · ".join(parts)


def _description(event: Event, page_url: str, notes: list[str]) -> str:
    lines = list(notes)
    text = to_plain_text(event.description_md)
    if text:
        lines.append(text)
    if event.online_url:
        lines.append(f"Join online: {event.online_url}")
    lines.append(f"Details: {page_url}")
    return "\n\n".join(lines)


def vevent(event: Event, *, now: datetime, role: str | None = None,
           offer_expires_at: datetime | None = None, zone: str = "UTC") -> VEvent:
    """One VEVENT. `role` is the reader's relation to it (HOST, COHOST or a booking status;
    None for a plain download): a waiting place or a held seat is marked in the summary and
    TENTATIVE."""
    page_url = url_for("events.event", event_id=event.id, _external=True)
    notes: list[str] = []
    if event.is_cancelled:
        notes.append("This event was cancelled.")
        summary, status = f"Cancelled: {event.title}", "CANCELLED"
    elif role in MARKS:
        summary, status = MARKS[role] + event.title, "TENTATIVE"
        if role == WAITING:
            notes.append("You're on the waitlist. If a seat frees up you'll be told, "
                         "and this entry will change.")
        else:
            until = f" until {_in_zone(offer_expires_at, zone)}" if offer_expires_at else ""
            notes.append(f"A seat is held for you{until}: claim it on the event's page.")
    else:
        summary, status = event.title, "CONFIRMED"

    component = VEvent()
    component.add("uid", event.uid)
    component.add("dtstamp", now)
    component.add("dtstart", event.starts_at)
    component.add("dtend", event.ends_at)
    component.add("summary", summary)
    component.add("description", _description(event, page_url, notes))
    location = _location(event)
    if location:
        component.add("location", location)
    component.add("url", page_url)
    component.add("organizer", _organizer(event.host))
    component.add("sequence", event.sequence)
    component.add("status", status)
    component.add("transp", "OPAQUE" if status == "CONFIRMED" else "TRANSPARENT")
    component.add("created", event.created_at)
    component.add("last-modified", event.updated_at)
    if event.skills:
        component.add("categories", [skill.name for skill in event.skills])
    return component


def event_ics(event: Event, now: datetime | None = None) -> bytes:
    """The calendar for one event's download: a VCALENDAR with one VEVENT, the event as it
    is (whatever the downloader's booking), so a later download updates the same entry."""
    calendar = _calendar()
    calendar.add_component(vevent(event, now=now or utcnow()))
    return calendar.to_ical()


def feed_ics(user: User, entries: Iterable[FeedEntry], now: datetime | None = None) -> bytes:
    """A person's subscribable calendar, named after them, refreshed hourly."""
    now = now or utcnow()
    calendar = _calendar()
    calendar.add("x-wr-calname", f"Skillswap — {user.display_name}")
    calendar.add("name", f"Skillswap — {user.display_name}")
    calendar.add("x-wr-caldesc", "Events you host, have booked or are waiting for.")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for entry in entries:
        calendar.add_component(vevent(entry.event, now=now, role=entry.role,
                                      offer_expires_at=entry.offer_expires_at,
                                      zone=user.timezone))
    return calendar.to_ical()


def filename(event: Event) -> str:
    """An ASCII filename for the download, from the title: "python-for-testers-12.ics"."""
    ascii_title = unicodedata.normalize("NFKD", event.title).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_title)
    slug = "-".join(words.split())[:60].strip("-")
    return f"{slug or 'event'}-{event.id}.ics"
