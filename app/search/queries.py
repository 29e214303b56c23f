"""Searching: Whoosh finds and ranks ids, the database loads what the viewer may see.

`search_questions()` serves the search page's default tab; `search_documents()` its other tabs
(skills, offers, people, or every kind at once); `similar_questions()` serves "similar
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

import heapq
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import ClassVar
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
from app.offers.models import OPEN
from app.search.index import get_search_index
from app.search.query import ParsedQuery, Require, analyse, parse
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
    kind: ClassVar[str] = DOC_TYPE


@dataclass
class DocumentHit:
    """One found skill, offer or person (`kind` is its doc_type; `item` the row), with its
    highlighted title and snippet (safe HTML). `counts`: a skill's supply and demand."""

    kind: str
    item: object
    title_html: Markup
    snippet_html: Markup
    counts: object | None = None


@dataclass
class _Found:
    keys: list[tuple[str, int]] = field(default_factory=list)  # (doc_type, doc_id), best first
    highlights: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)
    bodies: dict[tuple[str, int], str] = field(default_factory=dict)  # stored, for a snippet
    total: int = 0
    suggestion: str | None = None

    @property
    def ids(self) -> list[int]:
        return [doc_id for _, doc_id in self.keys]


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


def _restricted(searcher: Searcher, parsed: ParsedQuery, doc_type: str | None,
                include_hidden: bool = False) -> wq.Query | None:
    """`_by_type`, without questions a moderator hid unless `include_hidden` (admins). The
    hidden ones are few, so excluding them reads one short list."""
    query = _by_type(searcher, parsed, doc_type)
    if query is None or include_hidden or not searcher.reader().doc_frequency("is_hidden", True):
        return query
    return wq.AndNot(query, wq.Term("is_hidden", True))


def _by_type(searcher: Searcher, parsed: ParsedQuery, doc_type: str | None
             ) -> wq.Query | None:
    """The search, limited to documents of `doc_type` (None: every kind), as cheaply as the
    index allows:
    - every document is of that type: no filter (it would remove none and cost a pass);
    - most are (questions among a few thousand skills, offers and people): the documents of
      the other types are excluded with `AndNot`, which reads only their short lists and
      keeps the scored side's block skipping;
    - otherwise (a skill among many questions): `Require` the type's term."""
    if doc_type is None:
        return parsed.query()
    reader = searcher.reader()
    total = reader.doc_count_all()
    own = reader.doc_frequency("doc_type", doc_type)
    if own == total:
        return parsed.query()
    if own * 2 >= total:
        query = parsed.query()
        others = [t for t in reader.field_terms("doc_type") if t != doc_type]
        if query is None or not others:
            return query
        return wq.AndNot(query, wq.Or([wq.Term("doc_type", t) for t in others]))
    return parsed.query([wq.Term("doc_type", doc_type)])


COUNT_CAP = 999  # a tab counts its matches up to here ("999+" beyond)


def _count_type(searcher: Searcher, query: wq.Query, doc_type: str) -> int:
    """How many documents of `doc_type` match `query`, up to COUNT_CAP + 1: the type's
    (short) list of documents drives, the query is only asked about those."""
    count = 0
    for _ in searcher.docs_for_query(Require(wq.Term("doc_type", doc_type), query)):
        count += 1
        if count > COUNT_CAP:
            break
    return count


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
          per_page: int, doc_type: str | None = DOC_TYPE, include_hidden: bool = False
          ) -> _Found:
    found = _Found()
    query = _restricted(searcher, parsed, doc_type, include_hidden)
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
        key = (fields.get("doc_type", DOC_TYPE), fields["doc_id"])
        found.keys.append(key)
        found.highlights[key] = (marker.title(fields.get("title", "")),
                                 marker.snippet(fields.get("body", "")))
        found.bodies[key] = fields.get("body", "")
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
        found = get_search_index().run(lambda s: _find(s, parsed, sort, page, per_page,
                                                       include_hidden=is_admin(viewer)))
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
        title_html, snippet_html = found.highlights[(DOC_TYPE, question.id)]
        title = Markup(title_html) if title_html else escape(question.title)  # noqa: S704
        snippet = (Markup(snippet_html) if snippet_html  # noqa: S704
                   else escape(to_plain_text(question.body_md, SNIPPET_CHARS)))
        hits.append(SearchHit(question=question, title_html=title, snippet_html=snippet))
    return SearchResults(hits=hits, total=found.total, suggestion=found.suggestion, **empty)


def _load_hits(found: _Found, viewer) -> list:
    """The rows behind `found`'s keys, in relevance order, without what `viewer` may not see:
    hidden questions (but to admins), deactivated people and their offers, offers that are
    no longer open (but to their owner)."""
    from app.accounts.search_documents import load_people
    from app.offers.permissions import owns_offer
    from app.offers.search_documents import load_offers
    from app.skills.queries import offer_counts
    from app.skills.search_documents import load_skills

    wanted: dict[str, list[int]] = {}
    for kind, doc_id in found.keys:
        wanted.setdefault(kind, []).append(doc_id)
    loaders = {DOC_TYPE: _load_listed, "skill": load_skills, "offer": load_offers,
               "person": load_people}
    rows = {kind: {obj.id: obj for obj in loaders[kind](ids)}
            for kind, ids in wanted.items() if kind in loaders}
    counts = offer_counts(list(rows.get("skill", {}).values()))
    visible = {
        DOC_TYPE: lambda q: _visible(q, viewer),
        "skill": lambda s: True,
        "offer": lambda o: owns_offer(viewer, o) or (o.status == OPEN and o.user.active),
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
    return obj.name


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def search_documents(text: str | None, *, doc_type: str | None, viewer=None,
                     tag: str | None = None, sort: str = "relevance", page: int = 1,
                     per_page: int = 20) -> SearchResults:
    """A page of documents of `doc_type` ("skill", "offer", "person", "question"; None for
    every kind) matching `text`, best first (or newest first), with snippets."""
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
        found = get_search_index().run(
            lambda s: _find(s, parsed, sort, page, per_page, doc_type,
                            include_hidden=is_admin(viewer)))
    except Exception:  # noqa: BLE001 — a broken index shows "no results", never a 500
        log.exception("Search failed for %r", parsed.raw)
        return SearchResults(hits=[], total=0, **{
            **empty, "messages": ["Search isn't available right now; try again shortly."]})
    return SearchResults(hits=_load_hits(found, viewer), total=found.total,
                         suggestion=found.suggestion, **empty)


def type_counts(text: str | None, doc_types: list[str], *, tag: str | None = None
                ) -> dict[str, int]:
    """How many documents of each of `doc_types` match `text` (each up to COUNT_CAP + 1),
    for the search page's tabs; {} when there is nothing to count or search fails. Meant for
    the small kinds (skills, offers, people): each count walks that kind's documents."""
    parsed = parse(text, tag=tag)
    if parsed.is_empty or not current_app.config.get("SEARCH_ENABLED", True):
        return {}
    query = parsed.query()

    def count(searcher: Searcher) -> dict[str, int]:
        return {t: _count_type(searcher, query, t) for t in doc_types}

    try:
        return get_search_index().run(count)
    except Exception:  # noqa: BLE001 — counts are a nicety
        log.exception("Counting search matches failed for %r", parsed.raw)
        return {}


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
            query = _restricted(searcher, specific, DOC_TYPE)
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
