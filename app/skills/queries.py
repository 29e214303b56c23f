"""Read-side skill queries: the skill list with supply and demand, the skill hub, the admin
lists. Every page loads a constant number of statements: counts come from one GROUP BY,
related rows with `selectinload`, never one query per row.

Supply and demand count open offers of active people: "can teach" offers are the supply,
"want to learn" offers the demand, and the gap is demand minus supply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.accounts.models import User
from app.accounts.permissions import is_admin
from app.core.db import utcnow
from app.extensions import db
from app.forum.models import Question, Tag, question_tags
from app.offers.models import LEARN, OPEN, TEACH, Offer
from app.skills.models import Skill, SkillCategory, SkillName
from app.skills.services import skill_key

SORTS = {
    "demand": "Most wanted",
    "supply": "Most taught",
    "gap": "Wanted but not taught",
    "name": "Name",
}
UNCATEGORISED = "none"  # ?category=none: skills in no category
HUB_OFFERS = 12  # per side; the marketplace lists them all
HUB_QUESTIONS = 10  # the tag pages list them all
HUB_EVENTS = 5  # upcoming, and past; the events list has them all


def _like_key(text: str) -> str | None:
    """A LIKE pattern matching names whose key contains `text`'s key ("node js" finds
    Node.js), or None when the text has no key at all."""
    key = skill_key(text)
    if not key:
        return None
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def tag_key(column):
    """`skill_key()` of a forum tag's name, in SQL. Tag names are already lowercase ASCII
    letters, digits and + # . - (`app.forum.services.TAG_RE`), so of everything
    `skill_key` folds away only '-' and '.' can occur: "node.js" and "node-js" → "nodejs"."""
    return func.replace(func.replace(column, "-", ""), ".", "")


def categories() -> list[SkillCategory]:
    return list(db.session.scalars(select(SkillCategory).order_by(func.lower(SkillCategory.name))))


def category_from_slug(all_categories: list[SkillCategory], slug: str):
    """What a `?category=` slug means: one of the categories, UNCATEGORISED, or None (all)."""
    if slug == UNCATEGORISED:
        return UNCATEGORISED
    return next((c for c in all_categories if c.slug == slug), None)


def _open_offer_counts():
    """Per skill: open "can teach" offers (supply) and "want to learn" offers (demand)."""
    return (select(Offer.skill_id.label("skill_id"),
                   func.count().filter(Offer.kind == TEACH).label("supply"),
                   func.count().filter(Offer.kind == LEARN).label("demand"))
            .join(User, User.id == Offer.user_id)
            .where(Offer.status == OPEN, User.active)
            .group_by(Offer.skill_id))


def _filtered(query: Select, *, q: str = "", category: SkillCategory | str | None = None):
    pattern = _like_key(q) if q else None
    if pattern is not None:
        query = query.where(Skill.id.in_(
            select(SkillName.skill_id).where(SkillName.key.like(pattern, escape="\\"))))
    if category == UNCATEGORISED:
        query = query.where(Skill.category_id.is_(None))
    elif isinstance(category, SkillCategory):
        query = query.where(Skill.category_id == category.id)
    return query


def skill_list_select(*, q: str = "", category: SkillCategory | str | None = None,
                      sort: str = "demand") -> Select:
    """Skills matching a name (any of their names) and a category, in `sort` order, for
    `paginate`; `offer_counts()` then gives the numbers for one page."""
    counts = _open_offer_counts().subquery()
    supply = func.coalesce(counts.c.supply, 0)
    demand = func.coalesce(counts.c.demand, 0)
    name = func.lower(Skill.name)
    order = {
        "supply": (supply.desc(), demand.desc(), name),
        "gap": ((demand - supply).desc(), demand.desc(), name),
        "name": (name,),
    }.get(sort, (demand.desc(), supply.desc(), name))
    query = (select(Skill).outerjoin(counts, counts.c.skill_id == Skill.id)
             .options(selectinload(Skill.category), selectinload(Skill.names)))
    return _filtered(query, q=q, category=category).order_by(*order, Skill.id)


@dataclass(frozen=True)
class Counts:
    supply: int = 0
    demand: int = 0

    @property
    def gap(self) -> int:
        return self.demand - self.supply


def offer_counts(skills: list[Skill]) -> dict[int, Counts]:
    """Supply and demand for these skills, in one query (missing skills have none)."""
    if not skills:
        return {}
    rows = db.session.execute(_open_offer_counts().where(
        Offer.skill_id.in_([s.id for s in skills])))
    return {skill_id: Counts(supply, demand) for skill_id, supply, demand in rows}


def skill_by_slug(slug: str) -> Skill | None:
    return db.session.scalar(
        select(Skill).where(Skill.slug == slug)
        .options(selectinload(Skill.names), joinedload(Skill.category)))


@dataclass
class SkillHub:
    """Everything a skill's page shows, loaded in a fixed number of queries."""

    skill: Skill
    counts: Counts
    teachers: list[Offer] = field(default_factory=list)  # the first HUB_OFFERS
    learners: list[Offer] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)  # the first HUB_QUESTIONS
    question_count: int = 0
    upcoming_events: list = field(default_factory=list)  # the next HUB_EVENTS, soonest first
    more_upcoming: bool = False  # more than HUB_EVENTS are coming up
    past_events: list = field(default_factory=list)  # the last HUB_EVENTS, latest first
    materials: dict = field(default_factory=dict)  # past event id → its EventMaterials


