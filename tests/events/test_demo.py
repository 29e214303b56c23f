"""`flask seed demo` creates events worth exploring — past and upcoming, all three kinds, full
ones with waitlists, attendance, materials, ratings, teach-backs, a repeat and proposals —
whose counters agree with their rows, the same ones for the same seed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app import create_app
from app.core.db import utcnow
from app.demo.events import create_events
from app.demo.offers import create_offers
from app.demo.people import create_people
from app.demo.skills import create_taxonomy
from app.events.models import (
    CONFIRMED,
    FEEDBACK_MIN_FOR_HOSTS,
    KINDS,
    OFFERED,
    PROPOSAL_OPEN,
    PROPOSAL_SCHEDULED,
    SCHEDULED,
    TEACH_BACK,
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
from tests.conftest import make_test_config


@pytest.fixture
def seeded(app, runner):
    result = runner.invoke(args=["seed", "demo", "--people", "80", "--questions", "0"])
    assert result.exit_code == 0, result.output
    return result.output


def _bookings_by_event() -> dict[int, Counter]:
    found: dict[int, Counter] = {}
    for event_id, status, count in db.session.execute(
            select(Booking.event_id, Booking.status, func.count())
            .group_by(Booking.event_id, Booking.status)):
        found.setdefault(event_id, Counter())[status] = count
    return found


def test_past_and_upcoming_events_of_every_kind(seeded):
    now = utcnow()
    events = db.session.scalars(select(Event)).all()
    upcoming = [e for e in events if e.starts_at > now]
    past = [e for e in events if e.ends_at <= now]
    assert len(upcoming) >= 20 and len(past) >= 20
    assert "upcoming and" in seeded and "past events" in seeded
    assert {e.kind for e in events} == set(KINDS)
    assert {e.kind for e in upcoming} >= {WORKSHOP, TEACH_BACK}
    assert all(e.status == SCHEDULED and e.skills for e in events)
    span = max(e.starts_at for e in events) - min(e.starts_at for e in events)
    assert 70 <= span.days <= 90  # about six weeks either side of today
    assert all(e.uid and e.description_html and (e.location or e.online_url) for e in events)


def test_counters_agree_with_the_bookings(seeded):
    by_event = _bookings_by_event()
    for event in db.session.scalars(select(Event)):
        counts = by_event.get(event.id, Counter())
        assert event.seats_taken == counts[CONFIRMED] + counts[OFFERED], event
        assert event.waiting_count == counts[WAITING], event
        assert 0 <= event.seats_taken <= event.capacity
        hosts = {event.host_id} | {c.id for c in event.cohosts}
        booked = set(db.session.scalars(select(Booking.user_id)
                                        .where(Booking.event_id == event.id)))
        assert not hosts & booked, "hosts never hold a booking"


def test_full_events_with_waitlists_offers_and_attendance(seeded):
    now = utcnow()
    by_event = _bookings_by_event()
    events = db.session.scalars(select(Event)).all()
    full_waiting = [e for e in events if e.seats_taken == e.capacity and e.waiting_count]
    assert len([e for e in full_waiting if e.starts_at > now]) >= 2
    offers = db.session.scalars(select(Booking).where(Booking.status == OFFERED)).all()
    assert offers and all(now < b.offer_expires_at <= b.event.starts_at for b in offers)
    past = [e for e in events if e.ends_at <= now]
    checked_in = db.session.scalar(select(func.count()).select_from(Booking)
                                   .where(Booking.checked_in_at.is_not(None)))
    assert checked_in > 100
    assert all(b.event.ends_at <= now and b.status == CONFIRMED for b in db.session.scalars(
        select(Booking).where(Booking.checked_in_at.is_not(None))))
    assert all(by_event.get(e.id) for e in past)


def test_past_events_have_materials_and_ratings(seeded):
    now = utcnow()
    with_materials = set(db.session.scalars(select(EventMaterial.event_id)))
    ratings = dict(db.session.execute(select(EventFeedback.event_id, func.count())
                                      .group_by(EventFeedback.event_id)).all())
    past = {e.id for e in db.session.scalars(select(Event).where(Event.ends_at <= now))}
    assert with_materials <= past and len(with_materials) >= len(past) // 2
    assert all(m.url.startswith("https://") or m.notes_md
               for m in db.session.scalars(select(EventMaterial)))
    assert set(ratings) <= past
    assert sum(1 for n in ratings.values() if n >= FEEDBACK_MIN_FOR_HOSTS) >= 5
    # Only people who were there rate it.
    rated = db.session.execute(select(EventFeedback.event_id, EventFeedback.user_id)).all()
    attended = set(db.session.execute(select(Booking.event_id, Booking.user_id)
                                      .where(Booking.checked_in_at.is_not(None))).all())
    assert set(rated) <= attended


def test_teach_backs_repeats_and_proposals(seeded):
    teach_backs = db.session.scalars(select(Event).where(Event.teach_back_of_id.is_not(None)))
    teach_backs = list(teach_backs)
    assert len(teach_backs) >= 2
    for event in teach_backs:
        assert event.kind == TEACH_BACK and event.teach_back_of.kind == WORKSHOP
        assert event.starts_at > event.teach_back_of.ends_at
        went = db.session.scalar(select(Booking.checked_in_at).where(
            Booking.event_id == event.teach_back_of_id, Booking.user_id == event.host_id))
        assert went is not None, "a teach-back is hosted by someone who attended"
    repeat = db.session.scalar(select(Event).where(Event.repeat_of_id.is_not(None)))
    assert repeat is not None and repeat.repeat_of.waiting_count > 0
    assert repeat.title == repeat.repeat_of.title and repeat.host_id == repeat.repeat_of.host_id

    proposals = db.session.scalars(select(SessionProposal)).all()
    assert len([p for p in proposals if p.status == PROPOSAL_OPEN]) >= 2
    scheduled = [p for p in proposals if p.status == PROPOSAL_SCHEDULED]
    assert len(scheduled) == 1 and scheduled[0].event_id is not None
    for proposal in proposals:
        interested = set(db.session.scalars(select(ProposalInterest.user_id)
                                            .where(ProposalInterest.proposal_id == proposal.id)))
        assert proposal.interest_count == len(interested) >= 2
        assert proposal.user_id in interested


def test_same_seed_gives_the_same_events(backend, tmp_path):
    if backend["name"] != "sqlite":
        pytest.skip("the generator's determinism does not depend on the database")
    now = datetime(2031, 3, 4, 9, 30, tzinfo=UTC)
    shapes = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        app = create_app(make_test_config(backend, tmp_path / name))
        with app.app_context():
            db.create_all()
            people = create_people(random.Random(5), 60)
            skills = create_taxonomy()
            offers = create_offers(random.Random("offers-5"), people, skills, now=now)
            create_events(random.Random("events-5"), people, skills, offers, now=now)
            db.session.commit()
            shapes.append(db.session.execute(
                select(Event.title, Event.kind, Event.starts_at, Event.capacity,
                       Event.seats_taken, Event.waiting_count).order_by(Event.id)).all())
            db.session.remove()
            db.engine.dispose()
    assert shapes[0] and shapes[0] == shapes[1]
