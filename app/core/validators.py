"""WTForms validators and filters shared by every domain's forms."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from zoneinfo import available_timezones

from wtforms.validators import ValidationError


def has_control_characters(value: str, *, allow_newlines: bool = False) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    return any(
        unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value
    )


class NoControlCharacters:
    """Refuse invisible control characters (NUL, escape, bell…) that a person can't see."""

    def __init__(self, allow_newlines: bool = False):
        self.allow_newlines = allow_newlines

    def __call__(self, form, field):
        if field.data and has_control_characters(field.data, allow_newlines=self.allow_newlines):
            raise ValidationError("Remove the invisible control characters from this field.")


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """IANA time zone names, sorted; the tzdata package makes this work on any machine."""
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def is_timezone(name: str | None) -> bool:
    return bool(name) and name in set(timezone_names())


class TimeZone:
    def __call__(self, form, field):
        if not is_timezone(field.data):
            raise ValidationError(
                "Choose a time zone from the list, like Europe/Paris or America/New_York."
            )


def normalise_newlines(value):
    """Browsers send a textarea's line breaks as CRLF; count and store them as one "\\n",
    so a text that fits the box's maxlength also fits the length check and the column."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value
