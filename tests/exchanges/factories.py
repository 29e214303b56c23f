"""Exchange factories: real rows made through the services, committed.

    make_exchange()                                a mentoring request: teacher → learner
    make_exchange(SWAP, status=ACCEPTED)           an active swap between two people
    make_exchange(CYCLE, people=[a, b, c])         a three-way swap a → b → c → a
    make_exchange(legs=[PlannedLeg(...)], requester=me)

Every teacher gets an open teaching offer on their leg's skill (capacity `capacity`).
The requester is the first leg's learner unless given. `status` is reached the way people
would: accepting, declining, cancelling, expiring; COMPLETED is set directly (with the seats
given back), as finishing an exchange would.
"""

from __future__ import annotations

from datetime import timedelta

from app.core.db import utcnow
from app.exchanges import services
from app.exchanges.models import (
    ACCEPTED,
    CANCELLED,
    COMPLETED,
    CYCLE,
    DECLINED,
    EXPIRED,
    MENTORING,
    REQUESTED,
    SWAP,
    Exchange,
)
from app.exchanges.services import PlannedLeg
from app.extensions import db
from tests.factories import make_user
from tests.offers.factories import make_offer, make_skill

PEOPLE = {MENTORING: 2, SWAP: 2, CYCLE: 3}


def plan_legs(kind: str = MENTORING, people=None, *, capacity: int = 3) -> list[PlannedLeg]:
    """Legs for `kind` between `people` (made when not given), each teacher with a new open
    teaching offer: mentoring people[0] → people[1]; swap both ways; cycle round."""
    people = list(people or [make_user(open_to_mentoring=True, open_to_being_mentored=True,
                                       open_to_swaps=True) for _ in range(PEOPLE[kind])])
    pairs = ([(people[0], people[1])] if kind == MENTORING
             else [(people[i], people[(i + 1) % len(people)]) for i in range(len(people))])
    legs = []
    for teacher, learner in pairs:
        offer = make_offer(teacher, skill=make_skill(commit=False), capacity=capacity)
        legs.append(PlannedLeg(teacher=teacher, learner=learner, skill=offer.skill,
                               teach_offer=offer))
    return legs


def make_exchange(kind: str = MENTORING, *, people=None, legs=None, requester=None,
                  status: str = REQUESTED, message: str = "Could we meet on Tuesdays?",
                  capacity: int = 3, commit: bool = True) -> Exchange:
    legs = legs or plan_legs(kind, people, capacity=capacity)
    requester = requester or legs[0].learner
    exchange = services.request_exchange(requester, legs, message)
    others = [m.user for m in exchange.members if m.user_id != requester.id]
    if status in (ACCEPTED, COMPLETED):
        for person in others:
            services.accept(person, exchange)
        if status == COMPLETED:
            services.give_back_seats(exchange)
            exchange.status, exchange.completed_at = COMPLETED, utcnow()
    elif status == DECLINED:
        services.decline(others[0], exchange, "Not this month, sorry.")
    elif status == CANCELLED:
        services.cancel(requester, exchange, "Plans changed.")
    elif status == EXPIRED:
        services.expire_overdue(exchange.expires_at + timedelta(seconds=1))
    db.session.flush()
    if commit:
        db.session.commit()
    return exchange
