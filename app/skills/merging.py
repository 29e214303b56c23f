"""Merging a duplicate skill into another ("Javascript" and "JS" entered as two skills).

Everything moves to the skill that stays: every offer, and every name the duplicate had
(its canonical name too) as an alias, so old lookups and links find the survivor. Someone
who has an offer that is not closed, of the same kind, on both skills keeps one of the two:
the other is closed, as the database allows only one per person, kind and skill (the open
one is kept over a paused one; between equals, the surviving skill's). The duplicate is then
deleted. `merge_plan` shows all of this before anything changes.

Administrators only; flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid
from app.extensions import db
from app.offers.models import CLOSED, OPEN, PAUSED, Offer
from app.offers.search_documents import DOC_TYPE as OFFER_DOC
from app.search import outbox
from app.skills.models import Skill
from app.skills.services import find_skill, require_taxonomy_editor


@dataclass
class MergePlan:
    """What merging `duplicate` into `target` will do."""

    duplicate: Skill
    target: Skill
    names: list[str]
    offers_by_status: dict[str, int] = field(default_factory=dict)  # offers that move
    closing: list[Offer] = field(default_factory=list)  # offers closed to keep one each

    @property
    def offers_moving(self) -> int:
        return sum(self.offers_by_status.values())


def find_merge_target(duplicate: Skill, raw_name: str | None) -> Skill:
    """The skill called `raw_name` (or known by it as an alias), to merge `duplicate` into."""
    name = " ".join((raw_name or "").split())
    if not name:
        raise Invalid("into", "Name the skill to merge this one into.")
    target = find_skill(name)
    if target is None:
        raise Invalid("into", f"No skill is called “{name}”. Check the spelling: any of a "
                              "skill's names or aliases works.")
    if target.id == duplicate.id:
        raise Invalid("into", f"“{name}” is this skill. Choose the other skill, the one "
                              "that should stay.")
    return target


def _offers_to_close(duplicate: Skill, target: Skill) -> list[Offer]:
    """For each person with a not-closed offer of one kind on both skills, the one to close."""
    mine, theirs = aliased(Offer), aliased(Offer)
    pairs = db.session.execute(
        select(mine, theirs)
        .join(theirs, and_(theirs.user_id == mine.user_id, theirs.kind == mine.kind,
                           theirs.skill_id == target.id, theirs.status != CLOSED))
        .where(mine.skill_id == duplicate.id, mine.status != CLOSED)
        .options(selectinload(mine.user), selectinload(theirs.user))
        .order_by(mine.id)).all()
    closing = []
    for moving, staying in pairs:
        if moving.status == OPEN and staying.status == PAUSED:
            closing.append(staying)
        else:
            closing.append(moving)
    return closing


def merge_plan(duplicate: Skill, target: Skill) -> MergePlan:
    """A preview of `merge_skills(…, duplicate, target)`; changes nothing."""
    by_status = dict(db.session.execute(
        select(Offer.status, func.count()).where(Offer.skill_id == duplicate.id)
        .group_by(Offer.status)).all())
    return MergePlan(duplicate=duplicate, target=target,
                     names=sorted(n.name for n in duplicate.names),
                     offers_by_status={s: by_status.get(s, 0) for s in (OPEN, PAUSED, CLOSED)},
                     closing=_offers_to_close(duplicate, target))


def merge_skills(actor: User, duplicate: Skill, target: Skill) -> MergePlan:
    """Move everything from `duplicate` to `target` and delete `duplicate`; returns what
    was done (the plan it followed)."""
    require_taxonomy_editor(actor)
    if duplicate.id == target.id:
        raise Invalid("into", "A skill can't be merged into itself.")
    plan = merge_plan(duplicate, target)
    now = utcnow()
    for offer in plan.closing:
        offer.status, offer.updated_at = CLOSED, now
    try:
        with db.session.begin_nested():
            db.session.flush()  # closed first, so the move never has two open offers each
            moved = db.session.scalars(
                select(Offer.id).where(Offer.skill_id == duplicate.id)).all()
            db.session.execute(
                update(Offer).where(Offer.skill_id == duplicate.id).values(skill_id=target.id),
                execution_options={"synchronize_session": "fetch"})
    except IntegrityError:  # someone posted a clashing offer since the plan was made
        raise Conflict("Offers changed while merging. Look at the preview again, then "
                       "merge.") from None
    for name in list(duplicate.names):
        name.skill = target
        name.is_canonical = False
    if target.category_id is None and duplicate.category_id is not None:
        target.category_id = duplicate.category_id
    for offer_id in moved:  # a bulk UPDATE: the flush does not see the offers' new skill
        outbox.touch(OFFER_DOC, offer_id)
    db.session.flush()
    _move_events_and_proposals(duplicate, target)
    db.session.delete(duplicate)
    db.session.flush()
    return plan


def _move_events_and_proposals(duplicate: Skill, target: Skill) -> None:
    """Events on the duplicate are on the target from now on (an event on both keeps one
    link), and so are session proposals — deleting the duplicate would otherwise drop them."""
    from app.events.models import EventSkill, SessionProposal

    on_target = select(EventSkill.event_id).where(EventSkill.skill_id == target.id)
    event_ids = db.session.scalars(
        select(EventSkill.event_id).where(EventSkill.skill_id == duplicate.id)).all()
    db.session.execute(
        delete(EventSkill).where(EventSkill.skill_id == duplicate.id,
                                 EventSkill.event_id.in_(on_target)),
        execution_options={"synchronize_session": False})
    db.session.execute(
        update(EventSkill).where(EventSkill.skill_id == duplicate.id)
        .values(skill_id=target.id), execution_options={"synchronize_session": False})
    db.session.execute(
        update(SessionProposal).where(SessionProposal.skill_id == duplicate.id)
        .values(skill_id=target.id), execution_options={"synchronize_session": False})
    for event_id in event_ids:
        outbox.touch("event", event_id)
    db.session.expire_all()  # loaded events' skill lists were changed behind their backs
