"""What happens around and after an event: hosts mark who attended and share materials;
the people who had a seat rate it.

Services take the acting user explicitly, flush but never commit, and raise typed errors.
The predicates at the top are pure (no queries beyond loaded relationships) and are what
templates and routes ask; the services check the same rules and say why when they refuse.

Feedback is anonymous to hosts: they see only the average and the comments, without names,
and only once `FEEDBACK_MIN_FOR_HOSTS` people have rated (`app.events.followup_queries`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.markdown import render_markdown
from app.core.validators import has_control_characters
from app.events import queries
from app.events.models import (
    CONFIRMED,
    FEEDBACK_COMMENT_MAX,
    MATERIAL_NOTES_MAX,
    MATERIAL_TITLE_MAX,
    URL_MAX,
    WORKSHOP,
    Booking,
    Event,
    EventFeedback,
    EventMaterial,
)
from app.events.permissions import is_event_host
from app.extensions import db

MATERIALS_MAX = 30  # per event: slides, a repository, notes — not a file store
RATING_MIN, RATING_MAX = 1, 5


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def event_time(event: Event, moment: datetime) -> str:
    """A moment in the event's own time zone, for messages ("14 Mar 2026, 10:00 Europe/Paris")."""
    try:
        zone = ZoneInfo(event.timezone)
    except (KeyError, ValueError):
        zone, name = ZoneInfo("UTC"), "UTC"
    else:
        name = event.timezone
    return f"{moment.astimezone(zone).strftime('%-d %b %Y, %H:%M')} {name}"


# -- Predicates ------------------------------------------------------------------------------


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def has_started(event: Event, now: datetime | None = None) -> bool:
    return event.starts_at <= _now(now)


def has_ended(event: Event, now: datetime | None = None) -> bool:
    return event.ends_at <= _now(now)


def can_mark_attendance(user, event: Event, now: datetime | None = None) -> bool:
    """Hosts and co-hosts, from the start of the event on."""
    return (_signed_in(user) and is_event_host(user, event) and not event.is_cancelled
            and has_started(event, now))


def can_add_material(user, event: Event) -> bool:
    return _signed_in(user) and is_event_host(user, event) and not event.is_cancelled


def can_delete_material(user, material: EventMaterial) -> bool:
    """Whoever added it, while still a host; and the event's own host, who looks after its
    page (a co-host may have left)."""
    if not _signed_in(user) or not is_event_host(user, material.event):
        return False
    return material.added_by_id == user.id or material.event.host_id == user.id


def attended(booking: Booking | None) -> bool:
    """Had a seat: a confirmed booking, or checked in by a host."""
    return booking is not None and (booking.status == CONFIRMED
                                    or booking.checked_in_at is not None)


def can_give_feedback(user, event: Event, booking: Booking | None,
                      already_rated: bool, now: datetime | None = None) -> bool:
    return (_signed_in(user) and not is_event_host(user, event) and not event.is_cancelled
            and has_ended(event, now) and attended(booking) and not already_rated)


def may_host_teach_back(user, event: Event, booking: Booking | None,
                        now: datetime | None = None) -> bool:
    """After a workshop, the people who had a seat are invited to teach the skill back."""
    return (event.kind == WORKSHOP and not event.is_cancelled and has_ended(event, now)
            and _signed_in(user) and not is_event_host(user, event) and attended(booking))


# -- Attendance ------------------------------------------------------------------------------


def _require_host(event: Event, by: User, doing: str) -> None:
    if not is_event_host(by, event):
        raise NotAllowed(f"Only the event's hosts can {doing}.")


def require_attendance_open(event: Event, by: User, now: datetime | None = None) -> None:
    """Raise the reason `by` can't mark attendance now, if there is one."""
    _require_host(event, by, "mark who attended")
    if event.is_cancelled:
        raise Conflict("This event was cancelled, so there's no attendance to mark.")
    if not has_started(event, now):
        raise Conflict("You can mark who attended once the event starts, at "
                       f"{event_time(event, event.starts_at)}.")


def check_in(event: Event, booking_ids: Iterable[int], by: User,
             now: datetime | None = None) -> int:
    """Record who attended: the confirmed bookings in `booking_ids` are checked in (keeping
    the time of an earlier check-in), the event's other confirmed bookings are not. Returns
    how many people are checked in afterwards."""
    now = _now(now)
    require_attendance_open(event, by, now)
    wanted = {int(i) for i in booking_ids}
    confirmed = set(db.session.scalars(
        select(Booking.id).where(Booking.event_id == event.id, Booking.status == CONFIRMED)))
    if wanted - confirmed:
        raise Invalid("attendees", "Some of the people you ticked no longer have a booking "
                                   "for this event. The list is up to date now: check it "
                                   "and save again.")
    mine = (Booking.event_id == event.id, Booking.status == CONFIRMED)
    if wanted:
        db.session.execute(
            update(Booking).where(*mine, Booking.id.in_(wanted), Booking.checked_in_at.is_(None))
            .values(checked_in_at=now).execution_options(synchronize_session=False))
    db.session.execute(
        update(Booking).where(*mine, Booking.id.not_in(wanted),
                              Booking.checked_in_at.is_not(None))
        .values(checked_in_at=None).execution_options(synchronize_session=False))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Booking) and obj.event_id == event.id:
            db.session.expire(obj, ["checked_in_at"])
    return len(wanted)


# -- Materials -------------------------------------------------------------------------------


