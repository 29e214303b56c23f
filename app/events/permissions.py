"""Who may do what with events: pure predicates, also available in templates.

Hosts and co-hosts run an event (administrators may step in); only people with a confirmed
seat see who else is coming, besides the hosts.
"""

from __future__ import annotations

from datetime import datetime

from app.accounts.permissions import is_admin
from app.core.db import utcnow
from app.events.models import CONFIRMED


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_event_host(user, event) -> bool:
    """The host or one of the co-hosts."""
    if not _signed_in(user):
        return False
    return user.id in event.host_ids


def can_manage_event(user, event) -> bool:
    """Hosts, co-hosts and administrators: whoever may change or cancel it while it runs."""
    return is_event_host(user, event) or is_admin(user)


def has_ended(event, now: datetime | None = None) -> bool:
    return event.ends_at <= (now or utcnow())


def has_started(event, now: datetime | None = None) -> bool:
    return event.starts_at <= (now or utcnow())


def can_edit_event(user, event, now: datetime | None = None) -> bool:
    """Change the details: not once it was cancelled or has ended."""
    return can_manage_event(user, event) and not event.is_cancelled and not has_ended(event, now)


def can_cancel_event(user, event, now: datetime | None = None) -> bool:
    return can_edit_event(user, event, now)


def can_repeat_event(user, event) -> bool:
    """Schedule the event again (its waitlist hears first): the people who ran it."""
    return can_manage_event(user, event)


def can_see_attendees(user, event, booking=None) -> bool:
    """The hosts, administrators, and people holding a confirmed seat (`booking` is the
    viewer's own booking, if any)."""
    if can_manage_event(user, event):
        return True
    return booking is not None and booking.user_id == getattr(user, "id", None) and (
        booking.status == CONFIRMED)


def can_book_event(user, event, now: datetime | None = None) -> bool:
    """Whether the booking buttons make sense at all (booking.py has the final word)."""
    return (_signed_in(user) and not event.is_cancelled and not has_started(event, now)
            and not is_event_host(user, event))


TEMPLATE_PREDICATES = {
    "is_event_host": is_event_host,
    "can_manage_event": can_manage_event,
    "can_edit_event": can_edit_event,
    "can_cancel_event": can_cancel_event,
    "can_repeat_event": can_repeat_event,
    "can_see_attendees": can_see_attendees,
    "can_book_event": can_book_event,
    "event_has_ended": has_ended,
    "event_has_started": has_started,
}
