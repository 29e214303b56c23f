"""How offers become search documents.

An offer's document holds its skill's name (weighted as a title) and aliases, whether it
teaches or wants to learn, its level, its description and the person's name, so "python
Ana" finds Ana's Python offers. Only open offers of active people are indexed. Renaming a
skill or one of its aliases refreshes the skill's offers, and a change to a person (a new
name, deactivation) refreshes theirs, through the outbox's `watch`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.core.markdown import to_plain_text
from app.extensions import db
from app.offers.models import KINDS, LEVELS, OPEN, Offer
from app.search.registry import DocType, register
from app.skills.models import Skill, SkillName
from app.skills.search_documents import skill_ids_of_name

DOC_TYPE = "offer"


def offer_document(offer: Offer) -> dict:
    skill = offer.skill
    parts = [f"{KINDS.get(offer.kind, offer.kind)} · {LEVELS.get(offer.level, offer.level)}"
             f" · {offer.user.display_name}"]
    if skill.aliases:
        parts.append("Also known as " + ", ".join(skill.aliases))
    parts.append(to_plain_text(offer.description_md))
    return {"title": skill.name, "body": "\n\n".join(p for p in parts if p),
            "created_at": offer.created_at}


def is_indexable(offer: Offer) -> bool:
    return offer.status == OPEN and offer.user.active


def load_offers(ids: Sequence[int]) -> list[Offer]:
    """The offers with these ids, in the order given, with their skill and person."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Offer).where(Offer.id.in_(list(ids)))
        .options(joinedload(Offer.user), joinedload(Offer.skill).selectinload(Skill.names))
    ).unique().all()
    by_id = {o.id: o for o in rows}
    return [by_id[i] for i in ids if i in by_id]


def _offers_where(*criteria) -> list[int]:
    return list(db.session.connection().scalars(select(Offer.id).where(*criteria)))


def _offers_of_skill(skill: Skill) -> list[int]:
    return [] if skill.id is None else _offers_where(Offer.skill_id == skill.id)


def _offers_of_name(name: SkillName) -> list[int]:
    ids = skill_ids_of_name(name)
    return _offers_where(Offer.skill_id.in_(ids)) if ids else []


def _offers_of_user(user: User) -> list[int]:
    return [] if user.id is None else _offers_where(Offer.user_id == user.id)


OFFER_DOCS = register(DocType(
    name=DOC_TYPE,
    model=Offer,
    to_document=offer_document,
    is_indexable=is_indexable,
    load_many=load_offers,
    all_ids=lambda: select(Offer.id).order_by(Offer.id),
    watch=[(Skill, _offers_of_skill), (SkillName, _offers_of_name), (User, _offers_of_user)],
    fields={Offer: frozenset({"skill_id", "skill", "kind", "level", "description_md",
                              "status", "user_id", "user"}),
            Skill: frozenset({"name"}),
            SkillName: frozenset({"name", "skill_id", "skill", "is_canonical"}),
            User: frozenset({"display_name", "active"})},
))
