"""Read-side event queries. Each page runs a constant number of statements however many
events, bookings or attendees there are: hosts are joined, skills and co-hosts come in one
extra statement per page (selectin), and per-viewer facts are read for the whole page at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from app.accounts.models import User
from app.core.db import utcnow
from app.events.models import (
    CONFIRMED,
    KINDS,
    OFFERED,
    SCHEDULED,
    WAITING,
    Booking,
    Event,
    EventCohost,
    EventFeedback,
    EventSkill,
    SessionProposal,
)
from app.extensions import db
from app.skills.models import SKILL_SLUG_MAX, Skill

ATTENDEES_PER_PAGE = 50
MINE_GROUPS = {
    "offered": "Seats offered to you",
    "hosting": "You're hosting",
    "booked": "You're booked",
    "waiting": "On the waitlist",
    "past": "Past events you attended",
}
MINE_PER_PAGE = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def zone_of(user) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "timezone", None) or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _date(value: str | None) -> date | None:
    """A YYYY-MM-DD filter, or None — also for dates so far off that no event has them (and
    converting them between zones would overflow)."""
    try:
        found = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
    return found if 1900 <= found.year <= 9000 else None


@dataclass(frozen=True)
class EventFilters:
    """The list's filters, from the query string; unknown values are dropped, so an old or
    hand-edited link still shows a page."""

    skill: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    free: bool = False

    @classmethod
    def from_args(cls, args) -> EventFilters:
        kind = args.get("kind", "")
        return cls(skill=_CONTROL.sub("", args.get("skill", "")).strip()[:SKILL_SLUG_MAX],
                   kind=kind if kind in KINDS else "",
                   date_from=_date(args.get("from")), date_to=_date(args.get("to")),
                   free=args.get("free") in ("1", "on", "y", "true"))

    @property
    def active(self) -> bool:
        return bool(self.skill or self.kind or self.date_from or self.date_to or self.free)


def _with_cards(query: Select) -> Select:
    """What an event card shows: host (joined), skills (one statement for the page)."""
    return query.options(joinedload(Event.host), selectinload(Event.skills))


def upcoming_select(filters: EventFilters, viewer, now: datetime | None = None) -> Select:
    """Scheduled events that haven't ended, soonest first; dates are the viewer's days."""
    now = now or utcnow()
    zone = zone_of(viewer)
    query = select(Event).where(Event.status == SCHEDULED, Event.ends_at > now)
    if filters.skill:
        query = query.where(Event.id.in_(
            select(EventSkill.event_id).join(Skill, Skill.id == EventSkill.skill_id)
            .where(Skill.slug == filters.skill)))
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    if filters.date_from:
        query = query.where(Event.starts_at >= datetime.combine(filters.date_from, time(),
                                                                zone))
    if filters.date_to:
        query = query.where(Event.starts_at < datetime.combine(
            filters.date_to + timedelta(days=1), time(), zone))
    if filters.free:
        query = query.where(Event.seats_taken < Event.capacity)
    return _with_cards(query).order_by(Event.starts_at, Event.id)


def by_day(events, viewer) -> list[tuple[date, list[Event]]]:
    """Events grouped under the viewer's calendar days, in order."""
    zone = zone_of(viewer)
    return [(day, list(items)) for day, items in
            groupby(events, key=lambda e: e.starts_at.astimezone(zone).date())]


def skill_choices(now: datetime | None = None) -> list[tuple[str, str]]:
    """(slug, name) of the skills that upcoming events are about, for the filter."""
    now = now or utcnow()
    return list(db.session.execute(
        select(Skill.slug, Skill.name).where(Skill.id.in_(
            select(EventSkill.skill_id).join(Event, Event.id == EventSkill.event_id)
            .where(Event.status == SCHEDULED, Event.ends_at > now)))
        .order_by(Skill.name)).all())


def event_for_page(event_id: int, *, fresh: bool = False) -> Event | None:
    """The event with its host, skills and co-hosts; `fresh`: overwrite what this session
    already loaded of them with the rows as they are now."""
    query = (select(Event).where(Event.id == event_id)
             .options(joinedload(Event.host), selectinload(Event.skills),
                      selectinload(Event.cohosts)))
    if fresh:
        query = query.execution_options(populate_existing=True)
    return db.session.scalar(query)


