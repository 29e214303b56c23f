"""Reading session proposals: the open ones by interest, the ones a viewer could teach, and
what the viewer already said — each a single query, so the list page costs the same with
three proposals or three thousand."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.events.models import PROPOSAL_OPEN, ProposalInterest, SessionProposal
from app.extensions import db
from app.offers.models import OPEN, TEACH, Offer
from app.skills.models import Skill

PER_PAGE = 20
TEACHABLE_MAX = 10  # "Proposals you could teach": the most wanted first
SKILL_OPTIONS_MAX = 200


def _open_proposals(skill: Skill | None = None) -> Select:
    query = (select(SessionProposal).where(SessionProposal.status == PROPOSAL_OPEN)
             .options(joinedload(SessionProposal.user), joinedload(SessionProposal.skill)))
    if skill is not None:
        query = query.where(SessionProposal.skill_id == skill.id)
    return query.order_by(SessionProposal.interest_count.desc(),
                          SessionProposal.created_at.desc(), SessionProposal.id.desc())


def proposal_list_select(skill: Skill | None = None) -> Select:
    """Open proposals, most interest first (then newest), optionally for one skill."""
    return _open_proposals(skill)


def _teaching_skill_ids(viewer: User):
    return (select(Offer.skill_id)
            .where(Offer.user_id == viewer.id, Offer.kind == TEACH, Offer.status == OPEN)
            .scalar_subquery())


def teachable_proposals(viewer: User, skill: Skill | None = None,
                        limit: int = TEACHABLE_MAX) -> list[SessionProposal]:
    """Open proposals (by others) for skills `viewer` has an open "can teach" offer for."""
    query = (_open_proposals(skill)
             .where(SessionProposal.skill_id.in_(_teaching_skill_ids(viewer)),
                    SessionProposal.user_id != viewer.id)
             .limit(limit))
    return list(db.session.scalars(query).unique())


def teaching_skill_ids(viewer: User, proposals: list[SessionProposal]) -> set[int]:
    """Which of these proposals' skills `viewer` has an open "can teach" offer for."""
    skill_ids = {p.skill_id for p in proposals}
    if not skill_ids:
        return set()
    return set(db.session.scalars(
        select(Offer.skill_id)
        .where(Offer.user_id == viewer.id, Offer.kind == TEACH, Offer.status == OPEN,
               Offer.skill_id.in_(skill_ids)).distinct()))


def interested_ids(viewer: User, proposals: list[SessionProposal]) -> set[int]:
    """The ids of these proposals `viewer` has added their interest to (or proposed)."""
    ids = {p.id for p in proposals}
    if not ids:
        return set()
    return set(db.session.scalars(
        select(ProposalInterest.proposal_id)
        .where(ProposalInterest.user_id == viewer.id, ProposalInterest.proposal_id.in_(ids))))


def skill_options() -> list[Skill]:
    """Skills with open proposals, by name, for the filter."""
    with_proposals = (select(SessionProposal.skill_id)
                      .where(SessionProposal.status == PROPOSAL_OPEN).distinct())
    return list(db.session.scalars(
        select(Skill).where(Skill.id.in_(with_proposals)).order_by(Skill.name)
        .limit(SKILL_OPTIONS_MAX)))


@dataclass
class CardState:
    """What the viewer sees on proposal cards: their interest, what they can teach."""

    viewer_id: int
    interested: set[int] = field(default_factory=set)
    teachable_skills: set[int] = field(default_factory=set)

    def is_interested(self, proposal: SessionProposal) -> bool:
        return proposal.id in self.interested

    def can_schedule(self, proposal: SessionProposal) -> bool:
        return (proposal.status == PROPOSAL_OPEN and proposal.user_id != self.viewer_id
                and proposal.skill_id in self.teachable_skills)


def card_state(viewer: User, proposals: list[SessionProposal]) -> CardState:
    return CardState(viewer_id=viewer.id, interested=interested_ids(viewer, proposals),
                     teachable_skills=teaching_skill_ids(viewer, proposals))
