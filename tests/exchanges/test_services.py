"""The exchange lifecycle through its services: requesting, every allowed and refused
answer, seats, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.errors import Conflict, Invalid, NotAllowed, NotFound
from app.exchanges import proposals, services
from app.exchanges.models import (
    CYCLE,
    EXPIRE_AFTER_DAYS,
    MENTORING,
    MESSAGE_MAX,
    REQUESTED,
    SWAP,
)
from app.extensions import db
from app.offers.models import CLOSED, LEARN, PAUSED, Offer
from tests.exchanges.factories import make_exchange, plan_legs
from tests.factories import make_user
from tests.offers.factories import make_offer, make_skill


def seats(offer: Offer) -> int:
    db.session.expire(offer)
    return offer.seats_taken


# -- Requesting ------------------------------------------------------------------------------


def test_requesting_from_a_teaching_offer_makes_a_mentoring_request(app):
    teacher, learner = make_user(), make_user()
    offer = make_offer(teacher, capacity=2)
    proposal = proposals.from_offer(learner, offer)
    exchange = services.request_exchange(learner, proposal.legs, "Hello!")
    db.session.commit()

    assert exchange.kind == MENTORING and exchange.status == REQUESTED
    [leg] = exchange.legs
    assert (leg.teacher, leg.learner, leg.teach_offer, leg.holds_seat) == (
        teacher, learner, offer, False)
    accepted = {m.user_id: m.accepted_at is not None for m in exchange.members}
    assert accepted == {teacher.id: False, learner.id: True}
    assert exchange.expires_at - exchange.created_at == timedelta(days=EXPIRE_AFTER_DAYS)
    assert seats(offer) == 0  # seats are taken on activation only


def test_offering_to_teach_a_learner_uses_my_open_teaching_offer(app):
    me, learner = make_user(), make_user()
    skill = make_skill()
    wants = make_offer(learner, kind=LEARN, skill=skill)
    mine = make_offer(me, skill=skill)
    [leg] = proposals.from_offer(me, wants).legs
    assert (leg.teacher, leg.learner, leg.teach_offer) == (me, learner, mine)

    other_skill_wants = make_offer(learner, kind=LEARN)
    [leg] = proposals.from_offer(me, other_skill_wants).legs
    assert leg.teach_offer is None  # no offer of mine on that skill: no seat to count


def test_own_paused_and_closed_offers_are_refused(app):
    me = make_user()
    with pytest.raises(NotAllowed, match="your own offer"):
        proposals.from_offer(me, make_offer(me))
    with pytest.raises(Conflict, match="paused"):
        proposals.from_offer(me, make_offer(status=PAUSED))
    with pytest.raises(Conflict, match="closed"):
        proposals.from_offer(me, make_offer(status=CLOSED))


def test_an_offer_paused_after_the_page_loaded_is_refused_at_request_time(app):
    learner = make_user()
    legs = plan_legs(MENTORING, [make_user(), learner])
    legs[0].teach_offer.status = PAUSED
    with pytest.raises(Conflict, match="paused"):
        services.request_exchange(learner, legs)


def test_a_full_teacher_is_refused(app):
    learner = make_user()
    offer = make_offer(capacity=1, seats_taken=1)
    with pytest.raises(Conflict, match="no free seat"):
        services.request_exchange(learner, proposals.from_offer(learner, offer).legs)


def test_deactivated_people_are_refused(app):
    teacher, learner = make_user(), make_user()
    legs = plan_legs(MENTORING, [teacher, learner])
    teacher.active = False
    with pytest.raises(Conflict, match="deactivated"):
        services.request_exchange(learner, legs)


def test_a_duplicate_open_request_is_refused_but_a_closed_one_is_not(app):
    legs = plan_legs(SWAP)
    first = make_exchange(legs=legs)
    with pytest.raises(Conflict, match="already have an open request"):
        services.request_exchange(legs[1].learner, legs)  # the other side, same legs
    services.decline(legs[0].teacher, first)
    db.session.commit()
    assert services.request_exchange(legs[0].learner, legs).status == REQUESTED


def test_a_request_with_different_legs_is_not_a_duplicate(app):
    legs = plan_legs(SWAP)
    make_exchange(legs=legs)
    mentoring = services.request_exchange(legs[0].learner, legs[:1])
    assert mentoring.kind == MENTORING


@pytest.mark.parametrize("message, error", [
    ("x" * (MESSAGE_MAX + 1), "1,000 characters"),
    ("Hi\x07 there", "control characters"),
])
def test_bad_messages_are_refused(app, message, error):
    learner = make_user()
    legs = plan_legs(MENTORING, [make_user(), learner])
    with pytest.raises(Invalid, match=error) as err:
        services.request_exchange(learner, legs, message)
    assert err.value.field == "message"


def test_a_message_may_have_line_breaks(app):
    learner = make_user()
    exchange = services.request_exchange(
        learner, plan_legs(MENTORING, [make_user(), learner]), "Hi!\r\n\r\nTuesdays?")
    assert exchange.message == "Hi!\n\nTuesdays?"


def test_only_people_in_the_legs_can_request_them(app):
    legs = plan_legs(MENTORING)
    with pytest.raises(NotAllowed):
        services.request_exchange(make_user(), legs)


# -- Suggestions -----------------------------------------------------------------------------


def _swap_offers(me, other, capacity=2):
    learn_skill, teach_skill = make_skill(), make_skill()
    return {
        "their_teach": make_offer(other, skill=learn_skill, capacity=capacity),
        "my_learn": make_offer(me, kind=LEARN, skill=learn_skill),
        "my_teach": make_offer(me, skill=teach_skill, capacity=capacity),
        "their_learn": make_offer(other, kind=LEARN, skill=teach_skill),
    }


def test_a_swap_suggestion_becomes_a_two_leg_swap(app):
    me, other = make_user(), make_user()
    o = _swap_offers(me, other)
    key = f"swap:{me.id}:{other.id}:{o['my_learn'].skill_id}:{o['my_teach'].skill_id}"
    proposal = proposals.from_suggestion(me, key)
    assert proposal.kind == SWAP
    assert [(leg.teacher, leg.learner, leg.teach_offer) for leg in proposal.legs] == [
        (other, me, o["their_teach"]), (me, other, o["my_teach"])]
    assert services.request_exchange(me, proposal.legs).kind == SWAP


def test_a_cycle_suggestion_becomes_a_three_leg_cycle_for_any_of_its_people(app):
    a, b, c = make_user(), make_user(), make_user()
    legs = []
    for teacher, learner in ((a, b), (b, c), (c, a)):
        skill = make_skill()
        make_offer(learner, kind=LEARN, skill=skill)
        legs.append((teacher, learner, make_offer(teacher, skill=skill)))
    key = (f"cycle:{a.id}-{b.id}-{c.id}:"
           + "-".join(str(offer.skill_id) for _, _, offer in legs))
    proposal = proposals.from_suggestion(b, key)
    assert proposal.kind == CYCLE
    assert [(leg.teacher, leg.learner, leg.teach_offer) for leg in proposal.legs] == legs
    with pytest.raises(NotFound):
        proposals.from_suggestion(make_user(), key)


def test_stale_or_foreign_suggestions_are_refused(app):
    me, other = make_user(), make_user()
    o = _swap_offers(me, other)
    key = f"swap:{me.id}:{other.id}:{o['my_learn'].skill_id}:{o['my_teach'].skill_id}"
    with pytest.raises(NotFound):
        proposals.from_suggestion(other, key)  # it is my suggestion, not theirs
    for bad in ("", "swap:1:2", "mentor:x:1:2", "cycle:1-1-1:1-2-3", "swap:1:2:3:4" * 30):
        with pytest.raises(NotFound):
            proposals.from_suggestion(me, bad)
    o["their_learn"].status = CLOSED
    with pytest.raises(Conflict, match="isn't looking to learn"):
        proposals.from_suggestion(me, key)
    o["their_learn"].status = "open"
    o["their_teach"].status = PAUSED
    with pytest.raises(Conflict, match="isn't offering to teach"):
        proposals.from_suggestion(me, key)


def test_mentor_and_mentee_suggestions(app):
    me, teacher, learner = make_user(), make_user(), make_user()
    skill = make_skill()
    make_offer(me, kind=LEARN, skill=skill)
    their = make_offer(teacher, skill=skill)
    [leg] = proposals.from_suggestion(me, f"mentor:{me.id}:{teacher.id}:{skill.id}").legs
    assert (leg.teacher, leg.learner, leg.teach_offer) == (teacher, me, their)

    other = make_skill()
    mine = make_offer(me, skill=other)
    make_offer(learner, kind=LEARN, skill=other)
    [leg] = proposals.from_suggestion(me, f"mentee:{me.id}:{learner.id}:{other.id}").legs
    assert (leg.teacher, leg.learner, leg.teach_offer) == (me, learner, mine)
