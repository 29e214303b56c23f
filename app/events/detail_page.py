"""The event page's shared part, cached per process until the event changes.

Like the events list (`app.events.list_page`): what is the same for everyone in one time
zone — when, where, skills, hosts and description, rendered by `events/_event_facts.html` —
is built once per worker and kept under the "event-pages" cache generation, together with the
hosts' ids (for the permission checks) and whether the event has materials. Every change to
what that part shows moves the generation in the same transaction: the event's own shown
columns (not its seat counters: a booking does not throw the pages away), its skills,
co-hosts and materials, skill names, and the names, handles and time zones of people.

So a page view reads the event row, the viewer's booking and the rest that is theirs
(the booking panel, the attendee list, the host's tools), and skips the host, skills and
co-hosts — and the materials, when the event has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import exists, select

from app.core import generations
from app.core.cache import cached
from app.events import queries
from app.events.models import Event, EventMaterial
from app.extensions import db

AREA = "event-pages"

SHOWN_EVENT_COLUMNS = ("kind", "status", "title", "description_html", "starts_at",
                       "duration_minutes", "ends_at", "timezone", "location", "online_url",
                       "host_id", "repeat_of_id", "teach_back_of_id")

generations.watch(AREA, "events", columns=SHOWN_EVENT_COLUMNS)
generations.watch(AREA, "event_skills")
generations.watch(AREA, "event_cohosts")
generations.watch(AREA, "event_materials")
generations.watch(AREA, "skills", columns=("name", "slug"))
generations.watch(AREA, "users", columns=("display_name", "handle", "timezone"))


@dataclass(frozen=True)
class EventDetails:
    facts_html: Markup
    host_ids: frozenset[int]
    has_materials: bool


def _build(event_id: int) -> EventDetails:
    # Read again, after the generation: the request loaded the event (and the viewer, who
    # may be its host) before, and a change committed in between must not be cached under
    # the new generation.
    event = queries.event_for_page(event_id, fresh=True)
    has_materials = db.session.scalar(
        select(exists().where(EventMaterial.event_id == event_id)))
    html = render_template("events/_event_facts.html", event=event)
    return EventDetails(
        facts_html=Markup(html),  # noqa: S704 — an autoescaped template's output
        host_ids=frozenset({event.host_id, *(person.id for person in event.cohosts)}),
        has_materials=bool(has_materials))


def details_for(event: Event) -> EventDetails:
    """The shared part of `event`'s page in the current viewer's time zone (the one
    `event_when` shows); the event learns its hosts' ids from it, so the permission checks
    need no query of their own."""
    zone = getattr(current_user, "timezone", None) or "UTC"
    details = cached(AREA, ("details", event.id, zone), lambda: _build(event.id))
    event.known_host_ids = details.host_ids
    return details
