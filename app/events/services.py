"""Events in domain words: schedule one, change it, cancel it; book, leave and claim as the
person signed in. Flush, never commit; `Invalid` names the form field that is wrong.

Times: a start given without a time zone (what a form sends) is a wall-clock time in the
event's own time zone; one with a time zone is taken as it is. Everything is stored in UTC.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from app.accounts.models import User
from app.accounts.services import HANDLE_RE, normalise_handle
from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.markdown import render_markdown
from app.core.validators import has_control_characters, is_timezone, normalise_newlines
from app.events import booking as seats
from app.events import permissions
from app.events.models import (
    ACTIVE_BOOKING,
    CANCELLED,
    CAPACITY_MAX,
    CAPACITY_MIN,
    COHOSTS_MAX,
    DESCRIPTION_MAX,
    DURATION_MAX,
    DURATION_MIN,
    KINDS,
    LAPSED,
    LOCATION_MAX,
    OFFERED,
    SCHEDULED,
    SKILLS_MAX,
    TITLE_MAX,
    TITLE_MIN,
    URL_MAX,
    WAITING,
    Booking,
    Event,
)
from app.extensions import db
from app.skills.services import clean_skill_name, get_or_create_skill, skill_key

DETAIL_FIELDS = ("kind", "title", "skills", "description", "starts_at", "duration_minutes",
                 "timezone", "location", "online_url", "capacity", "cohosts")
# What attendees are told about when it changes, in words (signals.event_changed).
CHANGE_WORDS = {"time": "the time", "location": "the place", "online_url": "the online link",
                "capacity": "the capacity"}

# -- Reading what people typed (pure: forms use these too) ----------------------------------


def split_list(value: str | Iterable | None) -> list:
    """"a, b,,c" → ["a", "b", "c"]; a list is kept as it is (blank items dropped)."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return [i.strip() if isinstance(i, str) else i for i in items
            if not (isinstance(i, str) and not i.strip())]


def skill_names_problem(names: list) -> str | None:
    """What is wrong with a list of skill names (or skills), if anything."""
    if not names:
        return "Name at least one skill, like “SQL” or “Public speaking”."
    for name in names:
        if not isinstance(name, str):
            continue
        try:
            clean_skill_name(name, "skills")
        except Invalid as err:
            return f"“{name[:60]}”: {err.message}"
    if len({skill_key(n if isinstance(n, str) else n.name) for n in names}) > SKILLS_MAX:
        return f"Choose at most {SKILLS_MAX} skills."
    return None


def handles_problem(handles: list[str]) -> str | None:
    cleaned = {normalise_handle(h) for h in handles}
    for handle in sorted(cleaned):
        if not HANDLE_RE.match(handle):
            return f"“{handle[:40]}” isn't a handle: handles use letters, digits, - and _."
    if len(cleaned) > COHOSTS_MAX:
        return f"Add at most {COHOSTS_MAX} co-hosts."
    return None


def url_problem(url: str) -> str | None:
    if len(url) > URL_MAX:
        return f"Keep the link to {URL_MAX} characters at most."
    parts = urlsplit(url)
    if (parts.scheme.lower() not in ("http", "https") or not parts.netloc
            or any(ch.isspace() for ch in url) or has_control_characters(url)):
        return "Give a web address that starts with https:// (or http://)."
    return None


def to_utc(start: datetime, zone_name: str) -> datetime:
    """A wall-clock time in `zone_name` (or an aware time) as UTC. Refuses a local time that
    doesn't exist there (the hour skipped when the clocks go forward)."""
    if start.tzinfo is not None:
        return start.astimezone(UTC)
    zone = ZoneInfo(zone_name)
    local = start.replace(tzinfo=zone)
    utc = local.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != start:
        raise Invalid("starts_at", f"{start:%H:%M} doesn't exist on that day in {zone_name}: "
                                   "the clocks go forward. Choose another time.")
    return utc


