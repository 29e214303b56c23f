"""Session proposals: "I'd like a session on X". Colleagues add their interest; someone who
can teach X schedules an event from it, and everyone interested hears about it.

The proposer counts as the first person interested: proposing writes their interest row and
`interest_count` starts at 1. The counter moves only together with an interest row, by an
atomic `UPDATE … SET interest_count = interest_count ± 1`, and the unique (proposal, user)
primary key turns a double click into a no-op.

Services take the acting user explicitly, flush but never commit, and raise typed errors.
"""

from __future__ import annotations

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core import signals
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.validators import has_control_characters
from app.events.models import (
    PROPOSAL_OPEN,
    PROPOSAL_SCHEDULED,
    PROPOSAL_TEXT_MAX,
    PROPOSAL_TEXT_MIN,
    PROPOSAL_WITHDRAWN,
    Event,
    ProposalInterest,
    SessionProposal,
)
from app.events.permissions import is_event_host
from app.extensions import db
from app.skills.services import get_or_create_skill

# -- Predicates (pure; also in templates) ----------------------------------------------------


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_proposer(user, proposal: SessionProposal) -> bool:
    return _signed_in(user) and proposal.user_id == user.id


def can_withdraw_proposal(user, proposal: SessionProposal) -> bool:
    return is_proposer(user, proposal) and proposal.status == PROPOSAL_OPEN


def can_add_interest(user, proposal: SessionProposal) -> bool:
    return _signed_in(user) and proposal.status == PROPOSAL_OPEN


# -- Proposing -------------------------------------------------------------------------------


def clean_text(raw: str | None) -> str:
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) < PROPOSAL_TEXT_MIN:
        raise Invalid("text", f"Say a little more about what you'd like to learn: at least "
                              f"{PROPOSAL_TEXT_MIN} characters.")
    if len(text) > PROPOSAL_TEXT_MAX:
        raise Invalid("text", f"Keep it to {PROPOSAL_TEXT_MAX} characters at most.")
    if has_control_characters(text, allow_newlines=True):
        raise Invalid("text", "Remove the invisible control characters from the text.")
    return text


def propose_session(by: User, skill_name: str | None, text: str | None) -> SessionProposal:
    """Propose a session on a skill (found by any of its names, or added)."""
    text = clean_text(text)
    skill = get_or_create_skill(by, skill_name, field="skill")
    mine = db.session.scalar(
        select(SessionProposal.id).where(SessionProposal.user_id == by.id,
                                         SessionProposal.skill_id == skill.id,
                                         SessionProposal.status == PROPOSAL_OPEN))
    if mine is not None:
        raise Invalid("skill", f"You already have an open proposal for {skill.name}. "
                               "Withdraw it first if you'd like to word it differently.")
    proposal = SessionProposal(user_id=by.id, skill_id=skill.id, text=text,
                               status=PROPOSAL_OPEN, interest_count=1)
    db.session.add(proposal)
    db.session.flush()
    db.session.add(ProposalInterest(proposal_id=proposal.id, user_id=by.id))
    db.session.flush()
    return proposal


def _require_open(proposal: SessionProposal, doing: str) -> None:
    if proposal.status == PROPOSAL_SCHEDULED:
        raise Conflict(f"This proposal is already scheduled as an event, so you can't "
                       f"{doing} any more. Book a seat at the event instead.")
    if proposal.status != PROPOSAL_OPEN:
        raise Conflict(f"This proposal was withdrawn, so you can't {doing} any more.")


def _count(proposal: SessionProposal, delta: int) -> None:
    db.session.execute(
        update(SessionProposal).where(SessionProposal.id == proposal.id)
        .values(interest_count=case((SessionProposal.interest_count + delta < 0, 0),
                                    else_=SessionProposal.interest_count + delta))
        .execution_options(synchronize_session=False))


def has_interest(user: User, proposal: SessionProposal) -> bool:
    return db.session.scalar(
        select(ProposalInterest.user_id).where(ProposalInterest.proposal_id == proposal.id,
                                               ProposalInterest.user_id == user.id)) is not None


def add_interest(proposal: SessionProposal, user: User) -> bool:
    """Add `user`'s interest. True when added; False when it was already there (a double
    click, a second tab) — nothing changes then."""
    _require_open(proposal, "add your interest")
    if has_interest(user, proposal):
        return False
    try:
        with db.session.begin_nested():  # the row and the count together, or neither
            db.session.add(ProposalInterest(proposal_id=proposal.id, user_id=user.id))
            db.session.flush()
            _count(proposal, +1)
    except IntegrityError:  # the other click inserted it first
        return False
    db.session.refresh(proposal, ["interest_count"])
    return True


def remove_interest(proposal: SessionProposal, user: User) -> bool:
    """Take `user`'s interest back. True when removed; False when there was none."""
    if is_proposer(user, proposal):
        raise Conflict("You proposed this session, so your interest stays. Withdraw the "
                       "proposal if you no longer want it.")
    _require_open(proposal, "change your interest")
    gone = db.session.execute(
        delete(ProposalInterest).where(ProposalInterest.proposal_id == proposal.id,
                                       ProposalInterest.user_id == user.id)
        .execution_options(synchronize_session=False)).rowcount
    if not gone:
        return False
    _count(proposal, -1)
    db.session.refresh(proposal, ["interest_count"])
    return True


def withdraw_proposal(proposal: SessionProposal, by: User) -> SessionProposal:
    if not is_proposer(by, proposal):
        raise NotAllowed("Only the person who proposed this session can withdraw it.")
    _require_open(proposal, "withdraw it")
    moved = db.session.execute(
        update(SessionProposal)
        .where(SessionProposal.id == proposal.id, SessionProposal.status == PROPOSAL_OPEN)
        .values(status=PROPOSAL_WITHDRAWN).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(proposal)
    if not moved:
        _require_open(proposal, "withdraw it")
    return proposal


# -- Scheduling ------------------------------------------------------------------------------


def interested_users(proposal: SessionProposal, *, except_user: User | None = None) -> list[User]:
    query = (select(User).join(ProposalInterest, ProposalInterest.user_id == User.id)
             .where(ProposalInterest.proposal_id == proposal.id, User.active.is_(True))
             .order_by(ProposalInterest.created_at, User.id))
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return list(db.session.scalars(query))


def attach_event(proposal: SessionProposal, event: Event, by: User) -> SessionProposal:
    """`by` scheduled `event` from the proposal: it is marked scheduled and points at the
    event, and everyone interested (except `by`) is told. Refused (Conflict) when the
    proposal isn't open any more — two hosts racing for it: the first one wins."""
    if not is_event_host(by, event):
        raise NotAllowed("Only the event's host can schedule a proposal with it.")
    _require_open(proposal, "schedule it")
    moved = db.session.execute(
        update(SessionProposal)
        .where(SessionProposal.id == proposal.id, SessionProposal.status == PROPOSAL_OPEN)
        .values(status=PROPOSAL_SCHEDULED, event_id=event.id)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(proposal)
    if not moved:
        _require_open(proposal, "schedule it")
    signals.proposal_scheduled.send(proposal, event=event,
                                    to=interested_users(proposal, except_user=by))
    return proposal
