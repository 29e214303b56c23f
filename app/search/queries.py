"""Searching: Whoosh finds and ranks ids, the database loads what the viewer may see.

`search_questions()` serves the search page's default tab; `search_documents()` its other tabs
(skills, offers, events, people, or every kind at once); `similar_questions()` serves "similar
questions" while someone types a new one (questions only). All degrade to "no results"
(logged) if the index fails, so a search problem never becomes an error page.

Kept fast on a large index (see the Benchmarks section of the README): no `terms=True` and no
coordination wrapper, so Whoosh can skip blocks of postings that cannot make the page; filters
are `Require`d rather than turned into a set of every allowed document; the total is counted
exactly up to what the pager can reach and estimated beyond; only the hits on the page are
highlighted, in the HIGHLIGHT_CHARS of their text around the first match; similar questions
are remembered per version of the index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from whoosh import query as wq
from whoosh.searching import Searcher

from app.accounts.permissions import is_admin
from app.core.markdown import to_plain_text
from app.extensions import db
from app.forum.models import Question
from app.forum.search_documents import DOC_TYPE
from app.offers.models import OPEN
from app.search.finding import (
    MAX_PAGE,
    SNIPPET_CHARS,
    Found,
    SearcherMemo,
    count_type,
    find,
    restricted,
)
from app.search.index import get_search_index
from app.search.query import parse
from app.search.schema import doc_key

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest")
SIMILAR_WORDS = 5  # words of a title that rank similar questions (the rarest ones)


@dataclass
class SearchHit:
    """One found question with its highlighted title and snippet (safe HTML)."""

    question: Question
    title_html: Markup
    snippet_html: Markup
    kind: ClassVar[str] = DOC_TYPE


@dataclass
class DocumentHit:
    """One found skill, offer, event or person (`kind` is its doc_type; `item` the row), with its
    highlighted title and snippet (safe HTML). `counts`: a skill's supply and demand."""

    kind: str
    item: object
    title_html: Markup
    snippet_html: Markup
    counts: object | None = None


class SearchResults(Pagination):
    """A page of hits, usable with the `pager` macro like any other list."""

    def __init__(self, *, hits: list[SearchHit], total: int, page: int, per_page: int,
                 query: str = "", messages: list[str] | None = None,
                 suggestion: str | None = None):
        self.query = query
        self.messages = messages or []
        self.suggestion = suggestion
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False,
                         hits=hits, total=total)

    def _query_items(self) -> list[SearchHit]:
        return self._query_args["hits"]

    def _query_count(self) -> int:
        return self._query_args["total"]


def _load_listed(ids: list[int]) -> list[Question]:
    """The questions with these ids, in the order given, with what a list of them shows
    (their tags; not their answers, which `load_questions` brings for indexing)."""
    if not ids:
        return []
    rows = db.session.scalars(select(Question).where(Question.id.in_(ids))
                              .options(selectinload(Question.tags)))
    by_id = {q.id: q for q in rows}
    return [by_id[i] for i in ids if i in by_id]


def _visible(question: Question, viewer) -> bool:
    return not question.is_hidden or is_admin(viewer)


def _find(text, tag, sort, page, per_page, doc_type, viewer):
    """Parse and run a search for `doc_type` (None: every kind): (what was found, the
    page's fields, None), or — for an empty query, search switched off, or a broken index
    (never a 500) — (None, fields, the results page to show instead)."""
    sort = sort if sort in SORTS else "relevance"
    page = max(1, min(page, MAX_PAGE))
    parsed = parse(text, tag=tag)
    empty = {"page": page, "per_page": per_page, "query": parsed.raw,
             "messages": parsed.messages}
    if parsed.is_empty:
        return None, empty, SearchResults(hits=[], total=0, **empty)
    if not current_app.config.get("SEARCH_ENABLED", True):
        return None, empty, SearchResults(hits=[], total=0, **{
            **empty, "messages": ["Search is switched off on this site."]})
    try:
        found = get_search_index().run(
            lambda s: find(s, parsed, sort, page, per_page, doc_type,
                           include_hidden=is_admin(viewer)))
    except Exception:  # noqa: BLE001 — a broken index shows "no results", never a 500
        log.exception("Search failed for %r", parsed.raw)
        return None, empty, SearchResults(hits=[], total=0, **{
            **empty, "messages": ["Search isn't available right now; try again shortly."]})
    return found, empty, None


def search_questions(text: str | None, *, viewer=None, tag: str | None = None,
                     sort: str = "relevance", page: int = 1, per_page: int = 20
                     ) -> SearchResults:
    """A page of questions matching `text`, best first (or newest first), with snippets."""
    found, empty, answer = _find(text, tag, sort, page, per_page, DOC_TYPE, viewer)
    if answer is not None:
        return answer
    hits = []
    # Whoosh's HtmlFormatter escapes the stored text and adds only <mark> tags, so its
    # output is safe HTML (tests/search/test_queries.py checks a title with a script tag).
    for question in _load_listed(found.ids):
        if not _visible(question, viewer):
            continue
        title_html, snippet_html = found.highlights[(DOC_TYPE, question.id)]
        title = Markup(title_html) if title_html else escape(question.title)  # noqa: S704
        snippet = (Markup(snippet_html) if snippet_html  # noqa: S704
                   else escape(to_plain_text(question.body_md, SNIPPET_CHARS)))
        hits.append(SearchHit(question=question, title_html=title, snippet_html=snippet))
    return SearchResults(hits=hits, total=found.total, suggestion=found.suggestion, **empty)


