"""The Whoosh schema every document shares, and the analyzer behind its searched text.

Words are lowercased, stop words dropped, stemmed ("running" → "run") and accent-folded
("café" → "cafe"), so people find what they mean without typing it exactly.

Title, tags and body are searched as one field, `text`, in which the title is written
TITLE_WEIGHT times: BM25F's weighted term frequency, so a word in the title counts for more
than one in the body, while a search reads one list of postings per word instead of one per
word and field (about a third less work per search at 100,000 posts). `text` keeps its
unstemmed words in a spelling field for "did you mean". Title and body are stored as written,
for showing and highlighting; `tags` is also indexed as exact keywords (tag:python, "c++").
Changing the schema needs `flask search reindex`: the index is opened with this schema, so an
older index keeps working but only finds what is written to it after the change.
"""

from __future__ import annotations

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

SEARCHED_FIELD = "text"
TITLE_WEIGHT = 3  # how many times the title is written into `text`
TAGS_BOOST = 2.0  # a word that is exactly one of the question's tags


def text_analyzer():
    """Tokenise, lowercase, fold accents, drop stop words, stem (Snowball English: Whoosh's
    default Porter stemmer turns "running" into "runn")."""
    return (RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter()
            | StemFilter(lang="en"))


def build_schema() -> Schema:
    return Schema(
        doc_key=ID(unique=True, stored=True),  # "question:123"
        doc_type=ID(stored=True),
        doc_id=NUMERIC(int, bits=64, stored=True, signed=False),
        title=STORED(),
        tags=KEYWORD(lowercase=True, commas=True, scorable=True, field_boost=TAGS_BOOST,
                     stored=True),
        body=STORED(),
        text=TEXT(analyzer=text_analyzer(), spelling=True),
        created_at=DATETIME(sortable=True),
        is_answered=BOOLEAN(),
        is_accepted=BOOLEAN(),
        # Hidden by a moderator: kept in the index so administrators still find it; every
        # other search excludes it (`app.search.finding.restricted`).
        is_hidden=BOOLEAN(),
    )


SCHEMA = build_schema()


def index_fields(document: dict) -> dict:
    """A document as the index stores it: its fields plus the searched `text`."""
    title = document.get("title") or ""
    parts = [title] * TITLE_WEIGHT + [(document.get("tags") or "").replace(",", " "),
                                      document.get("body") or ""]
    return {**document, SEARCHED_FIELD: "\n".join(p for p in parts if p)}


def doc_key(doc_type: str, doc_id: int) -> str:
    return f"{doc_type}:{doc_id}"
