"""Accepting, declining, cancelling and expiring: every allowed and refused transition, and
the seats that go with them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.errors import Conflict, Invalid, NotAllowed
from app.exchanges import services
from app.exchanges.models import (
    ACCEPTED,
    CANCELLED,
    COMPLETED,
    CYCLE,
    DECLINED,
    EXPIRED,
    REQUESTED,
    SWAP,
    Exchange,
)
from app.extensions import db
from app.offers.models import CLOSED, PAUSED, Offer
from tests.exchanges.factories import make_exchange
from tests.factories import make_user
from tests.offers.factories import make_offer

ALL = (REQUESTED, ACCEPTED, COMPLETED, DECLINED, CANCELLED, EXPIRED)


def seats(offer: Offer | None) -> int:
    db.session.refresh(offer)
    return offer.seats_taken


def teacher_and_learner(exchange):
    [leg] = exchange.legs
    return leg.teacher, leg.learner


def test_mentoring_becomes_active_when_the_teacher_accepts_and_takes_a_seat(app):
    exchange = make_exchange(capacity=2)
    teacher, _ = teacher_and_learner(exchange)
    services.accept(teacher, exchange)
    db.session.commit()
    assert exchange.status == ACCEPTED and exchange.accepted_at is not None
    assert exchange.legs[0].holds_seat
    assert seats(exchange.legs[0].teach_offer) == 1


@pytest.mark.parametrize("kind", [SWAP, CYCLE])
def test_swaps_and_cycles_are_active_only_when_everyone_accepted(app, kind):
    exchange = make_exchange(kind)
    waiting = [m.user for m in exchange.members if m.accepted_at is None]
    assert len(waiting) == len(exchange.members) - 1
    for person in waiting[:-1]:
        services.accept(person, exchange)
        assert exchange.status == REQUESTED
        assert all(seats(leg.teach_offer) == 0 for leg in exchange.legs)
    services.accept(waiting[-1], exchange)
    db.session.commit()
    assert exchange.status == ACCEPTED
    assert all(leg.holds_seat and seats(leg.teach_offer) == 1 for leg in exchange.legs)


def test_accepting_twice_or_a_closed_exchange_is_a_conflict(app):
    exchange = make_exchange(SWAP)
    requester = exchange.requested_by
    with pytest.raises(Conflict, match="already accepted"):
        services.accept(requester, exchange)
    for status, words in [(ACCEPTED, "already active"), (COMPLETED, "already completed"),
                          (DECLINED, "declined"), (CANCELLED, "cancelled"),
                          (EXPIRED, "expired")]:
        done = make_exchange(status=status)
        teacher, _ = teacher_and_learner(done)
        assert done.status == status
        with pytest.raises(Conflict, match=words):
            services.accept(teacher, done)


def test_non_members_can_do_nothing(app):
    exchange = make_exchange()
    stranger = make_user(is_admin=True)
    for act in (services.accept, services.decline, services.cancel):
        with pytest.raises(NotAllowed):
            act(stranger, exchange)
    with pytest.raises(NotAllowed):
        services.end_with_not_a_fit(make_exchange(status=ACCEPTED), stranger)


def test_a_request_past_its_expiry_cannot_be_accepted_even_before_the_cron_ran(app):
    exchange = make_exchange()
    teacher, _ = teacher_and_learner(exchange)
    with pytest.raises(Conflict, match="expired"):
        services.accept(teacher, exchange, now=exchange.expires_at + timedelta(minutes=1))


def test_the_last_seat_gone_means_a_conflict_and_nothing_changes(app):
    learner_one, learner_two = make_user(), make_user()
    teacher = make_user()
    offer = make_offer(teacher, capacity=1)
    one = make_exchange(legs=[services.PlannedLeg(teacher, learner_one, offer.skill, offer)])
    two = make_exchange(legs=[services.PlannedLeg(teacher, learner_two, offer.skill, offer)])
    services.accept(teacher, one)
    db.session.commit()
    with pytest.raises(Conflict, match=f"{teacher.display_name}'s last seat for "
                                       f"{offer.skill.name} was just taken"):
        services.accept(teacher, two)
    db.session.rollback()
    db.session.refresh(two)
    assert two.status == REQUESTED and not two.legs[0].holds_seat
    assert seats(offer) == 1


def test_a_swap_whose_second_seat_is_gone_takes_no_seat_at_all(app):
    exchange = make_exchange(SWAP, capacity=1)
    first, second = exchange.legs
    second.teach_offer.seats_taken = 1  # someone else took it meanwhile
    db.session.commit()
    waiting = next(m.user for m in exchange.members if m.accepted_at is None)
    with pytest.raises(Conflict, match="last seat"):
        services.accept(waiting, exchange)
    db.session.rollback()
    assert seats(first.teach_offer) == 0 and seats(second.teach_offer) == 1
    assert db.session.get(Exchange, exchange.id).status == REQUESTED


@pytest.mark.parametrize("status, words", [(PAUSED, "paused"), (CLOSED, "closed")])
def test_an_offer_paused_or_closed_before_acceptance_blocks_it(app, status, words):
    exchange = make_exchange()
    teacher, _ = teacher_and_learner(exchange)
    exchange.legs[0].teach_offer.status = status
    db.session.commit()
    with pytest.raises(Conflict, match=words):
        services.accept(teacher, exchange)


def test_someone_deactivated_meanwhile_blocks_acceptance(app):
    exchange = make_exchange()
    teacher, learner = teacher_and_learner(exchange)
    learner.active = False
    db.session.commit()
    with pytest.raises(Conflict, match="deactivated"):
        services.accept(teacher, exchange)


def test_declining_closes_the_request_for_everyone(app):
    exchange = make_exchange(CYCLE)
    waiting = [m.user for m in exchange.members if m.accepted_at is None]
    services.accept(waiting[0], exchange)
    with pytest.raises(Conflict, match="already accepted"):
        services.decline(waiting[0], exchange)
    with pytest.raises(Conflict, match="You asked for this exchange"):
        services.decline(exchange.requested_by, exchange)
    services.decline(waiting[1], exchange, "  Too busy this quarter.  ")
    db.session.commit()
    assert exchange.status == DECLINED
    assert exchange.closed_by_id == waiting[1].id
    assert exchange.close_reason == "Too busy this quarter."
    assert exchange.closed_at is not None
    for status in (ACCEPTED, DECLINED, CANCELLED, EXPIRED, COMPLETED):
        other = make_exchange(status=status)
        teacher, _ = teacher_and_learner(other)
        with pytest.raises(Conflict):
            services.decline(teacher, other)


def test_reasons_are_checked(app):
    exchange = make_exchange()
    teacher, learner = teacher_and_learner(exchange)
    with pytest.raises(Invalid):
        services.decline(teacher, exchange, "x" * 201)
    with pytest.raises(Invalid):
        services.cancel(learner, exchange, "bell\x07")


def test_cancelling_a_request_or_an_active_exchange_gives_seats_back(app):
    requested = make_exchange()
    teacher, learner = teacher_and_learner(requested)
    with pytest.raises(Conflict, match="decline it instead"):
        services.cancel(teacher, requested)
    services.cancel(learner, requested, "Found another way.")
    assert requested.status == CANCELLED

    active = make_exchange(SWAP, status=ACCEPTED)
    offers = [leg.teach_offer for leg in active.legs]
    assert [seats(o) for o in offers] == [1, 1]
    services.cancel(active.members[1].user, active)
    db.session.commit()
    assert active.status == CANCELLED
    assert [seats(o) for o in offers] == [0, 0]
    assert not any(leg.holds_seat for leg in active.legs)
    for status in (CANCELLED, DECLINED, EXPIRED, COMPLETED):
        done = make_exchange(status=status)
        with pytest.raises(Conflict):
            services.cancel(done.requested_by, done)


def test_not_a_fit_ends_an_active_exchange_kindly(app):
    active = make_exchange(status=ACCEPTED)
    teacher, _ = teacher_and_learner(active)
    offer = active.legs[0].teach_offer
    services.end_with_not_a_fit(active, teacher)
    db.session.commit()
    assert (active.status, active.close_reason, active.closed_by_id) == (
        CANCELLED, services.NOT_A_FIT, teacher.id)
    assert seats(offer) == 0
    requested = make_exchange()
    with pytest.raises(Conflict, match="hasn't started"):
        services.end_with_not_a_fit(requested, requested.requested_by)


def test_giving_seats_back_twice_gives_them_back_once(app):
    active = make_exchange(status=ACCEPTED, capacity=3)
    offer = active.legs[0].teach_offer
    offer.seats_taken = 2  # another learner holds one too
    db.session.commit()
    assert services.give_back_seats(active) == 1
    assert services.give_back_seats(active) == 0
    assert seats(offer) == 1


def test_completed_exchanges_hold_no_seat(app):
    done = make_exchange(status=COMPLETED)
    assert seats(done.legs[0].teach_offer) == 0 and not done.legs[0].holds_seat


def test_expiry_is_idempotent_and_leaves_answered_exchanges_alone(app):
    old = make_exchange()
    fresh = make_exchange()
    active = make_exchange(status=ACCEPTED)
    later = old.expires_at + timedelta(seconds=1)
    fresh.expires_at = later + timedelta(days=1)
    active.expires_at = old.expires_at
    db.session.commit()
    assert services.expire_overdue(later) == 1
    db.session.commit()
    assert services.expire_overdue(later) == 0
    statuses = dict(db.session.execute(select(Exchange.id, Exchange.status)).all())
    assert statuses == {old.id: EXPIRED, fresh.id: REQUESTED, active.id: ACCEPTED}
    assert services.expire_overdue(old.expires_at - timedelta(days=1)) == 0


def test_every_status_is_reachable_through_the_factory(app):
    for status in ALL:
        assert make_exchange(status=status).status == status