# Built once: every event page and booking action reads the viewer's own booking.
_OWN_BOOKING = select(Booking).where(Booking.event_id == bindparam("event_id"),
                                     Booking.user_id == bindparam("user_id"))


def own_booking(event: Event, user) -> Booking | None:
    """`user`'s booking for `event` in whatever state, or None."""
    return db.session.scalar(_OWN_BOOKING, {"event_id": event.id, "user_id": user.id})


def bookings_by_event(user, event_ids) -> dict[int, Booking]:
    """The viewer's own bookings for these events, in one statement."""
    ids = list(event_ids)
    if not ids:
        return {}
    return {b.event_id: b for b in db.session.scalars(
        select(Booking).where(Booking.user_id == user.id, Booking.event_id.in_(ids)))}


def attendees(event: Event, page: int) -> tuple[list[User], bool]:
    """One page of the people holding a confirmed seat (by name), and whether there are more:
    one statement."""
    rows = list(db.session.scalars(
        select(User).join(Booking, Booking.user_id == User.id)
        .where(Booking.event_id == event.id, Booking.status == CONFIRMED)
        .order_by(User.display_name, User.id)
        .offset((page - 1) * ATTENDEES_PER_PAGE).limit(ATTENDEES_PER_PAGE + 1)))
    return rows[:ATTENDEES_PER_PAGE], len(rows) > ATTENDEES_PER_PAGE


def proposal(proposal_id: int) -> SessionProposal | None:
    return db.session.scalar(select(SessionProposal).where(SessionProposal.id == proposal_id)
                             .options(joinedload(SessionProposal.skill)))


# -- My events ------------------------------------------------------------------------------


def _my_bookings(user, *statuses: str) -> Select:
    return (select(Booking).join(Booking.event)
            .where(Booking.user_id == user.id, Booking.status.in_(statuses),
                   Event.status == SCHEDULED)
            .options(contains_eager(Booking.event).joinedload(Event.host),
                     contains_eager(Booking.event).selectinload(Event.skills)))


def mine_select(user, group: str, now: datetime | None = None) -> Select:
    now = now or utcnow()
    if group == "hosting":
        cohosting = select(EventCohost.event_id).where(EventCohost.user_id == user.id)
        return _with_cards(select(Event).where(
            or_(Event.host_id == user.id, Event.id.in_(cohosting)),
            Event.status == SCHEDULED, Event.ends_at > now)).order_by(Event.starts_at,
                                                                       Event.id)
    if group == "offered":
        return _my_bookings(user, OFFERED).where(Event.ends_at > now).order_by(
            Booking.offer_expires_at, Booking.id)
    if group == "booked":
        return _my_bookings(user, CONFIRMED).where(Event.ends_at > now).order_by(
            Event.starts_at, Booking.id)
    if group == "waiting":
        return _my_bookings(user, WAITING).where(Event.ends_at > now).order_by(
            Event.starts_at, Booking.id)
    if group == "past":
        return _my_bookings(user, CONFIRMED).where(Event.ends_at <= now).order_by(
            Event.starts_at.desc(), Booking.id)
    raise KeyError(group)


def waitlist_positions(bookings) -> dict[int, int]:
    """booking id → place in its queue (1 = next), for a page of waiting bookings at once."""
    ids = [b.id for b in bookings]
    if not ids:
        return {}
    other = aliased(Booking)
    ahead = (select(func.count()).select_from(other)
             .where(other.event_id == Booking.event_id, other.status == WAITING,
                    or_(other.waiting_since < Booking.waiting_since,
                        and_(other.waiting_since == Booking.waiting_since,
                             other.id < Booking.id)))
             .correlate(Booking).scalar_subquery())
    return dict(db.session.execute(
        select(Booking.id, ahead + 1).where(Booking.id.in_(ids))).all())


def feedback_given(user, event_ids) -> set[int]:
    ids = list(event_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(EventFeedback.event_id).where(
        EventFeedback.user_id == user.id, EventFeedback.event_id.in_(ids))))


def mine_extras(user, groups: dict[str, Pagination]) -> dict:
    """Per-row facts for the pages shown: waitlist places and feedback already given."""
    waiting = groups.get("waiting")
    past = groups.get("past")
    return {
        "positions": waitlist_positions(waiting.items) if waiting else {},
        "rated": feedback_given(user, [b.event_id for b in past.items]) if past else set(),
    }
