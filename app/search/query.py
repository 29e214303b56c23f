"""What a person typed into the search box, turned into a Whoosh query — never an exception.

Understood: words (ORed: each word a document holds adds to its score, so documents holding
all of them rank first), `"quoted phrases"` (required), `prefix*`, `tag:python`,
`is:unanswered`, `is:answered`, `is:accepted`. Anything else is read as words: unbalanced
quotes, a lone `*`, `AND`/`OR`/`NOT` and control characters are dropped, and very long input
is cut. Words are analysed exactly as the index analyses them (stemmed, accent-folded), so the
query means what the index stores.

Built for speed on a large index: words are plain BM25F term queries ORed together (no
coordination wrapper), which lets Whoosh skip whole blocks of postings that cannot reach the
top results; a prefix stands for its most common completions only; filters restrict the
matches without being scored (`Require`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from whoosh import query as wq
from whoosh.matching import RequireMatcher
from whoosh.support.charset import accent_map

from app.search.schema import SEARCHED_FIELD, text_analyzer

MAX_QUERY_CHARS = 300
MAX_TERMS = 12
MIN_PREFIX = 2
MAX_PREFIX_TERMS = 8  # completions of a prefix searched (the most common ones)
OPERATORS = frozenset({"and", "or", "not"})
IS_FILTERS = {
    "unanswered": wq.Term("is_answered", False),
    "answered": wq.Term("is_answered", True),
    "accepted": wq.Term("is_accepted", True),
}
_TOKEN = re.compile(
    r'(?P<op>\b(?:tag|is):[^\s"]+)|"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+)', re.IGNORECASE)
_ANALYZER = text_analyzer()


@dataclass
class ParsedQuery:
    """The parts of a search: `text` (ranked words), `required` (phrases) and `filters`."""

    raw: str = ""
    words: list[str] = field(default_factory=list)  # plain words typed, for "did you mean"
    text: list[wq.Query] = field(default_factory=list)
    required: list[wq.Query] = field(default_factory=list)
    filters: list[wq.Query] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.required or self.filters)

    def scored_query(self) -> wq.Query | None:
        """The query to rank by: the words ORed, phrases ANDed. Filters only
        (`is:unanswered`) match every document; None when nothing was typed."""
        parts: list[wq.Query] = list(self.required)
        if self.text:
            parts.insert(0, self.text[0] if len(self.text) == 1 else wq.Or(self.text))
        if not parts:
            return wq.Every() if self.filters else None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def filter_query(self) -> wq.Query | None:
        if not self.filters:
            return None
        return self.filters[0] if len(self.filters) == 1 else wq.And(self.filters)

    def most_specific(self, reader, count: int) -> ParsedQuery:
        """A copy ranked by only the `count` words found in the fewest documents: the ones
        that say most about a text. Common words add little to "more like this" and cost
        the most (their postings are the longest); words found nowhere add nothing."""
        sizes = sorted((q.estimate_size(reader), n) for n, q in enumerate(self.text))
        rarest = [n for size, n in sizes if size][:count]
        return replace(self, text=[self.text[n] for n in sorted(rarest)])

    def query(self, extra_filters: list[wq.Query] = ()) -> wq.Query | None:
        """The whole search: the scored query restricted to documents that pass every filter
        (and `extra_filters`); filters narrow the matches but add nothing to scores."""
        scored = self.scored_query()
        if scored is None:
            return None
        # normalize() flattens the words' ORs into one, which Whoosh arranges as a tree
        # merging the shortest lists first (a quarter faster for several common words).
        scored = scored.normalize()
        filters = [*self.filters, *extra_filters]
        if not filters:
            return scored
        only = (filters[0] if len(filters) == 1 else wq.And(filters)).normalize()
        if isinstance(scored, wq.Every):  # filters alone: every document that passes them
            return wq.ConstantScoreQuery(only)
        return Require(scored, only)


class _RequireMatcher(RequireMatcher):
    """Whoosh's RequireMatcher, minus a crash: after skipping blocks of the scored side it
    re-aligns the two sides even when they already agree (an AssertionError) or one has
    run out."""

    def skip_to_quality(self, minquality):
        skipped = self.a.skip_to_quality(minquality)
        a, b = self.a, self.b
        if a.is_active() and b.is_active() and a.id() != b.id():
            self.child._find_next()
        return skipped


class Require(wq.Require):
    """Documents matching `a` that also match `b`, scored by `a` alone (a filter that keeps
    block skipping, unlike a `filter=` set of every allowed document)."""

    def matcher(self, searcher, context=None):
        scored = self.a.matcher(searcher, context)
        required = self.b.matcher(searcher, searcher.boolean_context())
        return _RequireMatcher(scored, required)


class CommonPrefix(wq.Prefix):
    """`stem*` as its MAX_PREFIX_TERMS most common completions, each scored as a word.

    Whoosh's own Prefix ORs every completion at a constant score, so `lin*` reads the postings
    of hundreds of terms; people typing a prefix almost always mean a common word."""

    def __init__(self, fieldname: str, text: str, boost: float = 1.0):
        super().__init__(fieldname, text, boost=boost, constantscore=False)

    def _btexts(self, ixreader):
        completions = list(super()._btexts(ixreader))
        if len(completions) <= MAX_PREFIX_TERMS:
            return completions
        frequency = {t: ixreader.doc_frequency(self.fieldname, t) for t in completions}
        return sorted(sorted(completions, key=frequency.__getitem__, reverse=True)
                      [:MAX_PREFIX_TERMS])


def clean(text: str | None) -> str:
    """Drop control and format characters, collapse whitespace, cut to MAX_QUERY_CHARS."""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in (text or ""))
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def analyse(text: str) -> list[str]:
    """The index terms for `text` (as the searched field stores them)."""
    try:
        return [t.text for t in _ANALYZER(text, mode="query")]
    except Exception:  # noqa: BLE001 — odd Unicode must never reach the user as an error
        return []


def fold(text: str) -> str:
    return text.lower().translate(accent_map)


def _word_query(word: str) -> wq.Query | None:
    """The word in the searched text (analysed), or a tag spelled exactly so ("c++")."""
    terms = analyse(word)
    subqueries: list[wq.Query] = [wq.Term(SEARCHED_FIELD, t) for t in terms]
    tag = word.lower().rstrip(".,;:!?)]}").lstrip("([{")
    if tag and (terms or any(c.isalnum() for c in tag)):
        subqueries.append(wq.Term("tags", tag))
    if not subqueries:
        return None
    return subqueries[0] if len(subqueries) == 1 else wq.Or(subqueries)


def _prefix_query(stem: str) -> wq.Query | None:
    folded = fold(stem)
    if len(folded) < MIN_PREFIX or not folded.isalnum():
        return None
    return wq.Or([CommonPrefix(SEARCHED_FIELD, folded), CommonPrefix("tags", stem.lower())])


def _phrase_query(phrase: str) -> wq.Query | None:
    terms = analyse(phrase)
    if len(terms) < 2:
        return _word_query(phrase) if terms else None
    return wq.Phrase(SEARCHED_FIELD, terms)


def _operator(parsed: ParsedQuery, token: str) -> None:
    name, _, value = token.partition(":")
    name, value = name.lower(), value.lower()
    if name == "tag":
        parsed.filters.append(wq.Term("tags", value))
    elif value in IS_FILTERS:
        parsed.filters.append(IS_FILTERS[value])
    else:
        parsed.messages.append(
            f"“is:{value}” isn't a filter; try is:unanswered, is:answered or is:accepted.")


def parse(text: str | None, *, tag: str | None = None) -> ParsedQuery:
    """Parse what a person typed (and an optional tag from a filter link)."""
    raw = text or ""
    cleaned = clean(raw)
    parsed = ParsedQuery(raw=cleaned)
    if len(" ".join(raw.split())) > MAX_QUERY_CHARS:
        parsed.messages.append(f"Only the first {MAX_QUERY_CHARS} characters were searched.")
    if tag and clean(tag):
        parsed.filters.append(wq.Term("tags", clean(tag).lower()))
    count = 0
    for match in _TOKEN.finditer(cleaned):
        if count >= MAX_TERMS:
            parsed.messages.append(f"Only the first {MAX_TERMS} words were searched.")
            break
        count += 1
        if match.group("op"):
            _operator(parsed, match.group("op"))
        elif match.group("phrase") is not None:
            query = _phrase_query(match.group("phrase"))
            if query is not None:
                parsed.required.append(query)
        else:
            word = match.group("word")
            if word.lower() in OPERATORS:
                continue
            if word.endswith("*"):
                query = _prefix_query(word.rstrip("*"))
            else:
                query = _word_query(word)
                if query is not None:
                    parsed.words.append(word)
            if query is not None:
                parsed.text.append(query)
    if parsed.is_empty and cleaned and not parsed.messages:
        parsed.messages.append("Those are all very common words or symbols; "
                               "try a more specific word.")
    return parsed