def _open_offers(skill: Skill, kind: str, *order) -> list[Offer]:
    return list(db.session.scalars(
        select(Offer).join(Offer.user).options(contains_eager(Offer.user))
        .where(Offer.skill_id == skill.id, Offer.kind == kind, Offer.status == OPEN,
               User.active)
        .order_by(*order, Offer.created_at.desc(), Offer.id.desc()).limit(HUB_OFFERS)))


def _tagged_question_filter(viewer: User, keys: list[str]):
    """Questions the viewer may see with a tag that is one of the skill's names."""
    tagged = (select(question_tags.c.question_id)
              .join(Tag, Tag.id == question_tags.c.tag_id).where(tag_key(Tag.name).in_(keys)))
    conditions = [Question.id.in_(tagged)]
    if not is_admin(viewer):
        conditions.append(Question.is_hidden.is_(False))
    return conditions


def skill_hub(viewer: User, skill: Skill) -> SkillHub:
    """A skill (loaded by `skill_by_slug`) with who teaches it, who wants to learn it, the
    forum questions tagged with any of its names, and its events."""
    keys = [n.key for n in skill.names]
    counts = offer_counts([skill]).get(skill.id, Counts())
    has_free_seat = case((Offer.seats_taken < Offer.capacity, 0), else_=1)
    hub = SkillHub(skill=skill, counts=counts,
                   teachers=_open_offers(skill, TEACH, has_free_seat),
                   learners=_open_offers(skill, LEARN))
    hub.tags = list(db.session.scalars(
        select(Tag).where(tag_key(Tag.name).in_(keys)).order_by(Tag.name)))
    visible_tagged = _tagged_question_filter(viewer, keys)
    hub.questions = list(db.session.scalars(
        select(Question).where(*visible_tagged)
        .options(selectinload(Question.author), selectinload(Question.tags))
        .order_by(Question.last_activity_at.desc(), Question.id.desc()).limit(HUB_QUESTIONS)))
    hub.question_count = db.session.scalar(
        select(func.count()).select_from(Question).where(*visible_tagged)) or 0
    _add_events(hub, skill)
    return hub


def _add_events(hub: SkillHub, skill: Skill) -> None:
    """The skill's scheduled events: the next few (still running counts as upcoming) and the
    last few that ended, with their materials — three queries at most, whatever the
    numbers."""
    # Imported here: the events package imports skills when it loads.
    from app.events.models import SCHEDULED, Event, EventMaterial, EventSkill

    now = utcnow()
    of_skill = (Event.status == SCHEDULED,
                Event.id.in_(select(EventSkill.event_id).where(EventSkill.skill_id == skill.id)))
    upcoming = list(db.session.scalars(
        select(Event).where(*of_skill, Event.ends_at > now).options(joinedload(Event.host))
        .order_by(Event.starts_at, Event.id).limit(HUB_EVENTS + 1)))
    hub.upcoming_events, hub.more_upcoming = upcoming[:HUB_EVENTS], len(upcoming) > HUB_EVENTS
    hub.past_events = list(db.session.scalars(
        select(Event).where(*of_skill, Event.ends_at <= now).options(joinedload(Event.host))
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(HUB_EVENTS)))
    if hub.past_events:
        materials = db.session.scalars(
            select(EventMaterial)
            .where(EventMaterial.event_id.in_([e.id for e in hub.past_events]))
            .order_by(EventMaterial.created_at, EventMaterial.id))
        for material in materials:
            hub.materials.setdefault(material.event_id, []).append(material)


# -- Administration --------------------------------------------------------------------------


def admin_skill_select(*, q: str = "", category: SkillCategory | str | None = None) -> Select:
    """Skills by name, with their category and names loaded (for alias counts)."""
    query = select(Skill).options(selectinload(Skill.category), selectinload(Skill.names))
    return _filtered(query, q=q, category=category).order_by(func.lower(Skill.name), Skill.id)


def category_list_select() -> Select:
    return select(SkillCategory).order_by(func.lower(SkillCategory.name), SkillCategory.id)


def skill_counts_by_category(categories: list[SkillCategory]) -> dict[int, int]:
    if not categories:
        return {}
    rows = db.session.execute(
        select(Skill.category_id, func.count())
        .where(Skill.category_id.in_([c.id for c in categories])).group_by(Skill.category_id))
    return {category_id: count for category_id, count in rows}


def uncategorised_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Skill).where(Skill.category_id.is_(None))) or 0
