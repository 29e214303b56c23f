"""The booking services one rule at a time: seats, the waitlist and its order, offers and
their expiry, claims, capacity changes and the signals each step sends.

After every step the event's counters must agree with its bookings: `seats_taken` equals the
confirmed plus offered bookings (never above the capacity) and `waiting_count` the waiting
ones — the lists show those counters, so a drift is a wrong page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.events import booking as services
from app.events import services as event_services
from app.events.models import (
    CANCELLED,
    CONFIRMED,
    LAPSED,
    OFFERED,
    WAITING,
    Booking,
    Event,
)
from app.extensions import db
from tests.events.factories import book, fill, make_event
from tests.factories import make_user

BOOKING_SIGNALS = (signals.event_booked, signals.event_waitlisted, signals.seat_offered,
                   signals.seat_offer_expired)


@pytest.fixture
def sent():
    """Every booking signal sent during the test, as (signal name, booking, keyword args)."""
    log: list[tuple[str, Booking, dict]] = []
    receivers = []
    for signal in BOOKING_SIGNALS:
        def receiver(sender, _name=signal.name, **kwargs):
            log.append((_name, sender, kwargs))
        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield log
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def counts(event: Event) -> dict[str, int]:
    """The event's bookings by status, after checking the counters agree with them."""
    db.session.refresh(event)
    found = dict(db.session.execute(
        select(Booking.status, func.count()).where(Booking.event_id == event.id)
        .group_by(Booking.status)).all())
    assert event.seats_taken == found.get(CONFIRMED, 0) + found.get(OFFERED, 0), found
    assert event.waiting_count == found.get(WAITING, 0), found
    assert 0 <= event.seats_taken <= event.capacity
    return {status: n for status, n in found.items() if n}


def statuses(bookings: list[Booking]) -> list[str]:
    for booking in bookings:
        db.session.refresh(booking)
    return [b.status for b in bookings]


def positions(bookings: list[Booking]) -> list[int | None]:
    for booking in bookings:
        db.session.refresh(booking)
    return [services.waitlist_position(b) for b in bookings]


def names(log) -> list[tuple[str, int]]:
    return [(name, booking.id) for name, booking, _ in log]


# -- Booking -----------------------------------------------------------------------------


def test_booking_a_free_seat_confirms_it(app, sent):
    event = make_event(capacity=2)
    person = make_user()
    now = utcnow()

    booking = services.book_seat(event, person, now=now)
    db.session.commit()

    assert (booking.status, booking.user_id, booking.event_id) == (CONFIRMED, person.id, event.id)
    assert booking.confirmed_at == now and booking.waiting_since is None
    assert services.waitlist_position(booking) is None
    assert counts(event) == {CONFIRMED: 1}
    assert (event.seats_taken, event.seats_left) == (1, 1)
    assert [(name, b.id, kw) for name, b, kw in sent] == [
        ("event-booked", booking.id, {"how": "booked"})]


def test_a_full_event_puts_people_on_the_waitlist_in_order(app, sent):
    event = make_event(capacity=1)
    [seat] = fill(event)
    sent.clear()

    queue = [book(event) for _ in range(3)]

    assert statuses([seat, *queue]) == [CONFIRMED, WAITING, WAITING, WAITING]
    assert all(b.waiting_since is not None and b.offer_expires_at is None for b in queue)
    assert positions(queue) == [1, 2, 3]
    assert counts(event) == {CONFIRMED: 1, WAITING: 3}
    assert event.seats_left == 0
    assert [(name, kw) for name, _, kw in sent] == [
        ("event-waitlisted", {"position": 1}), ("event-waitlisted", {"position": 2}),
        ("event-waitlisted", {"position": 3})]
    assert [b.id for _, b, _ in sent] == [b.id for b in queue]


