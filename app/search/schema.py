"""The Whoosh schema every document shares, and the analyzer behind its text fields.

Words are lowercased, stop words dropped, stemmed ("running" → "run") and accent-folded
("café" → "cafe"), so people find what they mean without typing it exactly. Title and body
keep their unstemmed words in a spelling field for "did you mean".
"""

from __future__ import annotations

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.support.charset import accent_map

TITLE_BOOST = 3.0
TAGS_BOOST = 2.0
TEXT_FIELDS = ("title", "tags", "body")


def text_analyzer():
    """Tokenise, lowercase, fold accents, drop stop words, stem (Snowball English: Whoosh's
    default Porter stemmer turns "running" into "runn")."""
    return (RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter()
            | StemFilter(lang="en"))


def build_schema() -> Schema:
    analyzer = text_analyzer()
    return Schema(
        doc_key=ID(unique=True, stored=True),  # "question:123"
        doc_type=ID(stored=True),
        doc_id=NUMERIC(int, bits=64, stored=True, signed=False),
        title=TEXT(analyzer=analyzer, field_boost=TITLE_BOOST, stored=True, spelling=True),
        tags=KEYWORD(lowercase=True, commas=True, scorable=True, field_boost=TAGS_BOOST,
                     stored=True),
        body=TEXT(analyzer=analyzer, stored=True, spelling=True),
        created_at=DATETIME(sortable=True),
        is_answered=BOOLEAN(),
        is_accepted=BOOLEAN(),
    )


SCHEMA = build_schema()


def doc_key(doc_type: str, doc_id: int) -> str:
    return f"{doc_type}:{doc_id}"
