"""Searching questions: Whoosh finds and ranks ids, the database loads what the viewer may see.

`search_questions()` serves the search page; `similar_questions()` serves "similar questions"
while someone types a new one. Both degrade to "no results" (logged) if the index fails, so a
search problem never becomes an error page.

Kept fast on a large index (see the Benchmarks section of the README): no `terms=True` and no
coordination wrapper, so Whoosh can skip blocks of postings that cannot make the page; filters
are `Require`d rather than turned into a set of every allowed document; the total is counted
exactly up to what the pager can reach and estimated beyond; only the hits on the page are
highlighted, in the HIGHLIGHT_CHARS of their text around the first match; similar questions
are remembered per version of the index.
"""

from __future__ import annotations

import heapq
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from whoosh import query as wq
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter, highlight
from whoosh.searching import Searcher

from app.accounts.permissions import is_admin
from app.core.markdown import to_plain_text
from app.extensions import db
from app.forum.models import Question
from app.forum.search_documents import DOC_TYPE
from app.search.index import get_search_index
from app.search.query import ParsedQuery, analyse, parse
from app.search.schema import SEARCHED_FIELD, doc_key

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest")
MAX_PAGE = 50  # deeper than this nobody reads; keeps `limit` small
SNIPPET_CHARS = 220
SIMILAR_WORDS = 5  # words of a title that rank similar questions (the rarest ones)
HIGHLIGHT_CHARS = 1200  # of a question's text (body, then answers) searched for a snippet


class _Highlighter:
    """Marks the searched words in the hits of one page (a fresh one per search: Whoosh's
    HtmlFormatter numbers terms in a dict it keeps between calls).

    The words are read from the query once, not per hit; a long text is cut to the
    HIGHLIGHT_CHARS around the first place one of them appears (found with a regular
    expression on their stems) before it is analysed, since analysing costs per word."""

    def __init__(self, searcher: Searcher, query: wq.Query):
        terms = {text.decode("utf-8") if isinstance(text, bytes) else text
                 for field, text in query.existing_terms(searcher.reader(), expand=True)
                 if field == SEARCHED_FIELD}
        self.terms = frozenset(terms)
        self.analyzer = searcher.schema[SEARCHED_FIELD].analyzer
        self.formatter = HtmlFormatter(tagname="mark", classname="hl", termclass="t",
                                       between=" … ")
        self.whole = WholeFragmenter()
        self.context = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        self.first_word = (re.compile(r"(?<!\w)(?:" + "|".join(
            re.escape(t) for t in sorted(terms, key=len, reverse=True)) + ")", re.IGNORECASE)
            if terms else None)

    def title(self, text: str) -> str:
        return highlight(text, self.terms, self.analyzer, self.whole, self.formatter,
                         top=1, minscore=0)

    def snippet(self, text: str) -> str:
        if len(text) > HIGHLIGHT_CHARS:
            found = self.first_word.search(text) if self.first_word else None
            start = 0 if found is None else max(0, found.start() - SNIPPET_CHARS)
            if start:
                start = text.find(" ", start) + 1
            text = text[start:start + HIGHLIGHT_CHARS]
        return highlight(text, self.terms, self.analyzer, self.context, self.formatter,
                         top=2)


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


def _type_filters(searcher: Searcher) -> list[wq.Query]:
    """[doc_type is question], or nothing while every document in the index is a question
    (then the filter would cost a pass over every document and remove none)."""
    reader = searcher.reader()
    if reader.doc_frequency("doc_type", DOC_TYPE) == reader.doc_count_all():
        return []
    return [wq.Term("doc_type", DOC_TYPE)]


def _total(searcher: Searcher, query: wq.Query, results, limit: int, cap: int) -> int:
    """How many documents match: exact up to `cap` (as far as the pager goes), estimated
    from how far into the index the first `cap` matches reach beyond that."""
    if results.scored_length() < limit:
        return results.scored_length()  # every match was collected
    if results.has_exact_length():
        return len(results)  # the collector counted as it went (it could not skip)
    seen = last = 0
    for last in searcher.docs_for_query(query):
        seen += 1
        if seen > cap:
            return max(seen, round(seen * searcher.doc_count_all() / (last + 1)))
    return seen


