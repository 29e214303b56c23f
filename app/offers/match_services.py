"""Changing what the matches page suggests: dismissing a suggestion.

Services take the acting user explicitly, flush but never commit, and raise typed errors.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core.errors import Invalid
from app.extensions import db
from app.offers.models import SUGGESTION_KEY_MAX, DismissedSuggestion

_KEY = re.compile(r"^(swap|cycle|mentor|mentee):[0-9][0-9:-]*$")


def dismiss_suggestion(user: User, key: str | None) -> bool:
    """Never suggest this to `user` again. True when it is newly dismissed; dismissing it
    again (a second click, another tab) changes nothing and returns False."""
    key = (key or "").strip()
    if len(key) > SUGGESTION_KEY_MAX or not _KEY.match(key):
        raise Invalid("key", "That suggestion can't be dismissed: reload the page and try again.")
    if db.session.get(DismissedSuggestion, (user.id, key)) is not None:
        return False
    try:
        with db.session.begin_nested():  # a concurrent dismiss only rolls back this savepoint
            db.session.add(DismissedSuggestion(user_id=user.id, key=key))
    except IntegrityError:
        return False
    return True
