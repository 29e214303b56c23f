"""Read-side offer queries. Every page loads a constant number of statements: the person,
skill and category of each offer come in the same query, joined."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.accounts.models import User
from app.core.pagination import paginate_capped, paginate_tiers
from app.extensions import db
from app.offers.models import FORMATS, KINDS, LEARN, LEVELS, OPEN, PAUSED, TEACH, Offer
from app.skills.models import SKILL_SLUG_MAX, Skill, SkillCategory

SORTS = {"newest": "Newest", "match": "Best match for me"}
DEPARTMENT_FILTER_MAX = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(value: str | None, max_length: int) -> str:
    """A query-string value made safe to compare: no control characters (PostgreSQL refuses
    NUL), trimmed, and no longer than the column it is compared with."""
    return _CONTROL.sub("", value or "").strip()[:max_length]


@dataclass(frozen=True)
class MarketplaceFilters:
    """The marketplace's filters, from the query string. Unknown values are dropped, so a
    hand-edited or outdated link still shows a page."""

    kind: str = ""
    skill: str = ""
    category: str = ""
    department: str = ""
    format: str = ""
    level: str = ""
    sort: str = "newest"

    @classmethod
    def from_args(cls, args) -> MarketplaceFilters:
        def known(name: str, allowed) -> str:
            value = args.get(name, "")
            return value if value in allowed else ""

        return cls(
            kind=known("kind", KINDS),
            skill=_clean(args.get("skill"), SKILL_SLUG_MAX),
            category=_clean(args.get("category"), SKILL_SLUG_MAX),
            department=_clean(args.get("department"), DEPARTMENT_FILTER_MAX),
            format=known("format", FORMATS),
            level=known("level", LEVELS),
            sort=known("sort", SORTS) or "newest",
        )

    @property
    def active(self) -> bool:
        return any((self.kind, self.skill, self.category, self.department, self.format,
                    self.level))


def _listed() -> Select:
    """Open offers of active people, with person, skill and category loaded in the same
    statement."""
    return (select(Offer)
            .join(Offer.user).join(Offer.skill).outerjoin(Skill.category)
            .where(Offer.status == OPEN, User.active)
            .options(contains_eager(Offer.user),
                     contains_eager(Offer.skill).contains_eager(Skill.category)))


# The marketplace counts at most this many matching offers ("1,000+"): counting means
# reading every matching row, and nobody pages that far — they filter instead.
COUNT_CAP = 1000


def marketplace_select(filters: MarketplaceFilters) -> Select:
    """The listed offers that pass every filter (they combine with AND), unordered."""
    query = _listed()
    if filters.kind:
        query = query.where(Offer.kind == filters.kind)
    if filters.skill:
        query = query.where(Skill.slug == filters.skill)
    if filters.category:
        query = query.where(SkillCategory.slug == filters.category)
    if filters.department:
        query = query.where(User.department == filters.department)
    if filters.format:
        query = query.where(getattr(Offer, f"format_{filters.format}").is_(True))
    if filters.level:
        query = query.where(Offer.level == filters.level)
    return query


NEWEST = (Offer.created_at.desc(), Offer.id.desc())


def marketplace_page(viewer: User, filters: MarketplaceFilters,
                     default_per_page: int) -> Pagination:
    """The page of the marketplace that `?page=` asks for, newest or best match first."""
    query = marketplace_select(filters)
    if filters.sort == "match":
        return paginate_tiers(best_match_tiers(viewer, query), query, default_per_page,
                              cap=COUNT_CAP)
    return paginate_capped(query.order_by(*NEWEST), default_per_page, cap=COUNT_CAP)


def best_match_tiers(viewer: User, query: Select) -> list[Select]:
    """Best match for the viewer, as four lists read one after another:

    1. offers that complement the viewer's own open offers — teachers of what they want to
       learn, learners of what they teach — people from other departments first;
    2. everyone else's offers from other departments;
    3. everyone else's offers from the viewer's department;
    4. the viewer's own offers.

    Newest first within each. Only the first list needs sorting by more than its index
    (it is short); the others stop after a page of rows."""
    my_skills = {
        kind: select(Offer.skill_id).where(Offer.user_id == viewer.id, Offer.kind == kind,
                                           Offer.status == OPEN).scalar_subquery()
        for kind in (TEACH, LEARN)
    }
    complements = (((Offer.kind == TEACH) & Offer.skill_id.in_(my_skills[LEARN]))
                   | ((Offer.kind == LEARN) & Offer.skill_id.in_(my_skills[TEACH])))
    others = query.where(Offer.user_id != viewer.id)
    other_department = User.department != (viewer.department or "")
    return [
        others.where(complements)
        .order_by(case((other_department, 0), else_=1), *NEWEST),
        others.where(~complements, other_department).order_by(*NEWEST),
        others.where(~complements, ~other_department).order_by(*NEWEST),
        query.where(Offer.user_id == viewer.id).order_by(*NEWEST),
    ]


def skill_choices(selected: str = "") -> list[tuple[str, str]]:
    """(slug, name) of the skills with at least one listed offer, and the selected one.

    A correlated EXISTS: each skill stops at its first listed offer, found through
    ix_offers_browse (status, kind, skill_id) — naming every kind lets the index reach
    skill_id — instead of collecting the skill of every open offer first."""
    listed = (select(Offer.id).join(Offer.user)
              .where(Offer.status == OPEN, Offer.kind.in_(KINDS), Offer.skill_id == Skill.id,
                     User.active))
    condition = listed.exists()
    if selected:
        condition = or_(condition, Skill.slug == selected)
    rows = db.session.execute(select(Skill.slug, Skill.name).where(condition)
                              .order_by(func.lower(Skill.name), Skill.id))
    return [(row.slug, row.name) for row in rows]


def category_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(SkillCategory.slug, SkillCategory.name)
                              .order_by(SkillCategory.name))
    return [(row.slug, row.name) for row in rows]


SKILL_SUGGESTIONS_MAX = 1000


def skill_names(limit: int = SKILL_SUGGESTIONS_MAX) -> list[str]:
    """Canonical skill names to suggest while someone types one."""
    return list(db.session.scalars(select(Skill.name).order_by(func.lower(Skill.name))
                                   .limit(limit)))


def offer_with_details(offer_id: int) -> Offer | None:
    """One offer with its person, skill and category, in one statement."""
    return db.session.scalar(
        select(Offer).where(Offer.id == offer_id)
        .options(joinedload(Offer.user), joinedload(Offer.skill).joinedload(Skill.category)))


def profile_offers(person: User, viewer) -> dict[str, list[Offer]]:
    """A person's offers for their profile, grouped by kind, in one query: open ones, and
    paused ones too when the person looks at their own profile."""
    statuses = [OPEN]
    if getattr(viewer, "is_authenticated", False) and viewer.id == person.id:
        statuses.append(PAUSED)
    rows = db.session.scalars(
        select(Offer).join(Offer.skill)
        .where(Offer.user_id == person.id, Offer.status.in_(statuses))
        .options(contains_eager(Offer.skill))
        .order_by(func.lower(Skill.name), Offer.id))
    grouped: dict[str, list[Offer]] = {kind: [] for kind in KINDS}
    for offer in rows:
        grouped[offer.kind].append(offer)
    return grouped

