"""Plain-text helpers shared by every domain: ASCII folding and slugs."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode decomposition (NFKD) does not reduce to ASCII on its own.
ASCII_FALLBACKS: dict[str, str] = {
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
    "ß": "ss", "đ": "d", "Đ": "D", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
}
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """"Łukasz Nguyễn" → "Lukasz Nguyen": NFKD, plus the letters NFKD leaves alone."""
    text = "".join(ASCII_FALLBACKS.get(ch, ch) for ch in text)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slug(text: str) -> str:
    """Lowercase ASCII words joined by '-'; apostrophes vanish ("O'Brien" → "obrien")."""
    folded = ascii_fold(text).lower().replace("'", "").replace("\u2019", "")
    return _NON_SLUG.sub("-", folded).strip("-")