def test_booking_twice_is_refused_whatever_the_booking_holds(app, sent):
    event = make_event(capacity=2)
    confirmed, leaving, offered = fill(event, waiting=1)
    services.cancel_booking(leaving, leaving.user)  # frees a seat: offered to the one waiting
    full = make_event(capacity=1)
    fill(full)
    queued = book(full)
    assert statuses([confirmed, offered, queued]) == [CONFIRMED, OFFERED, WAITING]
    before = (counts(event), counts(full))
    sent.clear()

    refusals = [(event, confirmed, "You've already booked this event."),
                (event, offered, "A seat is already held for you"),
                (full, queued, "You're already on the waitlist")]
    for where, booking, message in refusals:
        with pytest.raises(Conflict, match=message):
            services.book_seat(where, booking.user)
    db.session.commit()

    assert (counts(event), counts(full)) == before
    assert statuses([confirmed, offered, queued]) == [CONFIRMED, OFFERED, WAITING]
    assert sent == []


def test_booking_again_after_cancelling_reuses_the_booking(app, sent):
    event = make_event(capacity=1)
    person = make_user()
    first = services.book_seat(event, person)
    services.cancel_booking(first, person)
    db.session.commit()
    assert counts(event) == {CANCELLED: 1}
    assert first.cancelled_at is not None

    again = services.book_seat(event, person)
    db.session.commit()

    assert again.id == first.id
    assert (again.status, again.cancelled_at, again.waiting_since) == (CONFIRMED, None, None)
    assert counts(event) == {CONFIRMED: 1}
    assert [kw.get("how") for _, _, kw in sent] == ["booked", "booked"]


def test_booking_again_after_cancelling_joins_the_back_of_the_queue(app):
    event = make_event(capacity=1)
    _, early, late = fill(event, waiting=2)
    services.cancel_booking(early, early.user)
    db.session.commit()
    assert positions([late]) == [1]

    again = services.book_seat(event, early.user)
    db.session.commit()

    assert again.id == early.id and again.status == WAITING
    assert positions([late, again]) == [1, 2]
    assert counts(event) == {CONFIRMED: 1, WAITING: 2}


def test_the_host_and_cohosts_cannot_book_their_own_event(app):
    host, cohost = make_user(), make_user()
    event = make_event(host, cohosts=[cohost])

    for person in (host, cohost):
        with pytest.raises(NotAllowed, match="hosting this event"):
            services.book_seat(event, person)
    assert counts(event) == {}


@pytest.mark.parametrize("change, message", [
    ({"status": CANCELLED}, "was cancelled"),
    ({"starts_in": timedelta(days=-2)}, "already started"),
    ({"starts_in": timedelta(minutes=-10), "duration_minutes": 60}, "already started"),
])
def test_a_cancelled_or_started_event_cannot_be_booked(app, change, message):
    event = make_event(**change)

    with pytest.raises(Conflict, match=message):
        services.book_seat(event, make_user())
    assert counts(event) == {}


def test_a_booking_made_at_a_given_moment_is_checked_against_that_moment(app):
    event = make_event(starts_in=timedelta(hours=1))
    with pytest.raises(Conflict, match="already started"):
        services.book_seat(event, make_user(), now=event.starts_at)
    assert services.book_seat(event, make_user(),
                              now=event.starts_at - timedelta(seconds=1)).status == CONFIRMED


@pytest.mark.parametrize("full", [False, True], ids=["seat", "waitlist"])
def test_a_booking_rolled_back_with_its_request_leaves_nothing_behind(app, full):
    """One commit per request: when something after the booking fails and the request rolls
    back, the seat (or the place in the queue) goes back too — on SQLite as well, where a
    savepoint opened first must not start (and on release commit) a transaction of its own."""
    event = make_event(capacity=1)
    if full:
        fill(event)
    before = counts(event)

    services.book_seat(event, make_user())
    db.session.rollback()

    assert counts(event) == before


# -- Cancelling ----------------------------------------------------------------------------


def test_nobody_can_cancel_someone_elses_booking(app):
    event = make_event(capacity=1)
    seat, waiting = fill(event, waiting=1)

    for booking in (seat, waiting):
        with pytest.raises(NotAllowed, match="your own booking"):
            services.cancel_booking(booking, event.host)
        with pytest.raises(NotAllowed):
            services.cancel_booking(booking, make_user())
    assert statuses([seat, waiting]) == [CONFIRMED, WAITING]
    assert counts(event) == {CONFIRMED: 1, WAITING: 1}


