"""Skill and offer factories for the skill tests: real rows, committed."""

from __future__ import annotations

import itertools

from app.extensions import db
from app.offers.models import OPEN, TEACH, Offer
from app.skills.models import SkillCategory, SkillName
from app.skills.services import get_or_create_skill, skill_key, skill_slug_text
from tests.factories import make_user

_counter = itertools.count(1)


def make_category(name: str | None = None, *, commit: bool = True) -> SkillCategory:
    name = name or f"Category {next(_counter)}"
    category = SkillCategory(name=name, slug=skill_slug_text(name))
    db.session.add(category)
    if commit:
        db.session.commit()
    return category


def make_skill(name: str | None = None, *, aliases: tuple[str, ...] = (), category=None,
               commit: bool = True):
    skill = get_or_create_skill(None, name or f"Skill {next(_counter)}", category=category)
    for alias in aliases:
        skill.names.append(SkillName(name=alias, key=skill_key(alias)))
    db.session.flush()
    if commit:
        db.session.commit()
    return skill


def make_offer(skill, user=None, *, kind: str = TEACH, status: str = OPEN,
               commit: bool = True, **overrides) -> Offer:
    fields = {"level": "intermediate", "format_one_to_one": True,
              "capacity": 3 if kind == TEACH else None, "seats_taken": 0}
    fields.update(overrides)
    offer = Offer(user=user or make_user(), skill=skill, kind=kind, status=status, **fields)
    db.session.add(offer)
    if commit:
        db.session.commit()
    return offer
