"""The search page: /search?q=…&type=…&tag=…&sort=…&page=… (a fragment of results for htmx).

`type` picks what is searched: questions (the default), skills, offers, events, people, or
all.
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user, login_required

from app.core.db import utcnow
from app.core.htmx import render_page_or_fragment
from app.forum.models import TAG_MAX
from app.search import bp
from app.search.query import MAX_QUERY_CHARS, clean

# What is read of ?q=: more than the search uses, so a longer query is cut (and says so)
# rather than refused, but never unbounded.
MAX_QUERY_ARG = MAX_QUERY_CHARS * 10
SORT_LABELS = {"relevance": "Best match", "newest": "Newest"}
# ?type= → (the doc_type searched, None for every kind; the tab's label)
TYPES = {
    "questions": ("question", "Questions"),
    "skills": ("skill", "Skills"),
    "offers": ("offer", "Offers"),
    "events": ("event", "Events"),
    "people": ("person", "People"),
    "all": (None, "All"),
}
DEFAULT_TYPE = "questions"
HEADINGS = {"questions": "Search questions", "all": "Search everything"}
COUNTED_TYPES = ("skills", "offers", "events", "people")  # small kinds: a tab count is cheap


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals["search_query_max"] = MAX_QUERY_CHARS


def _page_arg() -> int:
    """?page= as a whole number of at least 1 (search_questions caps how deep it goes)."""
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 10_000))


@bp.get("/search")
@login_required
def search():
    # Imported here: the queries load forum (and event) documents, and those domains import
    # this package to register them, so a module-level import would be circular.
    from app.events.models import KINDS as EVENT_KINDS
    from app.search.queries import search_documents, search_questions, type_counts

    q = request.args.get("q", "")[:MAX_QUERY_ARG]
    tag = clean(request.args.get("tag", "")[:TAG_MAX * 4])[:TAG_MAX].lower()
    sort = request.args.get("sort", "relevance")
    if sort not in SORT_LABELS:
        sort = "relevance"
    per_page = min(current_app.config.get("SEARCH_PER_PAGE", 20),
                   current_app.config["MAX_PER_PAGE"])
    kind = request.args.get("type", DEFAULT_TYPE)
    if kind not in TYPES:
        kind = DEFAULT_TYPE
    if kind == DEFAULT_TYPE:
        results = search_questions(q, viewer=current_user, tag=tag or None, sort=sort,
                                   page=_page_arg(), per_page=per_page)
    else:
        results = search_documents(q, doc_type=TYPES[kind][0], viewer=current_user,
                                   tag=tag or None, sort=sort, page=_page_arg(),
                                   per_page=per_page)
    searched = bool(results.query or tag)
    counts = {}
    if searched:
        found = type_counts(q, [TYPES[t][0] for t in COUNTED_TYPES], tag=tag or None)
        counts = {t: found[TYPES[t][0]] for t in COUNTED_TYPES if TYPES[t][0] in found}
    return render_page_or_fragment(
        "search/search_results.html", "search/_results.html",
        results=results, q=results.query, tag=tag, sort=sort, sorts=SORT_LABELS,
        searched=searched, kind=kind, types=TYPES, type_counts=counts,
        event_kinds=EVENT_KINDS, now=utcnow(),
        heading=HEADINGS.get(kind, f"Search {TYPES[kind][1].lower()}"))
