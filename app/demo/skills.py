"""Demo skill taxonomy: the categories and skills of `skills_data.TAXONOMY`, with aliases.

Reads the existing categories, skills and names once, adds only what is missing (a skill
already known by any of its names is reused, and an alias another skill already has is
skipped), and flushes (never commits). The same data gives the same taxonomy every time.
"""

from __future__ import annotations

from sqlalchemy import select

from app.demo.skills_data import TAXONOMY
from app.extensions import db
from app.skills.models import Skill, SkillCategory, SkillName
from app.skills.services import clean_skill_name, skill_key, skill_slug_text


def _entries(entry: str | tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    if isinstance(entry, str):
        return entry, ()
    return entry[0], tuple(entry[1:])


def _free(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def create_taxonomy() -> list[Skill]:
    """Every skill of the demo taxonomy (created where missing), in `TAXONOMY` order."""
    categories = {c.name: c for c in db.session.scalars(select(SkillCategory))}
    category_slugs = {c.slug for c in categories.values()}
    skill_slugs = set(db.session.scalars(select(Skill.slug)))
    owners: dict[str, Skill] = {
        name.key: name.skill for name in db.session.scalars(select(SkillName))}
    skills: list[Skill] = []
    for category_name, entries in TAXONOMY.items():
        category = categories.get(category_name)
        if category is None:
            category = SkillCategory(
                name=category_name,
                slug=_free(skill_slug_text(category_name) or "category", category_slugs))
            categories[category_name] = category
            db.session.add(category)
        for entry in entries:
            name, aliases = _entries(entry)
            name = clean_skill_name(name)
            skill = owners.get(skill_key(name))
            if skill is None:
                skill = Skill(name=name, category=category,
                              slug=_free(skill_slug_text(name) or "skill", skill_slugs))
                skill.names.append(SkillName(name=name, key=skill_key(name), is_canonical=True))
                owners[skill_key(name)] = skill
                db.session.add(skill)
            for alias in aliases:
                alias = clean_skill_name(alias)
                if skill_key(alias) not in owners:
                    skill.names.append(SkillName(name=alias, key=skill_key(alias)))
                    owners[skill_key(alias)] = skill
            if skill not in skills:
                skills.append(skill)
    db.session.flush()
    return skills
