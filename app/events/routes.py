"""Event pages: the list, one event, hosting and editing, cancelling, booking, my events.

Thin: load → authorize → act → commit once → respond (303 after a POST). The booking panel's
buttons answer htmx with the panel alone (the message inside it) and plain forms with a
redirect and a flash.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.converters import is_id
from app.core.db import utcnow
from app.core.errors import Conflict, DomainError, Invalid
from app.core.forms import csrf_checked_by_form, show_invalid
from app.core.htmx import is_htmx_request
from app.core.pagination import paginate
from app.core.validators import has_control_characters, is_timezone, timezone_names
from app.events import bp, detail_page, list_page, queries, services
from app.events.booking import waitlist_position
from app.events.forms import EventForm, one_week_later, start_input_value
from app.events.models import (
    CONFIRMED,
    PROPOSAL_OPEN,
    TEACH_BACK,
    TITLE_MAX,
    WAITING,
    Event,
)
from app.events.permissions import (
    can_edit_event,
    can_manage_event,
    can_repeat_event,
    can_see_attendees,
)
from app.extensions import db
from app.skills.models import SKILL_NAME_MAX

# -- Template helpers -------------------------------------------------------------------------


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


@bp.app_template_filter("in_zone")
def in_zone(value: datetime | None, zone: str, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """A UTC datetime on the clock of `zone` (the viewer's own: the `local_time` filter)."""
    return value.astimezone(_zone(zone)).strftime(fmt) if value else ""


def _span(start: datetime, end: datetime, zone: ZoneInfo, with_date: bool) -> str:
    start, end = start.astimezone(zone), end.astimezone(zone)
    day = start.strftime("%a %-d %b %Y, ") if with_date else ""
    end_text = end.strftime("%H:%M" if end.date() == start.date() else "%a %-d %b, %H:%M")
    return f"{day}{start:%H:%M}–{end_text}"


@bp.app_template_global()
def event_when(event: Event) -> dict:
    """The event's time for the viewer — in their zone, and on the event's own clock when
    that differs: {"yours", "your_zone", "theirs", "their_zone", "whose"}."""
    mine = getattr(current_user, "timezone", None) or "UTC"
    your_zone, their_zone = _zone(mine), _zone(event.timezone)
    when = {"yours": _span(event.starts_at, event.ends_at, your_zone, True),
            "your_zone": mine, "theirs": None, "their_zone": event.timezone,
            "whose": "the host's time" if event.timezone == event.host.timezone
            else "the event's time zone"}
    if event.timezone != mine:
        other_day = (event.starts_at.astimezone(their_zone).date()
                     != event.starts_at.astimezone(your_zone).date())
        when["theirs"] = _span(event.starts_at, event.ends_at, their_zone, other_day)
    return when


def _per_page() -> int:
    return current_app.config.get("EVENTS_PER_PAGE", 20)


def load_event(event_id: int) -> Event:
    event = queries.event_for_page(event_id)
    if event is None:
        abort(404)
    return event


def _to_event(event: Event):
    return redirect(url_for("events.event", event_id=event.id), 303)


# -- Reading ----------------------------------------------------------------------------------


@bp.get("/events/")
@login_required
def index():
    filters = queries.EventFilters.from_args(request.args)
    results = list_page.results_html(current_user, filters)
    if is_htmx_request():
        return results
    return render_template("events/event_list.html", results=results,
                           filter_form=list_page.filter_form_html(filters))


def _panel(event: Event, *, notice: str | None = None, error: str | None = None) -> dict:
    booking = queries.own_booking(event, current_user)
    position = (waitlist_position(booking) if booking is not None and booking.status == WAITING
                else None)
    return {"event": event, "booking": booking, "position": position, "notice": notice,
            "error": error, "now": utcnow()}


@bp.get("/events/<int:event_id>")
@login_required
def event(event_id: int):
    from app.events.followup_queries import followup_context, materials_of

    event = db.session.get(Event, event_id) or abort(404)
    details = detail_page.details_for(event)
    context = _panel(event)
    page = max(1, min(request.args.get("attendees", 1, type=int) or 1, 1000))
    people, more = ([], False)
    if can_see_attendees(current_user, event, context["booking"]):
        people, more = queries.attendees(event, page)
    context.update(attendees=people, attendees_page=page, attendees_more=more,
                   details=details)
    followup = followup_context(event, current_user, booking=context["booking"],
                                materials=materials_of(event) if details.has_materials else [])
    return render_template("events/event_detail.html", **{**followup, **context})


@bp.get("/events/mine")
@login_required
def mine():
    group = request.args.get("group")
    if group in queries.MINE_GROUPS:
        groups = {group: paginate(queries.mine_select(current_user, group),
                                  queries.MINE_PER_PAGE)}
    else:
        group = None
        groups = {name: db.paginate(queries.mine_select(current_user, name), page=1,
                                    per_page=queries.MINE_PER_PAGE, error_out=False)
                  for name in queries.MINE_GROUPS}
    return render_template("events/event_mine.html", groups=groups, only=group,
                           labels=queries.MINE_GROUPS,
                           **queries.mine_extras(current_user, groups))


# -- Hosting and editing ------------------------------------------------------------------------


def _sources() -> dict:
    """What a new event starts from: ?repeat_of=, ?teach_back_of=, ?proposal= or ?skill=."""
    found = {"repeat_of": None, "teach_back_of": None, "proposal": None, "args": {}}
    for name in ("repeat_of", "teach_back_of", "proposal"):
        if name in request.args:
            found["args"][name] = request.args.get(name, type=int) or 0
            if not is_id(found["args"][name]):
                abort(404)
    if "repeat_of" in found["args"]:
        found["repeat_of"] = load_event(found["args"]["repeat_of"])
        if not can_repeat_event(current_user, found["repeat_of"]):
            abort(403)
    elif "teach_back_of" in found["args"]:
        found["teach_back_of"] = load_event(found["args"]["teach_back_of"])
    elif "proposal" in found["args"]:
        found["proposal"] = queries.proposal(found["args"]["proposal"]) or abort(404)
        if found["proposal"].status != PROPOSAL_OPEN:
            raise Conflict("This proposal was already scheduled or withdrawn.")
    skill = request.args.get("skill", "")[:SKILL_NAME_MAX].strip()
    if skill and not has_control_characters(skill) and not any(found.values()):
        found["args"]["skill"] = skill
    return found


def event_form_data(event: Event, *, with_start: bool) -> dict:
    data = {"kind": event.kind, "title": event.title,
            "skills": ", ".join(s.name for s in event.skills),
            "description": event.description_md, "duration_minutes": str(event.duration_minutes),
            "timezone": event.timezone, "location": event.location,
            "online_url": event.online_url, "capacity": str(event.capacity),
            "cohosts": ", ".join(u.handle for u in event.cohosts)}
    if with_start:
        data["starts_at"] = start_input_value(event.starts_at, event.timezone)
    return data


def _prefill(sources: dict) -> dict:
    zone = current_user.timezone if is_timezone(current_user.timezone) else "UTC"
    if (original := sources["repeat_of"]) is not None:
        return {**event_form_data(original, with_start=False),
                "starts_at": one_week_later(original.starts_at, original.timezone)}
    if (original := sources["teach_back_of"]) is not None:
        return {"kind": TEACH_BACK, "title": f"Teach-back: {original.title}"[:TITLE_MAX],
                "skills": ", ".join(s.name for s in original.skills), "timezone": zone}
    if (wish := sources["proposal"]) is not None:
        return {"skills": wish.skill.name, "description": wish.text, "timezone": zone}
    return {"skills": sources["args"].get("skill", ""), "timezone": zone}


def _render_form(form: EventForm, event: Event | None = None, sources: dict | None = None):
    action = (url_for("events.edit_event", event_id=event.id) if event is not None
              else url_for("events.new_event", **(sources or {}).get("args", {})))
    return render_template("events/event_form.html", form=form, event=event,
                           sources=sources or {}, action=action, timezones=timezone_names())


@bp.route("/events/new", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def new_event():
    sources = _sources()
    form = EventForm() if request.method == "POST" else EventForm(**_prefill(sources))
    form.is_new = True
    if form.validate_on_submit():
        try:
            event = services.schedule_event(
                current_user, repeat_of=sources["repeat_of"],
                teach_back_of=sources["teach_back_of"], proposal=sources["proposal"],
                **form.details())
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        except DomainError as err:
            db.session.rollback()
            flash(str(err), "error")
        else:
            db.session.commit()
            flash("Your event is scheduled. Share its page so colleagues can book a seat.",
                  "success")
            return _to_event(event)
    return _render_form(form, sources=sources)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@csrf_checked_by_form
@login_required
def edit_event(event_id: int):
    event = load_event(event_id)
    if not can_manage_event(current_user, event):
        abort(403)
    if not can_edit_event(current_user, event):
        flash("This event was cancelled, so it can't be changed." if event.is_cancelled
              else "This event has ended, so it can't be changed.", "error")
        return _to_event(event)
    form = (EventForm() if request.method == "POST"
            else EventForm(**event_form_data(event, with_start=True)))
    form.is_new = False
    if form.validate_on_submit():
        try:
            told = services.update_event(event, current_user, **form.details())
        except Invalid as err:
            db.session.rollback()
            show_invalid(form, err)
        except DomainError as err:
            db.session.rollback()
            flash(str(err), "error")
            return _to_event(event)
        else:
            db.session.commit()
            flash("Your changes are saved." + (
                f" Everyone booked or waiting hears about {' and '.join(told)}." if told
                else ""), "success")
            return _to_event(event)
    return _render_form(form, event)


@bp.post("/events/<int:event_id>/cancel")
@login_required
def cancel_event(event_id: int):
    event = load_event(event_id)
    if not can_manage_event(current_user, event):
        abort(403)
    try:
        told = services.cancel_event(event, current_user)
    except DomainError as err:
        db.session.rollback()
        flash(str(err), "error")
    else:
        db.session.commit()
        flash("The event is cancelled." + (
            f" We've told the {len(told)} {'person' if len(told) == 1 else 'people'} who "
            "were booked or waiting." if told else ""), "success")
    return _to_event(event)


# -- Booking ------------------------------------------------------------------------------------


def _booking_action(event_id: int, act):
    """Load the event, act as the viewer on their own booking (`act(event)` returns the
    message to show), commit once, then answer htmx with the panel or redirect."""
    event = load_event(event_id)
    try:
        message = act(event)
    except DomainError as err:
        db.session.rollback()
        if is_htmx_request():
            return render_template("events/_booking_panel.html",
                                   **_panel(event, error=str(err))), err.status_code
        flash(str(err), "error")
        return _to_event(event)
    db.session.commit()
    if is_htmx_request():
        return render_template("events/_booking_panel.html", **_panel(event, notice=message))
    flash(message, "success")
    return _to_event(event)


@bp.post("/events/<int:event_id>/book")
@login_required
def book(event_id: int):
    def act(event):
        booking = services.book(event, current_user)
        if booking.status == CONFIRMED:
            return "You're booked. See you there!"
        return (f"The event is full, so you're on the waitlist: number "
                f"{waitlist_position(booking)}. We'll tell you when a seat frees up.")

    return _booking_action(event_id, act)


@bp.post("/events/<int:event_id>/booking/cancel")
@login_required
def cancel_booking(event_id: int):
    def act(event):
        previous = queries.own_booking(event, current_user)
        was_waiting = previous is not None and previous.status == WAITING
        services.cancel_own_booking(event, current_user)
        return ("You've left the waitlist." if was_waiting
                else "Your booking is cancelled; the seat goes to the next person waiting.")

    return _booking_action(event_id, act)


@bp.post("/events/<int:event_id>/booking/claim")
@login_required
def claim_seat(event_id: int):
    def act(event):
        services.claim_own_seat(event, current_user)
        return "The seat is yours: you're booked. See you there!"

    return _booking_action(event_id, act)
