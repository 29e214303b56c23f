"""What an event page shows around and after the event: materials, attendance (hosts),
feedback, and the invitation to host a teach-back.

`followup_context(event, viewer)` returns `{"followup": FollowupView}` for the page to pass to
`events/_followup.html`, in a fixed handful of queries. A form submitted with mistakes is put
in `g.followup_forms` by `app.events.followup_routes`, so the page shows it again with the
messages next to its fields and what the person typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import g, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.core.db import utcnow
from app.events import followup, queries
from app.events.followup_forms import AttendanceForm, FeedbackForm, MaterialForm
from app.events.models import (
    CANCELLED,
    CONFIRMED,
    FEEDBACK_MIN_FOR_HOSTS,
    Booking,
    Event,
    EventFeedback,
    EventMaterial,
)
from app.events.permissions import is_event_host
from app.extensions import db

ANONYMITY_NOTE = (f"Feedback appears once {FEEDBACK_MIN_FOR_HOSTS} people have rated, to keep "
                  "it anonymous.")


@dataclass
class FeedbackSummary:
    """What hosts see of the ratings: nothing until enough people rated; then the average
    and the comments, without names."""

    count: int = 0
    average: float | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return self.count >= FEEDBACK_MIN_FOR_HOSTS

    @property
    def note(self) -> str:
        return ANONYMITY_NOTE


@dataclass
class FollowupView:
    event: Event
    viewer: object
    now: datetime
    is_host: bool = False
    materials: list[EventMaterial] = field(default_factory=list)
    material_form: MaterialForm | None = None
    attendance: list[Booking] = field(default_factory=list)  # hosts only
    attendance_form: AttendanceForm | None = None
    attendance_ticked: set[int] | None = None  # as submitted, when shown again with a message
    booking: Booking | None = None
    my_feedback: EventFeedback | None = None
    feedback_form: FeedbackForm | None = None
    feedback_summary: FeedbackSummary | None = None  # hosts only, after the event
    existing_teach_back: Event | None = None

    @property
    def has_started(self) -> bool:
        return followup.has_started(self.event, self.now)

    @property
    def has_ended(self) -> bool:
        return followup.has_ended(self.event, self.now)

    @property
    def can_add_material(self) -> bool:
        return followup.can_add_material(self.viewer, self.event)

    @property
    def can_mark_attendance(self) -> bool:
        return followup.can_mark_attendance(self.viewer, self.event, self.now)

    @property
    def checked_in_count(self) -> int:
        return sum(1 for b in self.attendance if b.checked_in_at is not None)

    def is_ticked(self, booking: Booking) -> bool:
        if self.attendance_ticked is not None:
            return booking.id in self.attendance_ticked
        return booking.checked_in_at is not None

    @property
    def attended(self) -> bool:
        return followup.attended(self.booking)

    @property
    def can_give_feedback(self) -> bool:
        return followup.can_give_feedback(self.viewer, self.event, self.booking,
                                          self.my_feedback is not None, self.now)

    @property
    def feedback_later(self) -> bool:
        """Has a seat, and may rate once the event has ended."""
        return (not self.is_host and not self.event.is_cancelled and not self.has_ended
                and self.booking is not None and self.booking.status == CONFIRMED)

    @property
    def invite_teach_back(self) -> bool:
        return (self.existing_teach_back is None
                and followup.may_host_teach_back(self.viewer, self.event, self.booking,
                                                 self.now))

    @property
    def teach_back_url(self) -> str:
        return url_for("events.new_event", teach_back_of=self.event.id)

    @property
    def show_feedback_section(self) -> bool:
        return bool(self.my_feedback or self.can_give_feedback or self.feedback_later
                    or (self.feedback_summary is not None))

    def can_delete(self, material: EventMaterial) -> bool:
        return followup.can_delete_material(self.viewer, material)


def materials_of(event: Event) -> list[EventMaterial]:
    return list(db.session.scalars(
        select(EventMaterial).where(EventMaterial.event_id == event.id)
        .options(joinedload(EventMaterial.added_by))
        .order_by(EventMaterial.created_at, EventMaterial.id)))


def attendance_list(event: Event) -> list[Booking]:
    """The confirmed bookings, by name, with their people."""
    from app.accounts.models import User

    return list(db.session.scalars(
        select(Booking).join(User, User.id == Booking.user_id)
        .where(Booking.event_id == event.id, Booking.status == CONFIRMED)
        .options(joinedload(Booking.user)).order_by(User.display_name, Booking.id)))


def feedback_summary(event: Event) -> FeedbackSummary:
    count, average = db.session.execute(
        select(func.count(EventFeedback.id), func.avg(EventFeedback.rating))
        .where(EventFeedback.event_id == event.id)).one()
    summary = FeedbackSummary(count=count or 0)
    if not summary.visible:
        return summary  # too few to stay anonymous: not even the average leaves the database
    summary.average = round(float(average), 1)
    # Ordered by rating and text, never by time or person, so the order gives nobody away.
    summary.comments = list(db.session.scalars(
        select(EventFeedback.comment)
        .where(EventFeedback.event_id == event.id, EventFeedback.comment != "")
        .order_by(EventFeedback.rating.desc(), EventFeedback.comment)))
    return summary


def _teach_back_by(event: Event, viewer) -> Event | None:
    return db.session.scalar(
        select(Event).where(Event.teach_back_of_id == event.id, Event.host_id == viewer.id,
                            Event.status != CANCELLED).order_by(Event.starts_at).limit(1))


_UNKNOWN = object()


def followup_context(event: Event, viewer, now: datetime | None = None,
                     booking=_UNKNOWN, materials: list[EventMaterial] | None = None) -> dict:
    """Everything `events/_followup.html` shows `viewer` about `event` (`booking`: the
    viewer's own booking or None, and `materials`, when the caller has already read them)."""
    if not getattr(viewer, "is_authenticated", False):
        return {}
    now = now or utcnow()
    submitted = g.get("followup_forms") or {}
    view = FollowupView(event=event, viewer=viewer, now=now, is_host=is_event_host(viewer, event),
                        materials=materials_of(event) if materials is None else materials)
    if view.is_host:
        view.material_form = submitted.get("material") or MaterialForm(formdata=None)
        if view.has_started and not event.is_cancelled:
            view.attendance = attendance_list(event)
            form = submitted.get("attendance")
            if form is not None:
                view.attendance_ticked = set(form.attendees.data or [])
            view.attendance_form = form or AttendanceForm(formdata=None)
        if view.has_ended and not event.is_cancelled:
            view.feedback_summary = feedback_summary(event)
        return {"followup": view}
    view.booking = (queries.own_booking(event, viewer) if booking is _UNKNOWN else booking)
    if view.booking is None or event.is_cancelled:
        return {"followup": view}
    if view.has_ended:
        view.my_feedback = db.session.scalar(
            select(EventFeedback).where(EventFeedback.event_id == event.id,
                                        EventFeedback.user_id == viewer.id))
        view.feedback_form = submitted.get("feedback") or FeedbackForm(formdata=None)
        if followup.may_host_teach_back(viewer, event, view.booking, now):
            view.existing_teach_back = _teach_back_by(event, viewer)
    return {"followup": view}