def _number(value, field: str, low: int, high: int, message: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(field, message) from None
    if not low <= number <= high:
        raise Invalid(field, message)
    return number


def _duration(value) -> int:
    message = f"Give a duration from {DURATION_MIN} to {DURATION_MAX} minutes (24 hours)."
    if str(value).strip().lstrip("-").isdigit() and int(str(value).strip()) <= 0:
        message = f"The event must end after it starts: give it at least {DURATION_MIN} minutes."
    return _number(value, "duration_minutes", DURATION_MIN, DURATION_MAX, message)


def _one_line(value, field: str, label: str, high: int, low: int = 0) -> str:
    text = " ".join(str(value or "").split())
    if has_control_characters(text):
        raise Invalid(field, "Remove the invisible control characters from this field.")
    if len(text) > high:
        raise Invalid(field, f"Keep the {label} to {high} characters at most.")
    if len(text) < low:
        raise Invalid(field, f"Give a {label} of at least {low} characters.")
    return text


def _clean(values: dict) -> dict:
    """Every detail checked and normalised; skills and co-hosts still as names/handles."""
    if values["kind"] not in KINDS:
        raise Invalid("kind", "Choose a workshop, a lunch-and-learn or a teach-back.")
    zone = str(values["timezone"] or "").strip()
    if not is_timezone(zone):
        raise Invalid("timezone", "Choose a time zone from the list, like Europe/Paris.")
    description = normalise_newlines(str(values["description"] or "")).strip()
    if len(description) > DESCRIPTION_MAX:
        raise Invalid("description", f"Keep the description to {DESCRIPTION_MAX:,} "
                                     "characters at most.")
    if has_control_characters(description, allow_newlines=True):
        raise Invalid("description", "Remove the invisible control characters from this field.")
    start = values["starts_at"]
    if not isinstance(start, datetime):
        raise Invalid("starts_at", "Give the date and time the event starts.")
    cleaned = {
        "kind": values["kind"],
        "title": _one_line(values["title"], "title", "title", TITLE_MAX, TITLE_MIN),
        "description": description,
        "timezone": zone,
        "starts_at": to_utc(start, zone).replace(microsecond=0),
        "duration_minutes": _duration(values["duration_minutes"]),
        "location": _one_line(values["location"], "location", "place", LOCATION_MAX),
        "online_url": str(values["online_url"] or "").strip(),
        "capacity": _number(values["capacity"], "capacity", CAPACITY_MIN, CAPACITY_MAX,
                            f"Give a capacity from {CAPACITY_MIN} to {CAPACITY_MAX} people."),
    }
    if cleaned["online_url"] and (problem := url_problem(cleaned["online_url"])):
        raise Invalid("online_url", problem)
    if not cleaned["location"] and not cleaned["online_url"]:
        raise Invalid("location", "Give a place, an online link, or both.")
    for field, problem in (("skills", skill_names_problem(split_list(values["skills"]))),
                           ("cohosts", handles_problem(
                               [h for h in split_list(values["cohosts"]) if isinstance(h, str)]))):
        if problem:
            raise Invalid(field, problem)
    cleaned["ends_at"] = cleaned["starts_at"] + timedelta(minutes=cleaned["duration_minutes"])
    return cleaned


def _skills(actor: User, names) -> list:
    found: dict[int, object] = {}
    for name in split_list(names):
        skill = name if not isinstance(name, str) else get_or_create_skill(actor, name,
                                                                           field="skills")
        found.setdefault(skill.id, skill)
    return list(found.values())


def _cohosts(host: User, handles) -> list[User]:
    people = [h for h in split_list(handles) if isinstance(h, User)]
    wanted = sorted({normalise_handle(h) for h in split_list(handles) if isinstance(h, str)})
    if wanted:
        found = {u.handle: u for u in db.session.scalars(select(User).where(
            User.handle.in_(wanted)))}
        unknown = [h for h in wanted if h not in found or not found[h].active]
        if unknown:
            listed = ", ".join(f"@{h}" for h in unknown)
            raise Invalid("cohosts", f"Nobody here has the handle {listed}." if len(unknown) == 1
                          else f"Nobody here has the handles {listed}.")
        people += [found[h] for h in wanted]
    unique = {u.id: u for u in people if u.id != host.id}
    if len(unique) > COHOSTS_MAX:
        raise Invalid("cohosts", f"Add at most {COHOSTS_MAX} co-hosts.")
    return list(unique.values())


# -- Scheduling, changing and cancelling -----------------------------------------------------


def schedule_event(host: User, *, repeat_of: Event | None = None,
                   teach_back_of: Event | None = None, proposal=None,
                   now: datetime | None = None, **fields) -> Event:
    """`host` schedules an event. `fields`: kind, title, skills (names), description
    (Markdown), starts_at, duration_minutes, timezone (default: the host's), location,
    online_url, capacity, cohosts (handles). A repeat tells the original's waitlist first;
    one made from a session proposal marks the proposal scheduled."""
    now = now or utcnow()
    values = {"description": "", "location": "", "online_url": "", "cohosts": (),
              "timezone": host.timezone, **fields}
    if missing := [f for f in DETAIL_FIELDS if f not in values]:
        raise TypeError(f"schedule_event() missing {', '.join(missing)}")
    if repeat_of is not None and not permissions.can_repeat_event(host, repeat_of):
        raise NotAllowed("Only the hosts of an event can schedule a repeat of it.")
    cleaned = _clean(values)
    if cleaned["starts_at"] <= now:
        raise Invalid("starts_at", "Choose a start in the future.")
    cohosts = _cohosts(host, values["cohosts"])
    event = Event(
        uid=f"{uuid.uuid4()}@skillswap", kind=cleaned["kind"], status=SCHEDULED,
        title=cleaned["title"], description_md=cleaned["description"],
        description_html=render_markdown(cleaned["description"]),
        starts_at=cleaned["starts_at"], duration_minutes=cleaned["duration_minutes"],
        ends_at=cleaned["ends_at"], timezone=cleaned["timezone"],
        location=cleaned["location"], online_url=cleaned["online_url"],
        capacity=cleaned["capacity"], seats_taken=0, waiting_count=0, sequence=0,
        host=host, repeat_of=repeat_of, teach_back_of=teach_back_of, created_at=now)
    event.skills = _skills(host, values["skills"])
    event.cohosts = cohosts
    db.session.add(event)
    db.session.flush()
    if repeat_of is not None:
        _tell_the_waitlist(repeat_of, event)
    if proposal is not None:
        from app.events.proposals import attach_event  # the proposals module imports us

        attach_event(proposal, event, host)
    return event


def _tell_the_waitlist(original: Event, repeat: Event) -> None:
    hosts = {repeat.host_id, *(c.id for c in repeat.cohosts)}
    waiting = [u for u in db.session.scalars(
        select(User).join(Booking, Booking.user_id == User.id)
        .where(Booking.event_id == original.id, Booking.status.in_((WAITING, LAPSED)),
               User.active).order_by(Booking.waiting_since, Booking.id))
        if u.id not in hosts]
    if waiting:
        signals.event_repeat_scheduled.send(repeat, to=waiting)


def _require_changeable(event: Event, by: User, now: datetime, verb: str) -> None:
    if not permissions.can_manage_event(by, event):
        raise NotAllowed(f"Only the hosts of this event can {verb} it.")
    if event.is_cancelled:
        raise Conflict("This event was cancelled, so it can't be changed any more."
                       if verb == "change" else "This event was already cancelled.")
    if permissions.has_ended(event, now):
        raise Conflict("This event has ended, so it can't be "
                       f"{'changed' if verb == 'change' else 'cancelled'} any more.")


def _current(event: Event) -> dict:
    return {"kind": event.kind, "title": event.title, "skills": list(event.skills),
            "description": event.description_md, "starts_at": event.starts_at,
            "duration_minutes": event.duration_minutes, "timezone": event.timezone,
            "location": event.location, "online_url": event.online_url,
            "capacity": event.capacity, "cohosts": list(event.cohosts)}


def update_event(event: Event, by: User, *, now: datetime | None = None,
                 **fields) -> list[str]:
    """Change an event's details (any of schedule_event's fields). Every change raises the
    calendar sequence; people booked or waiting hear about a new time, place, link or
    capacity. Returns those changes in words (empty when nothing they care about changed)."""
    now = now or utcnow()
    _require_changeable(event, by, now, "change")
    if unknown := set(fields) - set(DETAIL_FIELDS):
        raise TypeError(f"update_event() got unknown fields: {', '.join(sorted(unknown))}")
    cleaned = _clean({**_current(event), **fields})
    time_changed = (cleaned["starts_at"], cleaned["ends_at"]) != (event.starts_at,
                                                                  event.ends_at)
    if time_changed and cleaned["starts_at"] != event.starts_at and cleaned["starts_at"] <= now:
        raise Invalid("starts_at", "Choose a start in the future.")
    skills = _skills(by, fields["skills"]) if "skills" in fields else list(event.skills)
    cohosts = (_cohosts(event.host, fields["cohosts"]) if "cohosts" in fields
               else list(event.cohosts))
    changed = {name for name in ("kind", "title", "timezone", "location", "online_url",
                                 "capacity", "duration_minutes")
               if cleaned[name] != getattr(event, name)}
    if cleaned["description"] != event.description_md:
        changed.add("description")
    if time_changed:
        changed.add("time")
    if {s.id for s in skills} != {s.id for s in event.skills}:
        changed.add("skills")
    if {u.id for u in cohosts} != {u.id for u in event.cohosts}:
        changed.add("cohosts")
    if not changed:
        return []
    for name in ("kind", "title", "timezone", "location", "online_url", "starts_at",
                 "duration_minutes", "ends_at"):
        setattr(event, name, cleaned[name])
    if "description" in changed:
        event.description_md = cleaned["description"]
        event.description_html = render_markdown(cleaned["description"])
    event.skills = skills
    event.cohosts = cohosts
    db.session.flush()
    if "capacity" in changed:
        seats.change_capacity(event, cleaned["capacity"], now)  # refuses going below the booked
    if time_changed:  # a seat held for someone can't be held past the start
        db.session.execute(
            update(Booking).where(Booking.event_id == event.id, Booking.status == OFFERED,
                                  Booking.offer_expires_at > event.starts_at)
            .values(offer_expires_at=event.starts_at)
            .execution_options(synchronize_session=False))
    db.session.execute(update(Event).where(Event.id == event.id)
                       .values(sequence=Event.sequence + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(event)
    words = [CHANGE_WORDS[name] for name in CHANGE_WORDS if name in changed]
    if words:
        signals.event_changed.send(event, by=by, changes=words)
    return words


def cancel_event(event: Event, by: User, now: datetime | None = None) -> list[User]:
    """Cancel the event and every booking with it. Returns the people told (booked, offered a
    seat or waiting)."""
    now = now or utcnow()
    _require_changeable(event, by, now, "cancel")
    cancelled = db.session.execute(  # first, so a booking racing us waits for this row
        update(Event).where(Event.id == event.id, Event.status == SCHEDULED)
        .values(status=CANCELLED, cancelled_at=now, sequence=Event.sequence + 1,
                seats_taken=0, waiting_count=0)
        .execution_options(synchronize_session=False)).rowcount
    if not cancelled:
        raise Conflict("This event was already cancelled.")
    user_ids = list(db.session.scalars(
        update(Booking).where(Booking.event_id == event.id,
                              Booking.status.in_(ACTIVE_BOOKING))
        .values(status=CANCELLED, cancelled_at=now)
        .returning(Booking.user_id).execution_options(synchronize_session=False)))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Booking) and obj.event_id == event.id:
            db.session.expire(obj)
    db.session.refresh(event)
    notify = list(db.session.scalars(select(User).where(User.id.in_(user_ids))
                                     .order_by(User.id))) if user_ids else []
    signals.event_cancelled.send(event, by=by, notify=notify)
    return notify


# -- The signed-in person's own booking ----------------------------------------------------


def own_booking(event: Event, user: User) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.event_id == event.id,
                                                   Booking.user_id == user.id))


book = seats.book_seat  # a seat, or a place on the waitlist when the event is full


def cancel_own_booking(event: Event, user: User, now: datetime | None = None) -> Booking:
    """Give up a seat, an offered seat, or a place on the waitlist."""
    now = now or utcnow()
    if event.is_cancelled:
        raise Conflict("This event was cancelled, so there's nothing to cancel.")
    if permissions.has_ended(event, now):
        raise Conflict("This event has ended.")
    booking = own_booking(event, user)
    if booking is None or not booking.is_active:
        raise Conflict("You don't have a booking or a place on the waitlist for this event.")
    return seats.cancel_booking(booking, user, now)


def claim_own_seat(event: Event, user: User, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    if event.is_cancelled:
        raise Conflict("This event was cancelled.")
    booking = own_booking(event, user)
    if booking is None:
        raise Conflict("There's no seat offered to you for this event.")
    if booking.status == LAPSED:
        raise Conflict("Sorry, this offer expired and the seat went to the next person "
                       "waiting. You can join the waitlist again.")
    return seats.claim_seat(booking, user, now)
