"""The events list's costly parts, cached per process until events change.

Like the marketplace (`app.offers.marketplace_page`): the filter form and each page of
results are rendered once per worker and kept under the "events" cache generation, which
every change to events (seats and waitlists included — they are counters on the event row),
their skills, skill names or hosts' names moves in the same transaction. Two things are
the viewer's own and stay out of the cached HTML:

- the time zone the days and times are shown in — part of the key;
- their booking badge on each card — the cached HTML holds a marker per event, filled in
  per request from one query for the page's events.

The list only shows events that haven't ended, so entries are also keyed by the moment the
next listed event ends (an indexed lookup, made once a minute per worker): until then
nothing drops off the list, and within a minute of it every entry is built afresh, the ended
event gone.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import current_app, g, render_template, request
from markupsafe import Markup, escape
from sqlalchemy import bindparam, func, select

from app.core import generations
from app.core.cache import cached
from app.core.db import utcnow
from app.core.pagination import paginate
from app.events import queries
from app.events.models import BOOKING_STATUSES, KINDS, SCHEDULED, Event
from app.extensions import db

AREA = "events"

generations.watch(AREA, "events")
generations.watch(AREA, "event_skills")
generations.watch(AREA, "skills", columns=("name", "slug"))
generations.watch(AREA, "users", columns=("display_name", "handle"))

_MARKER = re.compile(r"<!--booking:(\d+)-->")


_NEXT_END = (select(func.min(Event.ends_at))
             .where(Event.status == SCHEDULED, Event.ends_at > bindparam("now")))


def _next_end() -> datetime | None:
    """When the next scheduled event ends: read once a minute per worker (and again when
    events change), so an ended event leaves the list within a minute."""
    if "events_next_end" not in g:
        now = utcnow()
        g.events_next_end = cached(AREA, ("next-end", int(now.timestamp() // 60)),
                                   lambda: db.session.scalar(_NEXT_END, {"now": now}))
    return g.events_next_end


def _zone_name(viewer) -> str:
    return queries.zone_of(viewer).key


def results_html(viewer, filters: queries.EventFilters) -> Markup:
    """The count, the day-grouped cards and the pager for this request's query string."""
    key = ("results", tuple(request.args.items(multi=True)), _zone_name(viewer), _next_end())

    def render() -> tuple[str, list[int]]:
        page = paginate(queries.upcoming_select(filters, viewer, utcnow()),
                        current_app.config.get("EVENTS_PER_PAGE", 20))
        html = render_template("events/_event_results.html", filters=filters, page=page,
                               days=queries.by_day(page.items, viewer), mine=None)
        return html, [event.id for event in page.items]

    html, event_ids = cached(AREA, key, render)
    mine = queries.bookings_by_event(viewer, event_ids)

    def badge(match: re.Match) -> str:
        booking = mine.get(int(match.group(1)))
        if booking is None or not booking.is_active:
            return ""
        return f'<span class="badge badge-status">{escape(BOOKING_STATUSES[booking.status])}</span>'

    return Markup(_MARKER.sub(badge, html))  # noqa: S704 — autoescaped output + escaped labels


def filter_form_html(filters: queries.EventFilters) -> Markup:
    def render() -> Markup:
        html = render_template("events/_event_filters.html", filters=filters, kinds=KINDS,
                               skills=queries.skill_choices(utcnow()))
        return Markup(html)  # noqa: S704 — an autoescaped template's output

    return cached(AREA, ("filters", filters, _next_end()), render)
