"""Building demo events: the rows of one event, its bookings and what follows it.

`EventBuilder` keeps the rows being built and the counts they must agree with; it uses only
the `random.Random` it is given and the `now` it is told. `app.demo.events` decides which
events to build.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.accounts.models import User
from app.core.markdown import render_markdown
from app.demo import events_data as words
from app.events.booking import DEFAULT_CLAIM_WINDOW_HOURS
from app.events.models import (
    CANCELLED,
    CONFIRMED,
    LUNCH_AND_LEARN,
    OFFERED,
    PROPOSAL_SCHEDULED,
    TEACH_BACK,
    TITLE_MAX,
    WAITING,
    WORKSHOP,
    Booking,
    Event,
    EventFeedback,
    EventMaterial,
    ProposalInterest,
    SessionProposal,
)
from app.extensions import db
from app.skills.models import Skill

CLAIM_WINDOW = timedelta(hours=DEFAULT_CLAIM_WINDOW_HOURS)
CAPACITY = {WORKSHOP: (6, 16), LUNCH_AND_LEARN: (15, 40), TEACH_BACK: (5, 12)}
DURATION = {WORKSHOP: (90, 120, 180), LUNCH_AND_LEARN: (30, 45, 60), TEACH_BACK: (45, 60)}
LOCAL_START = {WORKSHOP: (time(10), time(14)), LUNCH_AND_LEARN: (time(12, 30),),
               TEACH_BACK: (time(16),)}
RATING_WEIGHTS = ((5, 4, 3, 2), (45, 35, 15, 5))
CHECK_IN_SHARE, RATED_SHARE, MATERIALS_SHARE = 0.85, 0.6, 0.8


def _zone(person: User) -> ZoneInfo:
    try:
        return ZoneInfo(person.timezone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _weekday(day: date, step: int) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


class EventBuilder:
    """The rows being built, and the counts they must agree with."""

    def __init__(self, rng: random.Random, now: datetime, active: list[User]) -> None:
        self.rng, self.now, self.active = rng, now, active
        self.events: list[Event] = []
        self.bookings: dict[int, list[Booking]] = defaultdict(list)  # by id(event)
        self.rows: list = []  # materials and proposals
        self.interests: list[tuple[SessionProposal, User, datetime]] = []
        self.feedback: list[tuple[Event, User, dict]] = []  # rows need the event's id
        self.stats = defaultdict(int)

    # -- the event ------------------------------------------------------------------------

    def start(self, host: User, kind: str, days: float, after: datetime | None = None
              ) -> datetime:
        """A weekday start about `days` from now at the kind's usual local time in the
        host's zone: in the future for days > 0; otherwise over by now (and, with `after`,
        starting after it)."""
        zone = _zone(host)
        at = self.rng.choice(LOCAL_START[kind])
        longest = timedelta(minutes=max(DURATION[kind]))
        step = 1 if days > 0 or after is not None else -1
        day = (self.now + timedelta(days=days)).astimezone(zone).date()
        for _ in range(30):
            day = _weekday(day, step)
            starts = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
            if days > 0 and starts > self.now:
                return starts
            if days <= 0 and starts + longest <= self.now and (after is None or starts > after):
                return starts
            day += timedelta(days=step)
        return starts  # not reached: a month always has a weekday slot

    def add(self, host: User, skills: list[Skill], kind: str, starts: datetime, *,
            title: str | None = None, **links) -> Event:
        rng = self.rng
        main = skills[0].name
        if title is None:
            title = rng.choice(words.WORKSHOP_TITLES if kind == WORKSHOP
                               else words.LUNCH_TITLES).format(skill=main)
        title = title if len(title) <= TITLE_MAX else title[:TITLE_MAX - 1] + "…"
        duration = rng.choice(DURATION[kind])
        description = self.description(kind, main, links.get("teach_back_of"))
        office = (host.location or "").split(" (")[0]
        remote = office.startswith("Remote")
        online = remote or (kind == LUNCH_AND_LEARN and rng.random() < 0.5)
        location = "" if remote else f"{office or 'Head'} office, {rng.choice(words.ROOMS)}"
        online_url = words.ONLINE_BASE + "-".join(
            "".join(rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(n))
            for n in (3, 4, 3)) if online else ""
        created = min(starts - timedelta(days=rng.uniform(7, 30)),
                      self.now - timedelta(hours=rng.uniform(1, 48)))
        event = Event(
            uid=f"{uuid.uuid4()}@skillswap", kind=kind, title=title,
            description_md=description, description_html=render_markdown(description),
            starts_at=starts, duration_minutes=duration,
            ends_at=starts + timedelta(minutes=duration), timezone=host.timezone or "UTC",
            location=location, online_url=online_url,
            capacity=rng.randint(*CAPACITY[kind]), seats_taken=0, waiting_count=0,
            host=host, skills=skills, created_at=created, updated_at=created, **links)
        self.events.append(event)
        return event

    def description(self, kind: str, skill: str, original: Event | None) -> str:
        rng = self.rng
        parts = [rng.choice(words.INTROS[kind]).format(skill=skill)]
        if original is not None:
            parts.append(f"It follows “{original.title}” with {original.host.display_name}.")
        covers = rng.sample(words.COVERS, k=3)
        parts.append("**What we'll cover**\n\n" + "\n".join(
            f"- {c.format(skill=skill)}" for c in covers))
        parts.append(" ".join((rng.choice(words.AUDIENCES).format(skill=skill),
                               rng.choice(words.BRING))))
        return "\n\n".join(parts)

    def cohost(self, event: Event, teachers: dict[int, list[User]]) -> None:
        others = [p for p in teachers.get(event.skills[0].id, ()) if p is not event.host]
        if others:
            event.cohosts = [self.rng.choice(others)]

    # -- who comes --------------------------------------------------------------------------

    def book(self, event: Event, *, taken: int, waiting: int, cancelled: int = 0) -> None:
        """`taken` confirmed seats, then `waiting` on the waitlist, plus a few who booked
        and cancelled; booking times between the announcement and the start."""
        rng = self.rng
        hosts = {event.host.id} | {c.id for c in event.cohosts}
        pool = [p for p in self.active if p.id not in hosts]
        people = rng.sample(pool, k=min(len(pool), taken + waiting + cancelled))
        opened, closed = event.created_at, min(event.starts_at, self.now)
        times = sorted(opened + (closed - opened) * rng.random() for _ in people)
        rows = self.bookings[id(event)]
        for n, (person, at) in enumerate(zip(people, times, strict=True)):
            if n < taken:
                rows.append(Booking(event=event, user=person, status=CONFIRMED, created_at=at,
                                    confirmed_at=at))
            elif n < taken + waiting:
                rows.append(Booking(event=event, user=person, status=WAITING, created_at=at,
                                    waiting_since=at))
            else:
                rows.append(Booking(event=event, user=person, status=CANCELLED, created_at=at,
                                    confirmed_at=at,
                                    cancelled_at=at + (closed - at) * rng.random()))

    def release_seat(self, event: Event) -> None:
        """Someone cancelled a confirmed seat of a full event: it is offered to the first
        person waiting, who has until the offer expires to claim it."""
        rows = self.bookings[id(event)]
        confirmed = [b for b in rows if b.status == CONFIRMED]
        waiting = sorted((b for b in rows if b.status == WAITING),
                         key=lambda b: b.waiting_since)
        if not confirmed or not waiting:
            return
        first = waiting[0]
        offered_at = max(self.now - timedelta(hours=self.rng.uniform(1, 12)),
                         min(first.waiting_since + timedelta(minutes=10), self.now))
        leaving = self.rng.choice(confirmed)
        leaving.status, leaving.cancelled_at = CANCELLED, offered_at
        first.status, first.offered_at = OFFERED, offered_at
        first.offer_expires_at = min(offered_at + CLAIM_WINDOW, event.starts_at)

    def follow_up(self, event: Event) -> None:
        """After a past event: who came, the reminders that went out, materials, ratings."""
        rng = self.rng
        for booking in self.bookings[id(event)]:
            if booking.status != CONFIRMED:
                continue
            booking.reminded_at = event.starts_at - timedelta(hours=rng.uniform(18, 24))
            booking.feedback_requested_at = min(event.ends_at + timedelta(hours=2), self.now)
            if rng.random() < CHECK_IN_SHARE:
                booking.checked_in_at = event.starts_at + timedelta(minutes=rng.uniform(-5, 10))
        if rng.random() < MATERIALS_SHARE:
            self.materials(event)

    def materials(self, event: Event) -> None:
        rng = self.rng
        slug = f"{event.starts_at:%Y-%m-%d}-{rng.randrange(16 ** 6):06x}"
        added = min(event.ends_at + timedelta(hours=rng.uniform(1, 30)), self.now)
        for title, path in rng.sample(words.MATERIALS, k=rng.choice((1, 2, 2, 3))):
            self.rows.append(EventMaterial(
                event=event, added_by=event.host, title=title,
                url=f"{words.MATERIAL_BASE}{slug}/{path}", created_at=added))
            self.stats["materials"] += 1
        if rng.random() < 0.3:
            notes = rng.choice(words.MATERIAL_NOTES)
            self.rows.append(EventMaterial(
                event=event, added_by=event.host, title="Notes from the session",
                notes_md=notes, notes_html=render_markdown(notes), created_at=added))
            self.stats["materials"] += 1

    def ratings(self, event: Event, share: float) -> None:
        rng = self.rng
        for booking in self.bookings[id(event)]:
            if booking.checked_in_at is None or rng.random() >= share:
                continue
            rating = rng.choices(*RATING_WEIGHTS)[0]
            self.feedback.append((event, booking.user, dict(
                rating=rating, comment=rng.choice(words.FEEDBACK_COMMENTS[rating]),
                created_at=min(event.ends_at + timedelta(hours=rng.uniform(1, 72)),
                               self.now))))
            self.stats["ratings"] += 1

    def attendees(self, event: Event) -> list[User]:
        return [b.user for b in self.bookings[id(event)] if b.checked_in_at is not None]

    def book_people(self, event: Event, people: list[User], at: datetime) -> None:
        """Confirmed seats for `people`, booked at `at`."""
        self.bookings[id(event)] += [Booking(event=event, user=person, status=CONFIRMED,
                                             created_at=at, confirmed_at=at)
                                     for person in people]

    def propose(self, proposer: User, skill: Skill, interested: list[User], *,
                event: Event | None = None) -> None:
        """A session proposal with the interest of `interested` (and of the proposer, as
        when proposing through the site); scheduled as `event` when given."""
        text = self.rng.choice(words.PROPOSALS).format(skill=skill.name)
        created = self.now - timedelta(days=self.rng.uniform(3, 30))
        if event is not None:
            created = min(created, event.created_at - timedelta(days=1))
        proposal = SessionProposal(user=proposer, skill=skill, text=text, created_at=created,
                                   interest_count=1 + len(interested))
        if event is not None:
            proposal.status, proposal.event = PROPOSAL_SCHEDULED, event
        self.rows.append(proposal)
        self.interests.append((proposal, proposer, created))
        for person in interested:
            self.interests.append(
                (proposal, person, created + timedelta(hours=self.rng.uniform(1, 72))))
        self.stats["proposals"] += 1

    def write(self) -> None:
        """Add every row built, with the events' counters set from their bookings; flush."""
        self.settle()
        db.session.add_all(self.events)
        db.session.add_all(self.rows)
        db.session.flush()  # ids for the interests and ratings
        db.session.add_all(ProposalInterest(proposal_id=proposal.id, user_id=person.id,
                                            created_at=at)
                           for proposal, person, at in self.interests)
        db.session.add_all(EventFeedback(event_id=event.id, user_id=person.id, **fields)
                           for event, person, fields in self.feedback)
        db.session.flush()

    def settle(self) -> None:
        """Set every event's counters from its bookings, and add the bookings."""
        for event in self.events:
            rows = self.bookings[id(event)]
            event.seats_taken = sum(b.status in (CONFIRMED, OFFERED) for b in rows)
            event.waiting_count = sum(b.status == WAITING for b in rows)
            assert event.seats_taken <= event.capacity
            self.stats["bookings"] += sum(b.status in (CONFIRMED, OFFERED) for b in rows)
            self.stats["waiting"] += event.waiting_count
            db.session.add_all(rows)


def seats_and_queue(rng: random.Random, capacity: int) -> tuple[int, int]:
    """Seats taken and people waiting: some events full with a queue, most partly full."""
    roll = rng.random()
    if roll < 0.3:
        return capacity, rng.randint(1, 5)
    if roll < 0.4:
        return capacity, 0
    return max(1, round(capacity * rng.uniform(0.3, 0.9))), 0