def test_cancelling_twice_is_a_conflict(app):
    event = make_event(capacity=1)
    booking = book(event)
    services.cancel_booking(booking, booking.user)
    db.session.commit()

    with pytest.raises(Conflict, match="already cancelled"):
        services.cancel_booking(booking, booking.user)
    assert counts(event) == {CANCELLED: 1}


def test_leaving_the_waitlist_moves_the_people_behind_up_and_offers_nothing(app, sent):
    event = make_event(capacity=1)
    seat, first, second, third = fill(event, waiting=3)
    sent.clear()

    services.cancel_booking(second, second.user)
    db.session.commit()

    assert statuses([seat, first, second, third]) == [CONFIRMED, WAITING, CANCELLED, WAITING]
    assert positions([first, third]) == [1, 2]
    assert counts(event) == {CONFIRMED: 1, WAITING: 2, CANCELLED: 1}
    assert sent == []


def test_a_cancelled_seat_is_offered_to_whoever_has_waited_longest(app, sent):
    event = make_event(capacity=2, starts_in=timedelta(days=5))
    first_seat, second_seat, w1, w2, w3 = fill(event, waiting=3)
    # Queue order is waiting_since, then id: w3 joined first; w1 and w2 at the same instant.
    t0 = utcnow() - timedelta(hours=1)
    for booking, since in ((w3, t0), (w1, t0 + timedelta(seconds=1)),
                           (w2, t0 + timedelta(seconds=1))):
        db.session.execute(update(Booking).where(Booking.id == booking.id)
                           .values(waiting_since=since))
    db.session.commit()
    assert positions([w3, w1, w2]) == [1, 2, 3]
    sent.clear()

    now = utcnow()
    services.cancel_booking(first_seat, first_seat.user, now=now)
    db.session.commit()

    assert statuses([first_seat, w3, w1, w2]) == [CANCELLED, OFFERED, WAITING, WAITING]
    assert (w3.offered_at, w3.offer_expires_at) == (now, now + timedelta(hours=24))
    assert positions([w1, w2]) == [1, 2]
    assert counts(event) == {CONFIRMED: 1, OFFERED: 1, WAITING: 2, CANCELLED: 1}
    assert names(sent) == [("seat-offered", w3.id)]

    services.cancel_booking(second_seat, second_seat.user)
    db.session.commit()
    assert statuses([w3, w1, w2]) == [OFFERED, OFFERED, WAITING]
    assert counts(event) == {OFFERED: 2, WAITING: 1, CANCELLED: 2}


def test_giving_up_an_offered_seat_offers_it_to_the_next_person(app, sent):
    event = make_event(capacity=1)
    seat, first, second = fill(event, waiting=2)
    services.cancel_booking(seat, seat.user)
    db.session.commit()
    sent.clear()

    services.cancel_booking(first, first.user)
    db.session.commit()

    assert statuses([first, second]) == [CANCELLED, OFFERED]
    assert counts(event) == {OFFERED: 1, CANCELLED: 2}
    assert names(sent) == [("seat-offered", second.id)]


def test_a_seat_freed_when_nobody_waits_is_simply_free_again(app, sent):
    event = make_event(capacity=2)
    first, second = fill(event)
    sent.clear()

    services.cancel_booking(first, first.user)
    db.session.commit()

    assert counts(event) == {CONFIRMED: 1, CANCELLED: 1}
    assert event.seats_left == 1
    assert sent == []
    assert book(event).status == CONFIRMED


# -- Offers: expiry and claims ---------------------------------------------------------------


def _offer_to_first_of(event: Event, waiting: int, now=None) -> list[Booking]:
    """Fill `event` (capacity 1), queue `waiting` people, then cancel the seat so the first
    of them is offered it. Returns [seat, *queue]."""
    bookings = fill(event, waiting=waiting)
    services.cancel_booking(bookings[0], bookings[0].user, now=now)
    db.session.commit()
    return bookings


