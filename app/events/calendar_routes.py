"""Calendars: one event's .ics download, the personal subscribable feed, and its settings.

- GET  /events/<id>.ics          one event (login, like every event page); a cancelled event
                                 still downloads, as cancelled, so calendars update;
- GET  /calendar/<token>.ics     the personal feed — no login: calendar apps can't log in, so
                                 the secret token is the credential (unknown token → 404);
- GET  /events/calendar          the feed's address (https and webcal://), what's in it, and
                                 a button to replace it;
- POST /events/calendar/regenerate  the first address, or a new one; the old address
                                 answers 404 from then on.

Nobody has a feed address they never asked for: the settings page offers a button to create
one (a GET never writes), and the same form replaces it later.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.events import bp, calendar_feeds, ics
from app.events.models import Event
from app.extensions import db

FEED_CACHE_CONTROL = "private, max-age=300"  # apps poll hourly (REFRESH-INTERVAL)


def _calendar_response(body: bytes, download_name: str | None = None) -> Response:
    response = Response(body, content_type=ics.CONTENT_TYPE)
    if download_name:
        response.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/events/<int:event_id>.ics")
@login_required
def event_ics(event_id: int):
    event = db.get_or_404(Event, event_id)
    body = ics.event_ics(event)
    response = _calendar_response(body, ics.filename(event))
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    owner = calendar_feeds.feed_owner(token)
    if owner is None:
        abort(404)
    body = ics.feed_ics(owner, calendar_feeds.feed_events(owner))
    response = _calendar_response(body)
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/events/calendar")
@login_required
def calendar_settings():
    feed = calendar_feeds.feed_of(current_user)
    feed_url = webcal_url = None
    if feed is not None:
        feed_url = url_for("events.calendar_feed", token=feed.token, _external=True)
        webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    return render_template("events/calendar_settings.html", feed=feed, feed_url=feed_url,
                           webcal_url=webcal_url, past_days=calendar_feeds.PAST_DAYS,
                           cancelled_days=calendar_feeds.CANCELLED_KEPT_DAYS,
                           max_events=calendar_feeds.MAX_EVENTS)


@bp.post("/events/calendar/regenerate")
@login_required
def regenerate_calendar():
    first = calendar_feeds.feed_of(current_user) is None
    calendar_feeds.regenerate_feed(current_user)
    db.session.commit()
    if first:
        flash("Your calendar address is ready: subscribe to it in your calendar app.",
              "success")
    else:
        flash("Your calendar address was replaced. Calendars subscribed to the old address "
              "stop updating: subscribe again with the new one below.", "success")
    return redirect(url_for("events.calendar_settings"), 303)