def _load_hits(found: Found, viewer) -> list:
    """The rows behind `found`'s keys, in relevance order, without what `viewer` may not see:
    hidden questions (but to admins), deactivated people and their offers, offers that are
    no longer open (but to their owner), cancelled events."""
    from app.accounts.search_documents import load_people
    from app.events.search_documents import load_events
    from app.offers.permissions import owns_offer
    from app.offers.search_documents import load_offers
    from app.skills.queries import offer_counts
    from app.skills.search_documents import load_skills

    wanted: dict[str, list[int]] = {}
    for kind, doc_id in found.keys:
        wanted.setdefault(kind, []).append(doc_id)
    loaders = {DOC_TYPE: _load_listed, "skill": load_skills, "offer": load_offers,
               "event": load_events, "person": load_people}
    rows = {kind: {obj.id: obj for obj in loaders[kind](ids)}
            for kind, ids in wanted.items() if kind in loaders}
    counts = offer_counts(list(rows.get("skill", {}).values()))
    visible = {
        DOC_TYPE: lambda q: _visible(q, viewer),
        "skill": lambda s: True,
        "offer": lambda o: owns_offer(viewer, o) or (o.status == OPEN and o.user.active),
        "event": lambda e: not e.is_cancelled,
        "person": lambda u: u.active,
    }
    hits = []
    for key in found.keys:
        kind, doc_id = key
        obj = rows.get(kind, {}).get(doc_id)
        if obj is None or not visible[kind](obj):
            continue
        title_html, snippet_html = found.highlights[key]
        if kind == DOC_TYPE:
            title = Markup(title_html) if title_html else escape(obj.title)  # noqa: S704
            snippet = (Markup(snippet_html) if snippet_html  # noqa: S704
                       else escape(to_plain_text(obj.body_md, SNIPPET_CHARS)))
            hits.append(SearchHit(question=obj, title_html=title, snippet_html=snippet))
            continue
        # Whoosh's HtmlFormatter escapes what it is given and adds only <mark> tags.
        title = Markup(title_html) if title_html else escape(_plain_title(kind, obj))  # noqa: S704
        snippet = (Markup(snippet_html) if snippet_html  # noqa: S704
                   else escape(_cut(found.bodies.get(key, ""))))
        hits.append(DocumentHit(kind=kind, item=obj, title_html=title, snippet_html=snippet,
                                counts=counts.get(doc_id) if kind == "skill" else None))
    return hits


def _plain_title(kind: str, obj) -> str:
    if kind == "offer":
        return obj.skill.name
    if kind == "person":
        return obj.display_name
    if kind == "event":
        return obj.title
    return obj.name


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def search_documents(text: str | None, *, doc_type: str | None, viewer=None,
                     tag: str | None = None, sort: str = "relevance", page: int = 1,
                     per_page: int = 20) -> SearchResults:
    """A page of documents of `doc_type` ("skill", "offer", "event", "person", "question";
    None for every kind) matching `text`, best first (or newest first), with snippets."""
    found, empty, answer = _find(text, tag, sort, page, per_page, doc_type, viewer)
    if answer is not None:
        return answer
    return SearchResults(hits=_load_hits(found, viewer), total=found.total,
                         suggestion=found.suggestion, **empty)


def type_counts(text: str | None, doc_types: list[str], *, tag: str | None = None
                ) -> dict[str, int]:
    """How many documents of each of `doc_types` match `text` (each up to COUNT_CAP + 1),
    for the search page's tabs; {} when there is nothing to count or search fails. Meant for
    the small kinds (skills, offers, events, people): each count walks that kind's documents."""
    parsed = parse(text, tag=tag)
    if parsed.is_empty or not current_app.config.get("SEARCH_ENABLED", True):
        return {}
    query = parsed.query()

    def count(searcher: Searcher) -> dict[str, int]:
        return {t: count_type(searcher, query, t) for t in doc_types}

    try:
        return get_search_index().run(count)
    except Exception:  # noqa: BLE001 — counts are a nicety
        log.exception("Counting search matches failed for %r", parsed.raw)
        return {}


# A question page shows the questions related to it: the same search on every view until
# the index changes, and at 100,000 posts the most expensive part of the page. Only ids are
# kept; the rows, and whether the reader may see them, come from the database every time.
_similar_memo = SearcherMemo(size=2048)


def similar_questions(text: str | None, limit: int = 5,
                      exclude_id: int | None = None) -> list[Question]:
    """Visible questions most like `text` (a title being typed), best first.

    Only the words count: operators and filters typed into a title are read as words, and
    only the SIMILAR_WORDS most specific of them rank (see `ParsedQuery.most_specific`)."""
    limit = max(1, min(limit, 20))
    parsed = parse((text or "").replace(":", " ").replace('"', " "))
    if parsed.scored_query() is None or not current_app.config.get("SEARCH_ENABLED", True):
        return []
    mask = wq.Term("doc_key", doc_key(DOC_TYPE, exclude_id)) if exclude_id else None

    def _similar_ids(searcher: Searcher) -> list[int]:
        key = (parsed.raw, limit, exclude_id)
        ids = _similar_memo.get(searcher, key)
        if ids is None:
            specific = parsed.most_specific(searcher.reader(), SIMILAR_WORDS)
            query = restricted(searcher, specific, DOC_TYPE)
            ids = () if query is None else tuple(
                hit["doc_id"] for hit in searcher.search(query, limit=limit, mask=mask))
            _similar_memo.put(searcher, key, ids)
        return list(ids)

    try:
        ids = get_search_index().run(_similar_ids)
    except Exception:  # noqa: BLE001 — a nicety: never an error
        log.exception("Similar-questions search failed")
        return []
    return [q for q in _load_listed(ids) if not q.is_hidden][:limit]
