"""After the event: marking attendance, sharing materials, giving feedback.

Thin: load → authorize → act → commit once → respond. A plain form gets a 303 back to the
event page with a message; an htmx request gets the `events/_followup.html` fragment. A form
with mistakes comes back — on the event page, or as the fragment — with the messages next to
its fields and what the person typed.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.core.errors import DomainError, Invalid, NotAllowed
from app.core.forms import csrf_checked_by_form, show_invalid
from app.core.htmx import is_htmx_request
from app.events import bp, followup
from app.events.followup_forms import AttendanceForm, FeedbackForm, MaterialForm
from app.events.followup_queries import followup_context
from app.events.models import Event, EventMaterial
from app.events.permissions import is_event_host
from app.extensions import db

for _name in ("can_mark_attendance", "can_add_material", "can_delete_material",
              "may_host_teach_back"):
    bp.add_app_template_global(getattr(followup, _name), _name)


def _event_url(event: Event, anchor: str | None = None) -> str:
    return url_for("events.event", event_id=event.id, _anchor=anchor)


def _done(event: Event, message: str, anchor: str):
    """After a change: the fresh fragment for htmx, else back to the event page."""
    flash(message, "success")
    if is_htmx_request():
        return _fragment(event)
    return redirect(_event_url(event, anchor), 303)


def _fragment(event: Event, status: int = 200):
    html = render_template("events/_followup.html", event=event, followup_fragment=True,
                           **followup_context(event, current_user))
    return make_response(html, status)


def _with_mistakes(event: Event, status: int = 400, **forms):
    """The event page (or, for htmx, the fragment) again, showing `forms` as submitted."""
    g.followup_forms = forms
    if is_htmx_request():
        return _fragment(event, status)
    view = current_app.view_functions["events.event"]
    response = make_response(view(event_id=event.id))
    response.status_code = status
    return response


def _refused(event: Event, err: DomainError, anchor: str):
    """A refusal that isn't about a field: permission problems stay errors; the others are
    a message on the event page."""
    db.session.rollback()
    if isinstance(err, NotAllowed):
        raise err
    flash(str(err), "error")
    if is_htmx_request():
        return _fragment(event, err.status_code)
    return redirect(_event_url(event, anchor), 303)


# -- Attendance ------------------------------------------------------------------------------


@bp.post("/events/<int:event_id>/attendance")
@csrf_checked_by_form
@login_required
def mark_attendance(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not is_event_host(current_user, event):
        abort(403)
    try:
        followup.require_attendance_open(event, current_user)
    except DomainError as err:
        return _refused(event, err, "attendance")
    form = AttendanceForm()
    if not form.validate():
        return _with_mistakes(event, attendance=form)
    try:
        count = followup.check_in(event, form.attendees.data or [], current_user)
    except Invalid as err:
        db.session.rollback()
        show_invalid(form, err)
        return _with_mistakes(event, status=409, attendance=form)
    except DomainError as err:
        return _refused(event, err, "attendance")
    db.session.commit()
    people = "person" if count == 1 else "people"
    return _done(event, f"Attendance saved: {count} {people} checked in.", "attendance")


# -- Materials -------------------------------------------------------------------------------


@bp.post("/events/<int:event_id>/materials")
@csrf_checked_by_form
@login_required
def add_material(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not is_event_host(current_user, event):
        abort(403)
    try:
        followup.require_materials_open(event, current_user)
    except DomainError as err:
        return _refused(event, err, "materials")
    form = MaterialForm()
    if not form.validate():
        return _with_mistakes(event, material=form)
    try:
        followup.add_material(event, current_user, form.title.data, form.url.data,
                              form.notes.data)
    except Invalid as err:
        db.session.rollback()
        show_invalid(form, err)
        return _with_mistakes(event, material=form)
    except DomainError as err:
        return _refused(event, err, "materials")
    db.session.commit()
    return _done(event, "Material added.", "materials")


@bp.post("/events/<int:event_id>/materials/<int:material_id>/delete")
@login_required
def delete_material(event_id: int, material_id: int):
    material = db.get_or_404(EventMaterial, material_id)
    if material.event_id != event_id:
        abort(404)
    event = material.event
    if not followup.can_delete_material(current_user, material):
        abort(403)
    followup.delete_material(material, current_user)
    db.session.commit()
    return _done(event, "Material deleted.", "materials")


# -- Feedback --------------------------------------------------------------------------------


@bp.post("/events/<int:event_id>/feedback")
@csrf_checked_by_form
@login_required
def give_feedback(event_id: int):
    event = db.get_or_404(Event, event_id)
    try:
        followup.require_may_rate(event, current_user)
    except DomainError as err:
        return _refused(event, err, "feedback")
    form = FeedbackForm()
    if not form.validate():
        return _with_mistakes(event, feedback=form)
    try:
        followup.give_feedback(event, current_user, form.rating.data, form.comment.data)
    except Invalid as err:
        db.session.rollback()
        show_invalid(form, err)
        return _with_mistakes(event, feedback=form)
    except DomainError as err:
        return _refused(event, err, "feedback")
    db.session.commit()
    return _done(event, "Thank you for your feedback.", "feedback")
