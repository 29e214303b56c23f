"""Turn event signals into notification rows, inside the sender's transaction.

Times are written in each recipient's own time zone (`User.timezone`), since a notification
is read later, by one person, wherever they are. Nobody is told about what they did
themselves: someone who books a seat, claims one or joins a waitlist sees the result on the
page; their hosts hear about it when it matters to them (the event is now full, or people
have started waiting for a seat).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.core import signals
from app.notifications.services import link, notify

WHEN_FORMAT = "%a %-d %b at %H:%M %Z"  # "Tue 3 Mar at 14:00 CET"


def when(moment: datetime, user) -> str:
    """`moment` (UTC) as `user` reads it, in their own time zone (UTC if theirs is unknown)."""
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        zone = UTC
    return moment.astimezone(zone).strftime(WHEN_FORMAT)


def _quoted(title: str) -> str:
    return f"“{title}”"


def _event_link(event) -> str:
    return link("events.event", event_id=event.id)


def _hosts(event) -> list:
    """The host and co-hosts, each once."""
    people = {event.host.id: event.host}
    people.update({c.id: c for c in event.cohosts})
    return list(people.values())


def _in_words(changes) -> str:
    """["the time", "the place", "the link"] → "the time, the place and the link"."""
    changes = [str(c) for c in (changes or ()) if c]
    if not changes:
        return "the details"
    if len(changes) == 1:
        return changes[0]
    return ", ".join(changes[:-1]) + " and " + changes[-1]


def _active_people(event) -> list:
    """Everyone booked, offered a seat or waiting, in booking order."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.events.models import ACTIVE_BOOKING, Booking
    from app.extensions import db

    return list(db.session.scalars(
        select(User).join(Booking, Booking.user_id == User.id)
        .where(Booking.event_id == event.id, Booking.status.in_(ACTIVE_BOOKING))
        .order_by(Booking.id)))


# -- Booking and the waitlist -----------------------------------------------------------------


@signals.event_booked.connect
def seat_booked(booking, how="booked", **extra):
    event, person = booking.event, booking.user
    if how == "promoted":
        notify(person, "event-promoted",
               f"A seat opened up at {_quoted(event.title)} and it's yours: you're booked for "
               f"{when(event.starts_at, person)}. Cancel your booking if you can't come, so "
               "someone else can have it.", _event_link(event))
        return
    if how == "booked" and event.seats_taken >= event.capacity:
        for host in _hosts(event):
            notify(host, "event-full",
                   f"{_quoted(event.title)} is full: {person.display_name} took the last of "
                   f"its {event.capacity} seat{'s' * (event.capacity != 1)}. Anyone else who "
                   "books joins the waitlist.", _event_link(event), actor=person)


@signals.event_waitlisted.connect
def joined_waitlist(booking, position=None, **extra):
    # Only the first person waiting: the moment demand outgrows the room, not every join.
    if position != 1:
        return
    event, person = booking.event, booking.user
    for host in _hosts(event):
        notify(host, "event-waitlist",
               f"{person.display_name} is waiting for a seat at {_quoted(event.title)}, which "
               "is full. Raise the capacity, or schedule a repeat and they'll hear first.",
               _event_link(event), actor=person)


@signals.seat_offered.connect
def seat_was_offered(booking, **extra):
    event, person = booking.event, booking.user
    notify(person, "event-seat-offered",
           f"A seat at {_quoted(event.title)} ({when(event.starts_at, person)}) is yours if "
           f"you claim it by {when(booking.offer_expires_at, person)}.", _event_link(event))


@signals.seat_offer_expired.connect
def seat_offer_lapsed(booking, **extra):
    event, person = booking.event, booking.user
    notify(person, "event-offer-expired",
           f"The seat offered to you at {_quoted(event.title)} wasn't claimed in time, so it "
           "went to the next person waiting. You can join the waitlist again.",
           _event_link(event))


# -- Changes by the host -----------------------------------------------------------------------


@signals.event_changed.connect
def event_was_changed(event, by=None, changes=(), **extra):
    recipients = {p.id: p for p in _active_people(event)}
    recipients.update({h.id: h for h in _hosts(event)})
    who = by.display_name if by is not None else "The host"
    place = event.location or ("online" if event.online_url else "")
    for person in recipients.values():
        notify(person, "event-changed",
               f"{who} changed {_in_words(changes)} of {_quoted(event.title)}. It's now on "
               f"{when(event.starts_at, person)}" + (f", {place}." if place else "."),
               _event_link(event), actor=by)


@signals.event_cancelled.connect
def event_was_cancelled(event, by=None, **extra):
    # The signal's `notify` argument is read from `extra`: as a parameter it would shadow
    # the function of the same name.
    people = extra.get("notify") or ()
    recipients = {p.id: p for p in people}
    recipients.update({h.id: h for h in _hosts(event)})
    who = by.display_name if by is not None else "The host"
    for person in recipients.values():
        notify(person, "event-cancelled",
               f"{who} cancelled {_quoted(event.title)}, which was on "
               f"{when(event.starts_at, person)}. Bookings and the waitlist were cancelled "
               "with it.", _event_link(event), actor=by)


# -- Before and after --------------------------------------------------------------------------


@signals.event_reminder.connect
def remind_of_event(booking, **extra):
    event, person = booking.event, booking.user
    where = event.location or ("online: the link is on the event's page"
                               if event.online_url else "")
    notify(person, "event-reminder",
           f"Reminder: {_quoted(event.title)} starts {when(event.starts_at, person)}"
           + (f", {where}." if where else ".")
           + " Can't come after all? Cancel your booking so someone waiting gets the seat.",
           _event_link(event))


@signals.event_feedback_due.connect
def ask_for_event_feedback(booking, **extra):
    from app.events.models import WORKSHOP

    event, person = booking.event, booking.user
    notify(person, "event-feedback",
           f"How was {_quoted(event.title)}? Rate it and say what worked — it helps "
           f"{event.host.display_name} and the next people who go.", _event_link(event))
    if event.kind == WORKSHOP:
        notify(person, "event-teach-back",
               f"Teaching is the best way to remember: host a teach-back of "
               f"{_quoted(event.title)} and share what you learned with colleagues.",
               link("events.new_event", teach_back_of=event.id))


@signals.event_repeat_scheduled.connect
def repeat_was_scheduled(event, to=(), **extra):
    for person in to:
        notify(person, "event-repeat",
               f"{_quoted(event.title)} is on again, {when(event.starts_at, person)}. You "
               "were on the waitlist last time, so you hear first: book a seat before it "
               "fills up.", _event_link(event), actor=event.host)


@signals.proposal_scheduled.connect
def proposal_was_scheduled(proposal, event=None, to=(), **extra):
    if event is None:
        return
    for person in to:
        whose = ("your proposal" if person.id == proposal.user_id
                 else "a session you were interested in")
        notify(person, "event-proposal",
               f"{event.host.display_name} scheduled {whose} on {proposal.skill.name}: "
               f"{_quoted(event.title)}, {when(event.starts_at, person)}. Book a seat.",
               _event_link(event), actor=event.host)