def test_an_unclaimed_offer_lapses_and_the_seat_goes_to_the_next_person(app, sent):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    now = utcnow()
    _, first, second, third = _offer_to_first_of(event, 3, now=now)
    assert statuses([first, second]) == [OFFERED, WAITING]
    sent.clear()

    assert services.expire_offers(now + timedelta(hours=23)) == 0  # not yet
    assert statuses([first]) == [OFFERED]

    later = now + timedelta(hours=24)
    assert services.expire_offers(later) == 1
    db.session.commit()

    assert statuses([first, second, third]) == [LAPSED, OFFERED, WAITING]
    assert first.cancelled_at == later
    assert second.offer_expires_at == later + timedelta(hours=24)
    assert positions([first, second, third]) == [None, None, 1]
    assert counts(event) == {CANCELLED: 1, LAPSED: 1, OFFERED: 1, WAITING: 1}
    assert names(sent) == [("seat-offer-expired", first.id), ("seat-offered", second.id)]

    assert services.expire_offers(later) == 0  # running it again changes nothing
    assert counts(event) == {CANCELLED: 1, LAPSED: 1, OFFERED: 1, WAITING: 1}


def test_a_lapsed_offer_with_nobody_waiting_frees_the_seat(app):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    _, only = _offer_to_first_of(event, 1)

    assert services.expire_offers(utcnow() + timedelta(hours=25)) == 1
    db.session.commit()

    assert statuses([only]) == [LAPSED]
    assert counts(event) == {CANCELLED: 1, LAPSED: 1}
    assert event.seats_left == 1


def test_an_offer_lapsing_after_the_event_started_offers_the_seat_to_nobody(app):
    event = make_event(capacity=1, starts_in=timedelta(hours=30))
    _, first, second = _offer_to_first_of(event, 2)

    assert services.expire_offers(event.starts_at + timedelta(minutes=5)) == 1
    db.session.commit()

    assert statuses([first, second]) == [LAPSED, WAITING]
    assert counts(event) == {CANCELLED: 1, LAPSED: 1, WAITING: 1}


def test_expire_offers_lapses_only_the_stale_offers_of_every_event(app):
    soon = make_event(capacity=1, starts_in=timedelta(days=3))
    later = make_event(capacity=1, starts_in=timedelta(days=3))
    now = utcnow()
    _, stale = _offer_to_first_of(soon, 1, now=now - timedelta(hours=2))
    _, fresh = _offer_to_first_of(later, 1, now=now)

    assert services.expire_offers(now + timedelta(hours=23)) == 1
    db.session.commit()

    assert statuses([stale, fresh]) == [LAPSED, OFFERED]
    counts(soon), counts(later)


def test_claiming_an_offered_seat_confirms_it(app, sent):
    event = make_event(capacity=1)
    _, first, second = _offer_to_first_of(event, 2)
    sent.clear()
    now = utcnow()

    claimed = services.claim_seat(first, first.user, now=now)
    db.session.commit()

    assert claimed.id == first.id
    assert (first.status, first.confirmed_at) == (CONFIRMED, now)
    assert counts(event) == {CANCELLED: 1, CONFIRMED: 1, WAITING: 1}
    assert [(name, kw) for name, _, kw in sent] == [("event-booked", {"how": "claimed"})]
    assert services.expire_offers(now + timedelta(days=2)) == 0  # a claimed seat stays

    with pytest.raises(Conflict, match="already claimed"):
        services.claim_seat(first, first.user)


def test_only_the_person_offered_the_seat_can_claim_it(app):
    event = make_event(capacity=1)
    _, first, second = _offer_to_first_of(event, 2)

    for other in (second.user, event.host, make_user()):
        with pytest.raises(NotAllowed, match="Only the person a seat is offered to"):
            services.claim_seat(first, other)
    with pytest.raises(Conflict, match="no seat offered to you"):
        services.claim_seat(second, second.user)  # still waiting
    assert statuses([first, second]) == [OFFERED, WAITING]
    assert counts(event) == {CANCELLED: 1, OFFERED: 1, WAITING: 1}


