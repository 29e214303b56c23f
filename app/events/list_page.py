"""The events list's costly parts, cached per process until events change.

Like the marketplace (`app.offers.marketplace_page`): the filter form and each page of
results are rendered once per worker and kept under the "events" cache generation, which
every change to events (seats and waitlists included — they are counters on the event row),
their skills, skill names or hosts' names moves in the same transaction. Two things are
the viewer's own and stay out of the cached HTML:

- the time zone the days and times are shown in — part of the key;
- their booking badge on each card — the cached HTML holds a marker per event, filled in
  per request from one query for the page's events.

The list only shows events that haven't ended, so entries are also keyed by the minute: an
event drops off at most a minute after it ends.
"""

from __future__ import annotations

import re
import time

from flask import current_app, render_template, request
from markupsafe import Markup, escape

from app.core import generations
from app.core.cache import cached
from app.core.db import utcnow
from app.core.pagination import paginate
from app.events import queries
from app.events.models import BOOKING_STATUSES, KINDS

AREA = "events"

generations.watch(AREA, "events")
generations.watch(AREA, "event_skills")
generations.watch(AREA, "skills", columns=("name", "slug"))
generations.watch(AREA, "users", columns=("display_name", "handle"))

_MARKER = re.compile(r"<!--booking:(\d+)-->")


def _minute() -> int:
    return int(time.time() // 60)


def _zone_name(viewer) -> str:
    return queries.zone_of(viewer).key


def results_html(viewer, filters: queries.EventFilters) -> Markup:
    """The count, the day-grouped cards and the pager for this request's query string."""
    key = ("results", tuple(request.args.items(multi=True)), _zone_name(viewer), _minute())

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

    return cached(AREA, ("filters", filters, _minute()), render)
