"""Offer and skill factories: real rows, made through the services where there are some,
committed."""

from __future__ import annotations

import itertools

from app.core.text import slug
from app.extensions import db
from app.offers import services
from app.offers.models import TEACH, Offer
from app.skills.models import Skill, SkillCategory
from app.skills.services import get_or_create_skill
from tests.factories import make_user

_counter = itertools.count(1)


def make_category(name: str | None = None, *, commit: bool = True) -> SkillCategory:
    name = name or f"Category {next(_counter)}"
    category = SkillCategory(name=name, slug=slug(name))
    db.session.add(category)
    if commit:
        db.session.commit()
    return category


def make_skill(name: str | None = None, *, category: SkillCategory | None = None,
               commit: bool = True) -> Skill:
    skill = get_or_create_skill(None, name or f"Skill {next(_counter)}", category=category)
    if commit:
        db.session.commit()
    return skill


def make_offer(user=None, *, kind: str = TEACH, skill: Skill | str | None = None,
               status: str | None = None, seats_taken: int = 0, commit: bool = True,
               **overrides) -> Offer:
    """An offer posted through `services.create_offer`; `status` and `seats_taken` are then
    set directly (as pausing, closing and accepted exchanges would)."""
    skill = skill or make_skill(commit=False)
    fields = {"level": "intermediate", "formats": ["one_to_one"], "availability": "Tuesdays",
              "description": "Happy to help with **anything**.",
              "capacity": 3 if kind == TEACH else None}
    fields.update(overrides)
    offer = services.create_offer(user or make_user(commit=False), kind=kind,
                                  skill_name=skill if isinstance(skill, str) else skill.name,
                                  **fields)
    if status is not None:
        offer.status = status
    offer.seats_taken = seats_taken
    db.session.flush()
    if commit:
        db.session.commit()
    return offer