def test_claiming_after_the_offer_expired_is_refused_and_says_so(app):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    now = utcnow()
    _, first, second = _offer_to_first_of(event, 2, now=now)

    with pytest.raises(Conflict) as refused:
        services.claim_seat(first, first.user, now=now + timedelta(hours=24))
    assert "offer expired" in str(refused.value)
    assert statuses([first]) == [OFFERED]  # the next expiry run lapses it
    assert counts(event) == {CANCELLED: 1, OFFERED: 1, WAITING: 1}


def test_claiming_an_offer_that_already_lapsed_is_refused_and_says_it_expired(app):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    now = utcnow()
    _, first, second = _offer_to_first_of(event, 2, now=now)
    services.expire_offers(now + timedelta(hours=25))
    db.session.commit()
    assert statuses([first, second]) == [LAPSED, OFFERED]

    with pytest.raises(Conflict):
        services.claim_seat(first, first.user)
    # What the person sees comes from the page's service, which knows why.
    with pytest.raises(Conflict, match="this offer expired"):
        event_services.claim_own_seat(event, first.user)
    assert statuses([first, second]) == [LAPSED, OFFERED]
    assert counts(event) == {CANCELLED: 1, LAPSED: 1, OFFERED: 1}


def test_a_lapsed_person_can_join_the_waitlist_again_at_the_back(app):
    event = make_event(capacity=1, starts_in=timedelta(days=5))
    now = utcnow()
    _, first, second, third = _offer_to_first_of(event, 3, now=now)
    services.expire_offers(now + timedelta(hours=25))
    db.session.commit()

    again = services.book_seat(event, first.user)
    db.session.commit()

    assert again.id == first.id
    assert (again.status, again.offered_at, again.offer_expires_at) == (WAITING, None, None)
    assert positions([third, again]) == [1, 2]
    assert counts(event) == {CANCELLED: 1, OFFERED: 1, WAITING: 2}


# -- The claim window ------------------------------------------------------------------------


def test_a_seat_is_confirmed_directly_when_the_event_starts_within_the_claim_window(app, sent):
    event = make_event(capacity=1, starts_in=timedelta(hours=5))
    seat, first, second = fill(event, waiting=2)
    sent.clear()

    services.cancel_booking(seat, seat.user)
    db.session.commit()

    assert statuses([first, second]) == [CONFIRMED, WAITING]
    assert first.offer_expires_at is None and first.confirmed_at is not None
    assert counts(event) == {CANCELLED: 1, CONFIRMED: 1, WAITING: 1}
    assert [(name, b.id, kw) for name, b, kw in sent] == [
        ("event-booked", first.id, {"how": "promoted"})]


@pytest.mark.parametrize("hours, starts_in, direct", [
    (2, timedelta(hours=5), False),   # a shorter window: a 5-hour-away event still offers
    (48, timedelta(hours=30), True),  # a longer one: a 30-hour-away event confirms at once
    (24, timedelta(hours=30), False),
])
def test_the_claim_window_setting_is_honoured(app, hours, starts_in, direct):
    app.config["EVENT_CLAIM_WINDOW_HOURS"] = hours
    event = make_event(capacity=1, starts_in=starts_in)
    now = utcnow()

    _, first = _offer_to_first_of(event, 1, now=now)

    assert services.claim_window() == timedelta(hours=hours)
    if direct:
        assert (first.status, first.offer_expires_at) == (CONFIRMED, None)
    else:
        assert (first.status, first.offer_expires_at) == (OFFERED, now + timedelta(hours=hours))
    counts(event)


def test_the_claim_window_defaults_to_24_hours(app):
    app.config.pop("EVENT_CLAIM_WINDOW_HOURS", None)
    assert services.claim_window() == timedelta(hours=24)


# -- Capacity --------------------------------------------------------------------------------


def test_raising_the_capacity_offers_the_new_seats_to_several_people_in_turn(app, sent):
    event = make_event(capacity=2, starts_in=timedelta(days=4))
    bookings = fill(event, waiting=4)
    sent.clear()

    services.change_capacity(event, 5)
    db.session.commit()

    assert event.capacity == 5
    assert statuses(bookings) == [CONFIRMED, CONFIRMED, OFFERED, OFFERED, OFFERED, WAITING]
    assert positions(bookings[5:]) == [1]
    assert counts(event) == {CONFIRMED: 2, OFFERED: 3, WAITING: 1}
    assert names(sent) == [("seat-offered", b.id) for b in bookings[2:5]]