def _suggest(searcher: Searcher, parsed: ParsedQuery) -> str | None:
    """The query with each word that matches nothing replaced by the closest indexed word."""
    reader = searcher.reader()
    text = parsed.raw
    changed = False
    for word in parsed.words:
        terms = analyse(word)
        if not terms or any(reader.doc_frequency(SEARCHED_FIELD, t) for t in terms):
            continue
        options = searcher.corrector(SEARCHED_FIELD).suggest(word.lower(), limit=1)
        if options:
            text = re.sub(rf"(?<!\S){re.escape(word)}(?!\S)", options[0], text, count=1)
            changed = True
    return text if changed else None


def _newest(searcher: Searcher, query: wq.Query, limit: int) -> tuple[list[int], int]:
    """The document numbers of the `limit` newest matches, and how many match. The matches
    are read once, unscored, and ordered by a per-searcher copy of the created_at column
    (Whoosh's sorting collector looks each one up through the column reader)."""
    created = _columns.get(searcher, ("created_at",))
    if created is None:
        created = list(searcher.reader().column_reader("created_at", translate=False))
        _columns.put(searcher, ("created_at",), created)
    matches = list(searcher.docs_for_query(query))
    return heapq.nlargest(limit, matches, key=created.__getitem__), len(matches)


def _find(searcher: Searcher, parsed: ParsedQuery, sort: str, page: int,
          per_page: int) -> _Found:
    found = _Found()
    query = parsed.query(_type_filters(searcher))
    start, limit = (page - 1) * per_page, page * per_page
    if sort == "newest":
        docnums, found.total = _newest(searcher, query, limit)
        shown = [searcher.stored_fields(n) for n in docnums[start:]]
    else:
        results = searcher.search(query, limit=limit)
        found.total = _total(searcher, query, results, limit, MAX_PAGE * per_page)
        shown = [hit.fields() for hit in results[start:limit]]
    marker = _Highlighter(searcher, query)
    for fields in shown:
        doc_id = fields["doc_id"]
        found.ids.append(doc_id)
        found.highlights[doc_id] = (marker.title(fields.get("title", "")),
                                    marker.snippet(fields.get("body", "")))
    if parsed.words:
        found.suggestion = _suggest(searcher, parsed)
    return found


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
    for question in _load_listed(found.ids):
        if not _visible(question, viewer):
            continue
        title_html, snippet_html = found.highlights[question.id]
        title = Markup(title_html) if title_html else escape(question.title)  # noqa: S704
        snippet = (Markup(snippet_html) if snippet_html  # noqa: S704
                   else escape(to_plain_text(question.body_md, SNIPPET_CHARS)))
        hits.append(SearchHit(question=question, title_html=title, snippet_html=snippet))
    return SearchResults(hits=hits, total=found.total, suggestion=found.suggestion, **empty)


class _SearcherMemo:
    """Values remembered per searcher, that is per version of the index: a new searcher
    (the index changed) starts empty, and an old one's values go with it."""

    def __init__(self, size: int):
        self.size = size
        self._by_searcher: WeakKeyDictionary[Searcher, OrderedDict] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, searcher: Searcher, key: tuple):
        with self._lock:
            remembered = self._by_searcher.get(searcher)
            if remembered is None or key not in remembered:
                return None
            remembered.move_to_end(key)
            return remembered[key]

    def put(self, searcher: Searcher, key: tuple, value) -> None:
        with self._lock:
            remembered = self._by_searcher.setdefault(searcher, OrderedDict())
            remembered[key] = value
            while len(remembered) > self.size:
                remembered.popitem(last=False)


# A question page shows the questions related to it: the same search on every view until
# the index changes, and at 100,000 posts the most expensive part of the page. Only ids are
# kept; the rows, and whether the reader may see them, come from the database every time.
_similar_memo = _SearcherMemo(size=2048)
# Each document's created_at, in document order, for sorting by newest.
_columns = _SearcherMemo(size=1)


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

    def find(searcher: Searcher) -> list[int]:
        key = (parsed.raw, limit, exclude_id)
        ids = _similar_memo.get(searcher, key)
        if ids is None:
            specific = parsed.most_specific(searcher.reader(), SIMILAR_WORDS)
            query = specific.query(_type_filters(searcher))
            ids = () if query is None else tuple(
                hit["doc_id"] for hit in searcher.search(query, limit=limit, mask=mask))
            _similar_memo.put(searcher, key, ids)
        return list(ids)

    try:
        ids = get_search_index().run(find)
    except Exception:  # noqa: BLE001 — a nicety: never an error
        log.exception("Similar-questions search failed")
        return []
    return [q for q in _load_listed(ids) if not q.is_hidden][:limit]
