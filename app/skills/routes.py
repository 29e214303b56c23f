"""Skill pages: the list with supply and demand, and each skill's hub. Thin: load → render."""

from __future__ import annotations

import re

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.htmx import render_page_or_fragment
from app.core.pagination import paginate
from app.offers.models import FORMATS, LEARN, LEVELS, TEACH
from app.skills import bp, queries
from app.skills.models import SKILL_NAME_MAX, SKILL_SLUG_MAX, Skill
from app.skills.services import find_skill

SKILLS_PER_PAGE = 30
SLUG_PATTERN = re.compile(r"[a-z0-9-]+")


def skill_links(skill: Skill) -> dict[str, str]:
    """Where a skill's page sends people: its offers, and posting one of their own."""
    return {
        "offers": url_for("offers.marketplace", skill=skill.slug),
        "teach": url_for("offers.new_offer", kind=TEACH, skill=skill.name),
        "learn": url_for("offers.new_offer", kind=LEARN, skill=skill.name),
    }


def list_args() -> tuple[str, str, str]:
    """`?q=`, `?category=` and `?sort=` made safe: unknown values fall back."""
    q = request.args.get("q", "")[:SKILL_NAME_MAX]
    category = request.args.get("category", "")[:SKILL_SLUG_MAX]
    sort = request.args.get("sort", "demand")
    return q, category, sort if sort in queries.SORTS else "demand"


@bp.get("/")
@login_required
def skills():
    q, category_slug, sort = list_args()
    all_categories = queries.categories()
    category = queries.category_from_slug(all_categories, category_slug)
    page = paginate(queries.skill_list_select(q=q, category=category, sort=sort),
                    SKILLS_PER_PAGE)
    return render_page_or_fragment(
        "skills/skill_list.html", "skills/_skill_results.html",
        page=page, counts=queries.offer_counts(page.items), no_counts=queries.Counts(),
        q=q, q_max=SKILL_NAME_MAX, sort=sort, sorts=queries.SORTS, categories=all_categories,
        category=category, category_slug=category_slug if category else "",
        uncategorised=queries.UNCATEGORISED)


@bp.get("/<slug>")
@login_required
def skill(slug: str):
    slug = slug[:SKILL_SLUG_MAX]
    skill = queries.skill_by_slug(slug) if SLUG_PATTERN.fullmatch(slug) else None
    if skill is None:
        # A renamed or merged skill's old address (its old name is an alias now), or a
        # name typed into the address bar (/skills/C%23): found by any of its names.
        moved = find_skill(slug)
        if moved is None:
            abort(404)
        return redirect(url_for("skills.skill", slug=moved.slug), 301)
    from app.events.models import KINDS as EVENT_KINDS  # the events package imports skills

    return render_template("skills/skill_detail.html", skill=skill,
                           hub=queries.skill_hub(current_user, skill), links=skill_links(skill),
                           levels=LEVELS, formats=FORMATS, event_kinds=EVENT_KINDS)
