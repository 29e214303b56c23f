"""The marketplace page's two costly parts, each cached per process until its data changes.

The filter form (a select of every listed skill, the categories, the departments) and the
list of offers for a query string are the same for everyone, so they are rendered once and
reused until any offer, skill, category or person's name, handle, department or active flag
changes — which moves the "marketplace" cache generation in the same transaction (see
`app.core.generations`). "Best match for me" depends on who is asking, so its lists are
cached per person.
"""

from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup

from app.accounts.queries import departments
from app.core import generations
from app.core.cache import cached
from app.offers import queries
from app.offers.models import FORMATS, KINDS, LEVELS

AREA = "marketplace"

generations.watch(AREA, "offers")
generations.watch(AREA, "skills")
generations.watch(AREA, "skill_categories")
generations.watch(AREA, "users", columns=("display_name", "handle", "department", "active"))


def results_html(viewer, filters: queries.MarketplaceFilters, default_per_page: int) -> Markup:
    """The count, the offers and the pager for this request's query string."""
    # The pager's links repeat the query string as it came, so it is the key, not `filters`
    # (in its order: a repeated name means its first value).
    key = ("results", tuple(request.args.items(multi=True)),
           viewer.id if filters.sort == "match" else None)

    def render() -> Markup:
        page = queries.marketplace_page(viewer, filters, default_per_page)
        html = render_template("offers/_offer_results.html", page=page, filters=filters)
        return Markup(html)  # noqa: S704 — an autoescaped template's output

    return cached(AREA, key, render)


def filter_form_html(filters: queries.MarketplaceFilters) -> Markup:
    """The filter form, with this request's choices selected."""
    def render() -> Markup:
        html = render_template(
            "offers/_offer_filters.html", filters=filters, sorts=queries.SORTS, kinds=KINDS,
            levels=LEVELS, formats=FORMATS, skills=queries.skill_choices(filters.skill),
            categories=queries.category_choices(), departments=departments())
        return Markup(html)  # noqa: S704 — an autoescaped template's output

    return cached(AREA, ("filters", filters), render)
