"""Scheduling, changing, cancelling, repeating events, and teach-backs, at the service level."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.events import booking as seats
from app.events import services
from app.events.models import (
    CANCELLED,
    CONFIRMED,
    LAPSED,
    LUNCH_AND_LEARN,
    OFFERED,
    PROPOSAL_SCHEDULED,
    TEACH_BACK,
    Booking,
)
from app.extensions import db
from app.skills.services import add_alias
from tests.events.factories import book, fill, make_event
from tests.factories import make_admin, make_user
from tests.offers.factories import make_skill

NEXT_YEAR = utcnow().year + 1


def details(**overrides) -> dict:
    fields = {"kind": LUNCH_AND_LEARN, "title": "Window functions over lunch",
              "skills": ["SQL"], "description": "Bring **questions**.",
              "starts_at": datetime(NEXT_YEAR, 3, 10, 12, 30), "duration_minutes": 45,
              "timezone": "Europe/Paris", "location": "Room 4", "online_url": "",
              "capacity": 12, "cohosts": []}
    fields.update(overrides)
    return fields


@contextmanager
def received(signal):
    """Every (sender, kwargs) the signal sends while the block runs."""
    calls = []

    def receiver(sender, **kwargs):
        calls.append((sender, kwargs))

    with signal.connected_to(receiver):
        yield calls


@pytest.fixture
def host(app):
    return make_user(handle="hana", timezone="Europe/Paris")


# -- Scheduling -----------------------------------------------------------------------------


def test_scheduling_stores_utc_times_rendered_markdown_and_a_stable_uid(host):
    event = services.schedule_event(host, **details())
    db.session.commit()
    # 12:30 in Paris in March (winter time, UTC+1) is 11:30 UTC.
    assert event.starts_at == datetime(NEXT_YEAR, 3, 10, 11, 30, tzinfo=UTC)
    assert event.ends_at - event.starts_at == timedelta(minutes=45)
    assert event.uid.endswith("@skillswap") and len(event.uid) <= 64
    assert event.description_html == "<p>Bring <strong>questions</strong>.</p>"
    assert (event.sequence, event.seats_taken, event.waiting_count) == (0, 0, 0)
    assert event.host == host and event.status == "scheduled"
    other = services.schedule_event(host, **details())
    assert other.uid != event.uid


def test_time_zone_defaults_to_the_hosts_own(host):
    fields = details()
    del fields["timezone"]
    event = services.schedule_event(host, **fields)
    assert event.timezone == "Europe/Paris"


def test_skills_are_found_by_alias_and_new_names_create_skills(host):
    postgres = make_skill("PostgreSQL")
    add_alias(make_admin(), postgres, "Postgres")
    db.session.commit()
    event = services.schedule_event(host, **details(skills=["postgres", "Query tuning",
                                                           "PostgreSQL"]))
    assert sorted(s.name for s in event.skills) == ["PostgreSQL", "Query tuning"]
    assert event.skills[0].id == postgres.id or event.skills[1].id == postgres.id


def test_cohosts_are_found_by_handle(host):
    ana, ben = make_user(handle="ana"), make_user(handle="ben")
    event = services.schedule_event(host, **details(cohosts=["@Ana", "ben", "hana"]))
    assert {u.id for u in event.cohosts} == {ana.id, ben.id}  # the host is not their own co-host


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"duration_minutes": 0}, "duration_minutes", "must end after it starts"),
    ({"duration_minutes": -30}, "duration_minutes", "must end after it starts"),
    ({"duration_minutes": 1441}, "duration_minutes", "5 to 1440"),
    ({"capacity": 0}, "capacity", "from 1 to 500"),
    ({"capacity": -4}, "capacity", "from 1 to 500"),
    ({"capacity": 10_000}, "capacity", "from 1 to 500"),
    ({"capacity": "lots"}, "capacity", "from 1 to 500"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "time zone"),
    ({"location": "", "online_url": ""}, "location", "a place, an online link"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"online_url": "ftp://files.example.com"}, "online_url", "https://"),
    ({"starts_at": datetime(2001, 1, 1, 9, 0)}, "starts_at", "in the future"),
    ({"title": "Hi"}, "title", "at least 5"),
    ({"title": "x" * 151}, "title", "150"),
    ({"skills": []}, "skills", "at least one skill"),
    ({"skills": [f"Skill {n}" for n in range(6)]}, "skills", "at most 5"),
    ({"skills": ["<script>"]}, "skills", "Use letters"),
    ({"cohosts": ["nobody-here"]}, "cohosts", "@nobody-here"),
    ({"cohosts": ["a-1", "a-2", "a-3", "a-4", "a-5", "a-6"]}, "cohosts", "at most 5"),
    ({"kind": "party"}, "kind", "workshop"),
    ({"description": "x" * 10_001}, "description", "10,000"),
])
def test_bad_details_are_refused_with_the_field_to_fix(host, overrides, field, words):
    with pytest.raises(Invalid) as refused:
        services.schedule_event(host, **details(**overrides))
    assert refused.value.field == field
    assert words in refused.value.message


def test_a_wall_clock_time_skipped_by_the_clock_change_is_refused(host):
    # Europe/Paris jumps from 02:00 to 03:00 on the last Sunday of March.
    last_sunday = max(datetime(NEXT_YEAR, 3, d) for d in range(25, 32)
                      if datetime(NEXT_YEAR, 3, d).weekday() == 6)
    with pytest.raises(Invalid) as refused:
        services.schedule_event(host, **details(starts_at=last_sunday.replace(hour=2,
                                                                              minute=30)))
    assert refused.value.field == "starts_at" and "clocks go forward" in refused.value.message


def test_an_online_only_event_needs_no_place(host):
    event = services.schedule_event(host, **details(location="",
                                                    online_url="https://meet.example.com/x"))
    assert event.online_url == "https://meet.example.com/x" and event.location == ""


# -- Changing -------------------------------------------------------------------------------


def test_every_change_raises_the_sequence_and_time_changes_are_announced(host):
    event = make_event(host, capacity=5)
    book(event)
    with received(signals.event_changed) as calls:
        assert services.update_event(event, host, title="A better title") == []
        assert event.sequence == 1 and calls == []
        told = services.update_event(event, host, starts_at=event.starts_at + timedelta(hours=1),
                                     location="Room 9")
    db.session.commit()
    assert told == ["the time", "the place"]
    assert event.sequence == 2
    assert calls == [(event, {"by": host, "changes": ["the time", "the place"]})]
    assert event.ends_at == event.starts_at + timedelta(minutes=event.duration_minutes)


def test_saving_the_same_details_changes_nothing(host):
    event = make_event(host)
    same = {"kind": event.kind, "title": event.title, "location": event.location,
            "capacity": event.capacity, "skills": [s.name for s in event.skills]}
    assert services.update_event(event, host, **same) == []
    assert event.sequence == 0


def test_a_longer_duration_moves_the_end_and_counts_as_a_new_time(host):
    event = make_event(host, duration_minutes=60)
    told = services.update_event(event, host, duration_minutes=90)
    assert told == ["the time"]
    assert event.ends_at - event.starts_at == timedelta(minutes=90)


def test_raising_capacity_offers_seats_to_the_waitlist(host):
    event = make_event(host, capacity=1, starts_in=timedelta(days=5))
    _, waiting = fill(event, waiting=1)
    told = services.update_event(event, host, capacity=2)
    db.session.commit()
    db.session.refresh(waiting)
    assert told == ["the capacity"] and waiting.status == OFFERED
    assert (event.capacity, event.seats_taken, event.sequence) == (2, 2, 1)


def test_capacity_below_the_seats_taken_is_refused_next_to_the_field(host):
    event = make_event(host, capacity=3)
    fill(event)
    with pytest.raises(Invalid) as refused:
        services.update_event(event, host, capacity=2, title="Renamed meanwhile")
    assert refused.value.field == "capacity" and "3 people already hold a seat" in str(
        refused.value)
    db.session.rollback()
    assert event.capacity == 3 and event.title != "Renamed meanwhile"


def test_moving_the_start_earlier_cuts_a_held_seat_short(host):
    event = make_event(host, capacity=1, starts_in=timedelta(days=5))
    first, second = fill(event, waiting=1)
    seats.cancel_booking(first, first.user)
    db.session.commit()
    new_start = utcnow().replace(microsecond=0) + timedelta(hours=12)
    services.update_event(event, host, starts_at=new_start)
    db.session.commit()
    db.session.refresh(second)
    assert second.status == OFFERED and second.offer_expires_at == new_start


def test_cohosts_and_admins_may_change_an_event_but_nobody_else(host):
    cohost, admin, stranger = make_user(), make_admin(), make_user()
    event = make_event(host, cohosts=[cohost])
    services.update_event(event, cohost, title="Changed by the co-host")
    services.update_event(event, admin, title="Changed by an admin")
    with pytest.raises(NotAllowed):
        services.update_event(event, stranger, title="Changed by a stranger")
    assert event.title == "Changed by an admin"


def test_a_cancelled_or_ended_event_cannot_be_changed(host):
    ended = make_event(host, starts_in=timedelta(hours=-3))
    with pytest.raises(Conflict, match="has ended"):
        services.update_event(ended, host, title="Too late now")
    cancelled = make_event(host)
    services.cancel_event(cancelled, host)
    with pytest.raises(Conflict, match="cancelled"):
        services.update_event(cancelled, host, title="Too late now")


def test_an_event_under_way_keeps_its_start_but_cannot_move_into_the_past(host):
    running = make_event(host, starts_in=timedelta(minutes=-10), duration_minutes=60)
    services.update_event(running, host, duration_minutes=90)  # the start stays: fine
    with pytest.raises(Invalid) as refused:
        services.update_event(running, host, starts_at=running.starts_at - timedelta(hours=1))
    assert refused.value.field == "starts_at"


# -- Cancelling -----------------------------------------------------------------------------


def test_cancelling_cancels_every_booking_and_tells_those_people(host):
    event = make_event(host, capacity=2, starts_in=timedelta(days=4))
    gone, kept, offered_to, waiting = fill(event, waiting=2)
    seats.cancel_booking(gone, gone.user)  # offers the seat to the first person waiting
    db.session.commit()
    with received(signals.event_cancelled) as calls:
        told = services.cancel_event(event, host)
    db.session.commit()
    assert {u.id for u in told} == {kept.user_id, offered_to.user_id, waiting.user_id}
    assert calls == [(event, {"by": host, "notify": told})]
    assert (event.status, event.seats_taken, event.waiting_count, event.sequence) == (
        CANCELLED, 0, 0, 1)
    assert event.cancelled_at is not None
    statuses = db.session.scalars(select(Booking.status).where(Booking.event_id == event.id))
    assert set(statuses) == {CANCELLED}


def test_cancelling_is_for_hosts_and_only_once(host):
    event = make_event(host)
    with pytest.raises(NotAllowed):
        services.cancel_event(event, make_user())
    services.cancel_event(event, host)
    with pytest.raises(Conflict, match="already cancelled"):
        services.cancel_event(event, host)
    with pytest.raises(Conflict, match="has ended"):
        services.cancel_event(make_event(host, starts_in=timedelta(days=-1)), host)


# -- Repeats, teach-backs and proposals -----------------------------------------------------


def test_a_repeat_tells_the_people_left_waiting_first(host):
    original = make_event(host, capacity=1, starts_in=timedelta(days=2))
    booked, waiting, lapsed = fill(original, waiting=2)
    db.session.execute(Booking.__table__.update().where(Booking.id == lapsed.id)
                       .values(status=LAPSED))
    db.session.commit()
    with received(signals.event_repeat_scheduled) as calls:
        repeat = services.schedule_event(host, repeat_of=original, **details())
    assert repeat.repeat_of_id == original.id
    assert calls == [(repeat, {"to": [waiting.user, lapsed.user]})]
    assert booked.user not in calls[0][1]["to"]


def test_a_repeat_without_a_waitlist_sends_nothing_and_only_hosts_repeat(host):
    original = make_event(host)
    with received(signals.event_repeat_scheduled) as calls:
        services.schedule_event(host, repeat_of=original, **details())
    assert calls == []
    with pytest.raises(NotAllowed):
        services.schedule_event(make_user(), repeat_of=original, **details())


def test_a_teach_back_points_at_the_event_it_teaches_back(host):
    workshop = make_event(make_user(), starts_in=timedelta(days=-7))
    event = services.schedule_event(host, teach_back_of=workshop,
                                    **details(kind=TEACH_BACK))
    db.session.commit()
    assert event.teach_back_of == workshop and event.kind == TEACH_BACK


def test_an_event_made_from_a_proposal_schedules_the_proposal(host):
    from app.events.proposals import add_interest, propose_session

    wisher = make_user()
    proposal = propose_session(wisher, "Terraform", "A gentle intro to Terraform modules.")
    add_interest(proposal, host)
    with received(signals.proposal_scheduled) as calls:
        event = services.schedule_event(host, proposal=proposal,
                                        **details(skills=["Terraform"]))
    db.session.commit()
    assert (proposal.status, proposal.event_id) == (PROPOSAL_SCHEDULED, event.id)
    assert [u.id for u in calls[0][1]["to"]] == [wisher.id]


# -- The signed-in person's own booking -----------------------------------------------------


def test_own_booking_actions_explain_what_cannot_be_done(host):
    event = make_event(host, capacity=1, starts_in=timedelta(days=3))
    me = make_user()
    with pytest.raises(Conflict, match="don't have a booking"):
        services.cancel_own_booking(event, me)
    with pytest.raises(Conflict, match="no seat offered"):
        services.claim_own_seat(event, me)
    mine = services.book(event, me)
    assert mine.status == CONFIRMED
    with pytest.raises(Conflict, match="already booked"):
        services.book(event, me)
    services.cancel_own_booking(event, me)
    assert mine.status == CANCELLED


def test_an_expired_offer_cannot_be_claimed(host):
    event = make_event(host, capacity=1, starts_in=timedelta(days=3))
    first, second = fill(event, waiting=1)
    seats.cancel_booking(first, first.user)
    db.session.commit()
    assert second.status == OFFERED
    with pytest.raises(Conflict, match="offer expired"):
        services.claim_own_seat(event, second.user, now=utcnow() + timedelta(hours=25))
    db.session.rollback()
    seats.expire_offers(utcnow() + timedelta(hours=25))
    db.session.commit()
    with pytest.raises(Conflict, match="offer expired"):
        services.claim_own_seat(event, second.user)
    db.session.refresh(second)
    assert second.status == LAPSED and event.seats_taken == 0