def _clean_title(raw: str | None) -> str:
    title = " ".join((raw or "").split())
    if not title:
        raise Invalid("title", "Give the material a title, like “Slides” or “Exercises”.")
    if len(title) > MATERIAL_TITLE_MAX:
        raise Invalid("title", f"Keep the title to {MATERIAL_TITLE_MAX} characters at most.")
    if has_control_characters(title):
        raise Invalid("title", "Remove the invisible control characters from the title.")
    return title


def clean_link(raw: str | None, field: str = "url") -> str:
    """An http(s) address with a host, or "" when none was given."""
    url = (raw or "").strip()
    if not url:
        return ""
    if len(url) > URL_MAX:
        raise Invalid(field, f"Keep the link to {URL_MAX} characters at most.")
    message = "Enter a web address starting with http:// or https://, like https://example.com/slides."
    if has_control_characters(url) or any(ch.isspace() for ch in url):
        raise Invalid(field, message)
    try:
        parts = urlsplit(url)
    except ValueError:
        raise Invalid(field, message) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Invalid(field, message)
    return url


def _clean_notes(raw: str | None) -> str:
    notes = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(notes) > MATERIAL_NOTES_MAX:
        raise Invalid("notes", f"Keep the notes to {MATERIAL_NOTES_MAX:,} characters at most.")
    if has_control_characters(notes, allow_newlines=True):
        raise Invalid("notes", "Remove the invisible control characters from the notes.")
    return notes


def require_materials_open(event: Event, by: User) -> None:
    """Raise the reason `by` can't add materials to `event`, if there is one."""
    _require_host(event, by, "add materials")
    if event.is_cancelled:
        raise Conflict("This event was cancelled, so materials can't be added to it.")


def add_material(event: Event, by: User, title: str | None, url: str | None = "",
                 notes: str | None = "") -> EventMaterial:
    """A host shares a link (slides, a repository) and/or Markdown notes."""
    require_materials_open(event, by)
    title = _clean_title(title)
    url = clean_link(url)
    notes = _clean_notes(notes)
    notes_html = render_markdown(notes)
    if not url and not notes_html:
        raise Invalid("url", "Add a link, some notes, or both.")
    count = db.session.scalar(select(func.count()).select_from(EventMaterial)
                              .where(EventMaterial.event_id == event.id))
    if count >= MATERIALS_MAX:
        raise Conflict(f"An event can have at most {MATERIALS_MAX} materials. Delete one "
                       "you no longer need first.")
    material = EventMaterial(event_id=event.id, added_by_id=by.id, title=title, url=url,
                             notes_md=notes if notes_html else "", notes_html=notes_html)
    db.session.add(material)
    db.session.flush()
    return material


def delete_material(material: EventMaterial, by: User) -> None:
    if not can_delete_material(by, material):
        raise NotAllowed("Only the host who added this material, or the event's host, "
                         "can delete it.")
    db.session.delete(material)
    db.session.flush()


# -- Feedback --------------------------------------------------------------------------------


def _clean_rating(raw) -> int:
    try:
        rating = int(str(raw).strip())
    except (TypeError, ValueError):
        rating = 0
    if not RATING_MIN <= rating <= RATING_MAX:
        raise Invalid("rating", f"Choose a rating from {RATING_MIN} to {RATING_MAX}.")
    return rating


def _clean_comment(raw: str | None) -> str:
    comment = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(comment) > FEEDBACK_COMMENT_MAX:
        raise Invalid("comment",
                      f"Keep the comment to {FEEDBACK_COMMENT_MAX:,} characters at most.")
    if has_control_characters(comment, allow_newlines=True):
        raise Invalid("comment", "Remove the invisible control characters from the comment.")
    return comment


def has_rated(event: Event, user: User) -> bool:
    return db.session.scalar(select(EventFeedback.id).where(
        EventFeedback.event_id == event.id, EventFeedback.user_id == user.id)) is not None


ALREADY_RATED = "You've already rated this event — thank you. A rating can't be changed."


def require_may_rate(event: Event, user: User, now: datetime | None = None) -> None:
    """Raise the reason `user` can't rate `event` now, if there is one."""
    if is_event_host(user, event):
        raise NotAllowed("You hosted this event, so you can't rate it. Your attendees' "
                         "feedback shows here once enough of them have rated.")
    if event.is_cancelled:
        raise Conflict("This event was cancelled, so it can't be rated.")
    if not has_ended(event, now):
        raise Conflict("You can rate this event once it has ended, at "
                       f"{event_time(event, event.ends_at)}.")
    if not attended(queries.own_booking(event, user)):
        raise NotAllowed("Only people who had a seat at this event can rate it.")
    if has_rated(event, user):
        raise Conflict(ALREADY_RATED)


def give_feedback(event: Event, user: User, rating, comment: str | None = "",
                  now: datetime | None = None) -> EventFeedback:
    """Someone who had a seat rates the event once it has ended: 1–5, with an optional
    comment. Once only: the unique (event, user) settles a double click."""
    now = _now(now)
    require_may_rate(event, user, now)
    rating = _clean_rating(rating)
    comment = _clean_comment(comment)
    feedback = EventFeedback(event_id=event.id, user_id=user.id, rating=rating,
                             comment=comment, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(feedback)
    except IntegrityError as err:  # the same form sent twice at once: the first one counts
        raise Conflict(ALREADY_RATED) from err
    return feedback
