"""Session proposals at the service level: proposing, interest counted atomically (a double
click is a no-op), withdrawing, scheduling from a proposal and who hears about it, and the
list's order and "could teach" section."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core import signals
from app.core.errors import Conflict, Invalid, NotAllowed
from app.events import proposal_queries, proposals
from app.events.models import (
    PROPOSAL_OPEN,
    PROPOSAL_SCHEDULED,
    PROPOSAL_WITHDRAWN,
    ProposalInterest,
    SessionProposal,
)
from app.extensions import db
from app.offers.models import LEARN, PAUSED
from app.skills.services import find_skill
from tests.events.factories import make_event
from tests.factories import make_user
from tests.offers.factories import make_offer, make_skill

WISH = "How to write window functions without getting lost."


def propose(user=None, skill="SQL", text=WISH) -> SessionProposal:
    proposal = proposals.propose_session(user or make_user(), skill, text)
    db.session.commit()
    return proposal


def interest_rows(proposal) -> int:
    return db.session.scalar(select(func.count()).select_from(ProposalInterest)
                             .where(ProposalInterest.proposal_id == proposal.id))


def test_proposing_finds_or_adds_the_skill_and_counts_the_proposer(app):
    existing = make_skill("PostgreSQL")
    one = propose(skill="postgresql")
    two = propose(skill="Rust for beginners")
    assert one.skill_id == existing.id
    assert find_skill("rust for beginners").id == two.skill_id
    assert (one.status, one.interest_count, interest_rows(one)) == (PROPOSAL_OPEN, 1, 1)
    assert proposals.has_interest(one.user, one)


@pytest.mark.parametrize(("skill", "text", "field", "message"), [
    ("SQL", "too short", "text", "at least 10 characters"),
    ("SQL", "x" * 501, "text", "500 characters at most"),
    ("SQL", "bell \x07 rings here", "text", "control characters"),
    ("", WISH, "skill", "Name a skill"),
    ("<script>", WISH, "skill", "Use letters, digits"),
])
def test_bad_proposals_are_refused_with_a_message(app, skill, text, field, message):
    with pytest.raises(Invalid, match=message) as refused:
        proposals.propose_session(make_user(), skill, text)
    assert refused.value.field == field


def test_one_open_proposal_per_person_and_skill(app):
    me = make_user()
    first = propose(me)
    with pytest.raises(Invalid, match="already have an open proposal for SQL"):
        proposals.propose_session(me, "sql", "Something else entirely, please.")
    db.session.rollback()
    proposals.withdraw_proposal(first, me)
    db.session.commit()
    assert propose(me).status == PROPOSAL_OPEN


def test_interest_is_counted_once_even_on_a_double_click(app):
    proposal = propose()
    fan = make_user()
    assert proposals.add_interest(proposal, fan) is True
    assert proposals.add_interest(proposal, fan) is False
    db.session.commit()
    db.session.refresh(proposal)
    assert (proposal.interest_count, interest_rows(proposal)) == (2, 2)
    assert proposals.add_interest(proposal, proposal.user) is False  # the proposer counts


def test_a_racing_second_insert_is_a_no_op_not_an_error(app, monkeypatch):
    proposal = propose()
    fan = make_user()
    proposals.add_interest(proposal, fan)
    db.session.commit()
    monkeypatch.setattr(proposals, "has_interest", lambda user, proposal: False)
    assert proposals.add_interest(proposal, fan) is False  # the unique key said no
    db.session.commit()
    db.session.refresh(proposal)
    assert proposal.interest_count == 2


def test_removing_interest_decrements_once_and_the_proposer_cannot(app):
    proposal = propose()
    fan = make_user()
    proposals.add_interest(proposal, fan)
    assert proposals.remove_interest(proposal, fan) is True
    assert proposals.remove_interest(proposal, fan) is False
    db.session.commit()
    db.session.refresh(proposal)
    assert (proposal.interest_count, interest_rows(proposal)) == (1, 1)
    with pytest.raises(Conflict, match="Withdraw the proposal"):
        proposals.remove_interest(proposal, proposal.user)


def test_only_the_proposer_withdraws_and_then_interest_is_closed(app):
    proposal = propose()
    with pytest.raises(NotAllowed, match="Only the person who proposed"):
        proposals.withdraw_proposal(proposal, make_user())
    proposals.withdraw_proposal(proposal, proposal.user)
    db.session.commit()
    assert proposal.status == PROPOSAL_WITHDRAWN
    with pytest.raises(Conflict, match="withdrawn"):
        proposals.add_interest(proposal, make_user())
    with pytest.raises(Conflict, match="withdrawn"):
        proposals.withdraw_proposal(proposal, proposal.user)


def test_attaching_an_event_schedules_it_and_tells_everyone_interested_but_the_host(app):
    proposal = propose(make_user(display_name="Pat"))
    fans = [make_user(display_name=f"Fan {n}") for n in range(2)]
    teacher = make_user(display_name="Tess")
    for person in [*fans, teacher]:
        proposals.add_interest(proposal, person)
    gone = make_user(active=False)
    proposals.add_interest(proposal, gone)
    db.session.commit()
    event = make_event(teacher)

    sent = []

    def record(sender, **kwargs):
        sent.append((sender, kwargs))

    with signals.proposal_scheduled.connected_to(record):
        proposals.attach_event(proposal, event, teacher)
    db.session.commit()
    assert (proposal.status, proposal.event_id) == (PROPOSAL_SCHEDULED, event.id)
    [(sender, kwargs)] = sent
    assert sender is proposal and kwargs["event"] is event
    assert {u.display_name for u in kwargs["to"]} == {"Pat", "Fan 0", "Fan 1"}

    with pytest.raises(Conflict, match="already scheduled"):
        proposals.attach_event(proposal, make_event(teacher), teacher)
    with pytest.raises(Conflict, match="already scheduled"):
        proposals.add_interest(proposal, make_user())


def test_attach_event_refuses_withdrawn_proposals_and_other_peoples_events(app):
    proposal = propose()
    with pytest.raises(NotAllowed):
        proposals.attach_event(proposal, make_event(), make_user())
    proposals.withdraw_proposal(proposal, proposal.user)
    with pytest.raises(Conflict, match="withdrawn"):
        proposals.attach_event(proposal, make_event(proposal.user), proposal.user)


def test_the_list_is_by_interest_and_teachers_see_what_they_could_teach(app):
    sql, rust, go = make_skill("SQL"), make_skill("Rust"), make_skill("Go")
    quiet = propose(skill="SQL", text="Indexes, and when they help.")
    popular = propose(skill="Rust")
    middle = propose(skill="Go")
    for _ in range(3):
        proposals.add_interest(popular, make_user())
    proposals.add_interest(middle, make_user())
    withdrawn = propose(skill="Go", text="Goroutines without the tears.")
    proposals.withdraw_proposal(withdrawn, withdrawn.user)
    db.session.commit()

    listed = db.session.scalars(proposal_queries.proposal_list_select()).unique().all()
    assert [p.id for p in listed] == [popular.id, middle.id, quiet.id]
    only_go = db.session.scalars(proposal_queries.proposal_list_select(go)).unique().all()
    assert [p.id for p in only_go] == [middle.id]

    teacher = make_user()
    make_offer(teacher, skill=sql)
    make_offer(teacher, skill=rust, status=PAUSED)  # paused: not an open offer
    make_offer(teacher, skill=go, kind=LEARN)  # wanting to learn isn't teaching
    assert [p.id for p in proposal_queries.teachable_proposals(teacher)] == [quiet.id]
    state = proposal_queries.card_state(teacher, listed)
    assert [state.can_schedule(p) for p in listed] == [False, False, True]
    assert proposal_queries.teachable_proposals(quiet.user) == []  # not their own


def test_an_interest_rolled_back_with_its_request_leaves_count_and_rows_agreeing(app):
    proposal = propose()
    proposals.add_interest(proposal, make_user())
    db.session.rollback()
    db.session.refresh(proposal)
    assert proposal.interest_count == interest_rows(proposal)
