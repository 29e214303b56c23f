"""How skills become search documents.

A skill's document holds its name (weighted as a title), its aliases and its category, so
"k8s" finds Kubernetes. Renaming a category, or adding, renaming or removing an alias,
refreshes the skill through the outbox's `watch`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.search.registry import DocType, register
from app.skills.models import Skill, SkillCategory, SkillName

DOC_TYPE = "skill"


def skill_document(skill: Skill) -> dict:
    parts = []
    if skill.aliases:
        parts.append("Also known as " + ", ".join(skill.aliases))
    if skill.category is not None:
        parts.append(skill.category.name)
    return {"title": skill.name, "body": ". ".join(parts), "created_at": skill.created_at}


def is_indexable(skill: Skill) -> bool:
    return bool((skill.name or "").strip())


def load_skills(ids: Sequence[int]) -> list[Skill]:
    """The skills with these ids, in the order given (missing ones left out)."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Skill).where(Skill.id.in_(list(ids)))
        .options(selectinload(Skill.names), joinedload(Skill.category))).unique().all()
    by_id = {s.id: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]


def skill_ids_of_name(name: SkillName) -> set[int]:
    """The skill a name belongs to, and the one it belonged to before (a moved alias)."""
    ids = {name.skill_id}
    history = inspect(name).attrs.skill_id.history
    ids.update(history.deleted or ())
    return {i for i in ids if i is not None}


def _skills_in_category(category: SkillCategory) -> list[int]:
    if category.id is None:
        return []
    return list(db.session.connection().scalars(
        select(Skill.id).where(Skill.category_id == category.id)))


SKILL_DOCS = register(DocType(
    name=DOC_TYPE,
    model=Skill,
    to_document=skill_document,
    is_indexable=is_indexable,
    load_many=load_skills,
    all_ids=lambda: select(Skill.id).order_by(Skill.id),
    watch=[(SkillName, skill_ids_of_name), (SkillCategory, _skills_in_category)],
    fields={Skill: frozenset({"name", "category_id", "category", "names"}),
            SkillName: frozenset({"name", "skill_id", "skill", "is_canonical"}),
            SkillCategory: frozenset({"name"})},
))
