"""Demo events: workshops, lunch-and-learns and teach-backs over the last and next six weeks.

`create_events` uses only the `random.Random` it is given. Hosts are people who offer to teach
a skill, and their events are on that skill. Upcoming events have bookings, some are full
with a waitlist, and on a couple a freed seat is being offered to the first person waiting.
Past events have their attendance checked in, materials, and ratings (most with enough for
their hosts to see them). A few teach-backs follow past workshops, hosted by someone who
attended; one upcoming event repeats a past one that had a waitlist; a few session proposals
collect interest, one of them already scheduled. Rows are created directly, not through the
services (which would notify people); every rule the services keep still holds: one booking
per person and event, hosts hold no booking, `seats_taken` counts the confirmed and offered
bookings and `waiting_count` the waiting ones, within the capacity. Flushes, never commits.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from app.accounts.models import User
from app.demo import events_data as words
from app.demo.event_builder import CLAIM_WINDOW, RATED_SHARE, EventBuilder, seats_and_queue
from app.events.models import CONFIRMED, LUNCH_AND_LEARN, TEACH_BACK, WAITING, WORKSHOP, Event
from app.offers.models import LEARN, OPEN, TEACH, Offer
from app.skills.models import Skill

WEEKS = 6
UPCOMING, PAST = 23, 23  # regular events each side, before teach-backs and the repeat
TEACH_BACKS = 3  # of past workshops: one already held, two coming up
PROPOSALS = 5  # open ones; one more is already scheduled
KIND_WEIGHTS = ((WORKSHOP, LUNCH_AND_LEARN), (55, 45))


def create_events(rng: random.Random, people: Sequence[User], skills: Sequence[Skill],
                  offers: Sequence[Offer], *, now: datetime | None = None) -> dict[str, int]:
    """Past and upcoming events with their bookings, waitlists, attendance, materials and
    ratings, and a few session proposals; flushed, not committed. Returns the counts."""
    active = sorted((p for p in people if p.active), key=lambda p: p.id)
    by_person = {p.id: p for p in active}
    by_skill = {s.id: s for s in skills}
    teachers: dict[int, list[User]] = defaultdict(list)
    pairs = []
    for offer in offers:
        person, skill = by_person.get(offer.user_id), by_skill.get(offer.skill_id)
        if offer.kind == TEACH and offer.status == OPEN and person and skill:
            teachers[skill.id].append(person)
            pairs.append((person, skill))
    if len(active) < 12 or len(pairs) < 4:
        return {"upcoming": 0, "past": 0, "bookings": 0, "waiting": 0, "ratings": 0,
                "materials": 0, "proposals": 0}
    built = EventBuilder(rng, (now or datetime.now(UTC)).replace(microsecond=0), active)
    rng.shuffle(pairs)
    by_category: dict[int | None, list[Skill]] = defaultdict(list)
    for skill in skills:
        by_category[skill.category_id].append(skill)

    def plan(count: int, past: bool) -> list[Event]:
        made = []
        for n in range(count):
            host, skill = pairs[(n * 2 + past) % len(pairs)]
            kind = rng.choices(*KIND_WEIGHTS)[0]
            days = WEEKS * 7 * (n + rng.random()) / count
            starts = built.start(host, kind, -days if past else days)
            extra = [s for s in by_category.get(skill.category_id, ()) if s is not skill]
            chosen = [skill] + ([rng.choice(extra)] if extra and rng.random() < 0.3 else [])
            event = built.add(host, sorted(chosen, key=lambda s: s is not skill), kind, starts)
            if rng.random() < 0.15:
                built.cohost(event, teachers)
            made.append(event)
        return made

    past = plan(PAST, past=True)
    upcoming = plan(UPCOMING, past=False)
    for event in past + upcoming:
        taken, waiting = seats_and_queue(rng, event.capacity)
        built.book(event, taken=taken, waiting=waiting, cancelled=rng.choice((0, 0, 1, 2)))
    for event in past:
        built.follow_up(event)
        built.ratings(event, RATED_SHARE if rng.random() < 0.8 else 0.15)
    later = [e for e in upcoming if e.starts_at - built.now > 2 * CLAIM_WINDOW
             and any(b.status == WAITING for b in built.bookings[id(e)])]
    for event in later[:2]:
        built.release_seat(event)

    _teach_backs(built, past)
    _repeat(built, past)
    _proposals(built, offers, by_person, by_skill, upcoming)
    built.write()
    built.stats["upcoming"] = sum(e.starts_at > built.now for e in built.events)
    built.stats["past"] = len(built.events) - built.stats["upcoming"]
    return dict(built.stats)


def _teach_backs(built: EventBuilder, past: list[Event]) -> None:
    """Attendees of the earliest past workshops teach them back: one already held, the
    others coming up."""
    workshops = sorted((e for e in past if e.kind == WORKSHOP and built.attendees(e)),
                       key=lambda e: e.starts_at)[:TEACH_BACKS]
    for n, original in enumerate(workshops):
        host = built.rng.choice(built.attendees(original))
        gap = built.now - original.ends_at
        if n == 0 and gap > timedelta(days=8):  # held halfway between the workshop and now
            starts = built.start(host, TEACH_BACK, -gap.days / 2, after=original.ends_at)
        else:
            starts = built.start(host, TEACH_BACK, built.rng.uniform(3, WEEKS * 7 - 3))
        event = built.add(host, list(original.skills), TEACH_BACK, starts,
                          title=words.TEACH_BACK_TITLE.format(title=original.title),
                          teach_back_of=original)
        taken, _ = seats_and_queue(built.rng, event.capacity)
        built.book(event, taken=min(taken, event.capacity - 1), waiting=0)
        if event.ends_at <= built.now:
            built.follow_up(event)
            built.ratings(event, 0.8)


def _repeat(built: EventBuilder, past: list[Event]) -> None:
    """The host of a past event that had a waitlist runs it again; the people left waiting
    booked first."""
    queued = [e for e in past if any(b.status == WAITING for b in built.bookings[id(e)])]
    if not queued:
        return
    original = queued[0]
    starts = built.start(original.host, original.kind, built.rng.uniform(7, WEEKS * 7 - 2))
    event = built.add(original.host, list(original.skills), original.kind, starts,
                      title=original.title, repeat_of=original)
    event.capacity = max(event.capacity, original.capacity)
    waited = [b.user for b in built.bookings[id(original)] if b.status == WAITING]
    built.book_people(event, waited[:event.capacity],
                      min(built.now, event.created_at + timedelta(hours=2)))


def _proposals(built: EventBuilder, offers: Sequence[Offer], by_person: dict[int, User],
               by_skill: dict[int, Skill], upcoming: list[Event]) -> None:
    """"I'd like a session on X" from people who want to learn X, with colleagues' interest;
    one already turned into an upcoming event."""
    rng = built.rng
    wanted: dict[int, list[User]] = defaultdict(list)
    for offer in offers:
        person = by_person.get(offer.user_id)
        if offer.kind == LEARN and offer.status == OPEN and person is not None:
            wanted[offer.skill_id].append(person)
    popular = sorted((ids for ids in wanted.items() if len(ids[1]) >= 2 and ids[0] in by_skill),
                     key=lambda item: (-len(item[1]), item[0]))[:PROPOSALS]
    for skill_id, learners in popular:
        proposer, others = learners[0], learners[1:]
        interested = others[:rng.randint(1, 6)]
        built.propose(proposer, by_skill[skill_id], interested)
    booked = [e for e in upcoming if built.bookings[id(e)] and e.repeat_of is None]
    if booked:
        event = booked[-1]
        people = [b.user for b in built.bookings[id(event)] if b.status == CONFIRMED]
        if people:
            built.propose(people[0], event.skills[0], people[1:4], event=event)

