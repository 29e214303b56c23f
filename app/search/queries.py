"""Searching questions: Whoosh finds and ranks ids, the database loads what the viewer may see.

`search_questions()` serves the search page; `similar_questions()` serves "similar questions"
while someone types a new one. Both degrade to "no results" (logged) if the index fails, so a
search problem never becomes an error page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from whoosh import query as wq
from whoosh.highlight import ContextFragmenter, Highlighter, HtmlFormatter, WholeFragmenter
from whoosh.searching import Searcher

from app.accounts.permissions import is_admin
from app.core.markdown import to_plain_text
from app.forum.models import Question
from app.forum.search_documents import DOC_TYPE, load_questions
from app.search.index import get_search_index
from app.search.query import ParsedQuery, analyse, parse
from app.search.schema import doc_key

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest")
MAX_PAGE = 50  # deeper than this nobody reads; keeps `limit` small
SNIPPET_CHARS = 220


def _highlighters() -> tuple[Highlighter, Highlighter]:
    """Fresh (title, snippet) highlighters for one search. Whoosh's HtmlFormatter numbers
    terms in a dict it keeps between calls, so a shared one would leak state across requests
    and threads."""
    formatter = HtmlFormatter(tagname="mark", classname="hl", termclass="t", between=" … ")
    return (Highlighter(fragmenter=WholeFragmenter(), formatter=formatter),
            Highlighter(fragmenter=ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60),
                        formatter=formatter))


@dataclass
class SearchHit:
    """One found question with its highlighted title and snippet (safe HTML)."""

    question: Question
    title_html: Markup
    snippet_html: Markup


@dataclass
class _Found:
    ids: list[int] = field(default_factory=list)
    highlights: dict[int, tuple[str, str]] = field(default_factory=dict)
    total: int = 0
    suggestion: str | None = None


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


def _question_filter(parsed: ParsedQuery) -> wq.Query:
    own = wq.Term("doc_type", DOC_TYPE)
    extra = parsed.filter_query()
    return own if extra is None else wq.And([own, extra])


def _suggest(searcher: Searcher, parsed: ParsedQuery) -> str | None:
    """The query with each word that matches nothing replaced by the closest indexed word."""
    reader = searcher.reader()
    text = parsed.raw
    changed = False
    for word in parsed.words:
        terms = analyse(word)
        if not terms or any(reader.doc_frequency(f, t) for t in terms for f in ("title", "body")):
            continue
        for fieldname in ("title", "body"):
            options = searcher.corrector(fieldname).suggest(word.lower(), limit=1)
            if options:
                text = re.sub(rf"(?<!\S){re.escape(word)}(?!\S)", options[0], text, count=1)
                changed = True
                break
    return text if changed else None


def _find(searcher: Searcher, parsed: ParsedQuery, sort: str, page: int,
          per_page: int) -> _Found:
    found = _Found()
    options: dict = {"limit": page * per_page, "filter": _question_filter(parsed), "terms": True}
    if sort == "newest":
        options.update(sortedby="created_at", reverse=True)
    results = searcher.search(parsed.scored_query(), **options)
    found.total = len(results)
    titles, snippets = _highlighters()
    for hit in results[(page - 1) * per_page: page * per_page]:
        doc_id = hit["doc_id"]
        found.ids.append(doc_id)
        found.highlights[doc_id] = (titles.highlight_hit(hit, "title", minscore=0),
                                    snippets.highlight_hit(hit, "body", top=2))
    if parsed.words:
        found.suggestion = _suggest(searcher, parsed)
    return found


def _visible(question: Question, viewer) -> bool:
    return not question.is_hidden or is_admin(viewer)


def search_questions(text: str | None, *, viewer=None, tag: str | None = None,
                     sort: str = "relevance", page: int = 1, per_page: int = 20
                     ) -> SearchResults:
    """A page of questions matching `text`, best first (or newest first), with snippets."""
    sort = sort if sort in SORTS else "relevance"
    page = max(1, min(page, MAX_PAGE))
    parsed = parse(text, tag=tag)
    empty = {"page": page, "per_page": per_page, "query": parsed.raw,
             "messages": parsed.messages}
    if parsed.is_empty:
        return SearchResults(hits=[], total=0, **empty)
    if not current_app.config.get("SEARCH_ENABLED", True):
        return SearchResults(hits=[], total=0, **{
            **empty, "messages": ["Search is switched off on this site."]})
    try:
        found = get_search_index().run(lambda s: _find(s, parsed, sort, page, per_page))
    except Exception:  # noqa: BLE001 — a broken index shows "no results", never a 500
        log.exception("Search failed for %r", parsed.raw)
        return SearchResults(hits=[], total=0, **{
            **empty, "messages": ["Search isn't available right now; try again shortly."]})
    hits = []
    # Whoosh's HtmlFormatter escapes the stored text and adds only <mark> tags, so its
    # output is safe HTML (tests/search/test_queries.py checks a title with a script tag).
    for question in load_questions(found.ids):
        if not _visible(question, viewer):
            continue
        title_html, snippet_html = found.highlights[question.id]
        title = Markup(title_html) if title_html else escape(question.title)  # noqa: S704
        snippet = (Markup(snippet_html) if snippet_html  # noqa: S704
                   else escape(to_plain_text(question.body_md, SNIPPET_CHARS)))
        hits.append(SearchHit(question=question, title_html=title, snippet_html=snippet))
    return SearchResults(hits=hits, total=found.total, suggestion=found.suggestion, **empty)


def similar_questions(text: str | None, limit: int = 5,
                      exclude_id: int | None = None) -> list[Question]:
    """Visible questions most like `text` (a title being typed), best first.

    Only the words count: operators and filters typed into a title are read as words."""
    limit = max(1, min(limit, 20))
    parsed = parse((text or "").replace(":", " ").replace('"', " "))
    query = parsed.scored_query()
    if query is None or not current_app.config.get("SEARCH_ENABLED", True):
        return []
    mask = wq.Term("doc_key", doc_key(DOC_TYPE, exclude_id)) if exclude_id else None

    def find(searcher: Searcher) -> list[int]:
        results = searcher.search(query, limit=limit, filter=wq.Term("doc_type", DOC_TYPE),
                                  mask=mask)
        return [hit["doc_id"] for hit in results]

    try:
        ids = get_search_index().run(find)
    except Exception:  # noqa: BLE001 — a nicety: never an error
        log.exception("Similar-questions search failed")
        return []
    return [q for q in load_questions(ids) if not q.is_hidden][:limit]