def test_raising_the_capacity_close_to_the_start_confirms_the_waiting_directly(app, sent):
    event = make_event(capacity=1, starts_in=timedelta(hours=3))
    bookings = fill(event, waiting=2)
    sent.clear()

    services.change_capacity(event, 4)
    db.session.commit()

    assert statuses(bookings) == [CONFIRMED] * 3
    assert counts(event) == {CONFIRMED: 3}
    assert event.seats_left == 1
    assert [kw for _, _, kw in sent] == [{"how": "promoted"}] * 2


def test_the_capacity_cannot_go_below_the_seats_held(app):
    event = make_event(capacity=3, starts_in=timedelta(days=4))
    first, *_, last = _offer_to_first_of(event, 2)
    # Three people hold a seat — two confirmed, one offered — and one is waiting.
    assert counts(event) == {CANCELLED: 1, CONFIRMED: 2, OFFERED: 1, WAITING: 1}

    with pytest.raises(Invalid) as refused:
        services.change_capacity(event, 2)
    assert refused.value.field == "capacity"
    assert "3 people already hold a seat" in refused.value.message
    db.session.rollback()
    assert event.capacity == 3
    assert counts(event) == {CANCELLED: 1, CONFIRMED: 2, OFFERED: 1, WAITING: 1}

    services.change_capacity(event, 3)  # exactly the seats held is fine
    db.session.commit()
    assert event.capacity == 3
    assert statuses([last]) == [WAITING]


def test_lowering_the_capacity_to_the_seats_held_keeps_everyone(app):
    event = make_event(capacity=5)
    bookings = fill(event)
    for booking in bookings[3:]:
        services.cancel_booking(booking, booking.user)
    db.session.commit()

    services.change_capacity(event, 3)
    db.session.commit()

    assert event.capacity == 3 and event.seats_left == 0
    assert statuses(bookings[:3]) == [CONFIRMED] * 3
    assert counts(event) == {CONFIRMED: 3, CANCELLED: 2}
    assert book(event).status == WAITING


# -- A longer story ----------------------------------------------------------------------------


def test_the_counters_agree_with_the_bookings_through_a_busy_week(app):
    event = make_event(capacity=3, starts_in=timedelta(days=6))
    now = utcnow()
    people = [make_user() for _ in range(8)]
    b = [services.book_seat(event, p, now=now + timedelta(minutes=i))
         for i, p in enumerate(people)]
    counts(event)
    steps = [
        lambda: services.cancel_booking(b[1], people[1], now=now + timedelta(hours=1)),
        lambda: services.cancel_booking(b[5], people[5], now=now + timedelta(hours=2)),
        lambda: services.claim_seat(b[3], people[3], now=now + timedelta(hours=3)),
        lambda: services.change_capacity(event, 4, now=now + timedelta(hours=4)),
        lambda: services.expire_offers(now + timedelta(hours=30)),
        lambda: services.book_seat(event, people[1], now=now + timedelta(hours=31)),
        lambda: services.cancel_booking(b[0], people[0], now=now + timedelta(hours=32)),
        lambda: services.expire_offers(now + timedelta(hours=60)),
        lambda: services.change_capacity(event, 6, now=now + timedelta(hours=61)),
        lambda: services.cancel_booking(b[2], people[2], now=now + timedelta(hours=62)),
    ]
    for step in steps:
        step()
        db.session.commit()
        counts(event)
    assert statuses(b) == [CANCELLED, OFFERED, CANCELLED, CONFIRMED, LAPSED, CANCELLED,
                           LAPSED, LAPSED]
    assert counts(event) == {CONFIRMED: 1, OFFERED: 1, CANCELLED: 3, LAPSED: 3}
    assert (event.capacity, event.seats_left) == (6, 4)
