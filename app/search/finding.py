"""The Whoosh side of a search: restrict a parsed query to a kind of document (and away from
hidden questions), run it, count, sort by newest, highlight the page's hits and suggest
spellings. It returns document keys and highlights; `app.search.queries` loads the rows and
decides what the viewer may see.
"""

from __future__ import annotations

import heapq
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from whoosh import query as wq
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter, highlight
from whoosh.searching import Searcher

from app.forum.search_documents import DOC_TYPE
from app.search.query import ParsedQuery, Require, analyse
from app.search.schema import SEARCHED_FIELD

MAX_PAGE = 50  # deeper than this nobody reads; keeps `limit` small
SNIPPET_CHARS = 220
HIGHLIGHT_CHARS = 1200  # of a question's text (body, then answers) searched for a snippet


class Highlighter:
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
class Found:
    keys: list[tuple[str, int]] = field(default_factory=list)  # (doc_type, doc_id), best first
    highlights: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)
    bodies: dict[tuple[str, int], str] = field(default_factory=dict)  # stored, for a snippet
    total: int = 0
    suggestion: str | None = None

    @property
    def ids(self) -> list[int]:
        return [doc_id for _, doc_id in self.keys]


def restricted(searcher: Searcher, parsed: ParsedQuery, doc_type: str | None,
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


def count_type(searcher: Searcher, query: wq.Query, doc_type: str) -> int:
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


def find(searcher: Searcher, parsed: ParsedQuery, sort: str, page: int,
          per_page: int, doc_type: str | None = DOC_TYPE, include_hidden: bool = False
          ) -> Found:
    found = Found()
    query = restricted(searcher, parsed, doc_type, include_hidden)
    start, limit = (page - 1) * per_page, page * per_page
    if sort == "newest":
        docnums, found.total = _newest(searcher, query, limit)
        shown = [searcher.stored_fields(n) for n in docnums[start:]]
    else:
        results = searcher.search(query, limit=limit)
        found.total = _total(searcher, query, results, limit, MAX_PAGE * per_page)
        shown = [hit.fields() for hit in results[start:limit]]
    marker = Highlighter(searcher, query)
    for fields in shown:
        key = (fields.get("doc_type", DOC_TYPE), fields["doc_id"])
        found.keys.append(key)
        found.highlights[key] = (marker.title(fields.get("title", "")),
                                 marker.snippet(fields.get("body", "")))
        found.bodies[key] = fields.get("body", "")
    if parsed.words:
        found.suggestion = _suggest(searcher, parsed)
    return found


class SearcherMemo:
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


# Each document's created_at, in document order, for sorting by newest.
_columns = SearcherMemo(size=1)
