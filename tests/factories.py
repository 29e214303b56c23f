"""`make_<thing>(**overrides)` factories: real rows, committed, with sensible defaults."""

from __future__ import annotations

import itertools

from app.accounts import passwords
from app.accounts.models import User
from app.core.markdown import render_markdown
from app.extensions import db
from app.notifications.models import Notification

DEFAULT_PASSWORD = "violet rivers gallop 42"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = passwords.hash_password(password)
    return _hash_cache[password]


def make_user(*, password: str | None = DEFAULT_PASSWORD, commit: bool = True,
              **overrides) -> User:
    n = next(_counter)
    fields = {
        "email": f"person{n}@example.com",
        "handle": f"person{n}",
        "display_name": f"Person {n}",
        "department": "Engineering",
        "job_title": "Engineer",
        "timezone": "Europe/London",
    }
    fields.update(overrides)
    if "bio_md" in fields and "bio_html" not in fields:
        fields["bio_html"] = render_markdown(fields["bio_md"])
    user = User(password_hash=_hash(password) if password else None, **fields)
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def make_admin(**overrides) -> User:
    overrides.setdefault("is_admin", True)
    return make_user(**overrides)


def make_notification(user: User, *, commit: bool = True, **overrides) -> Notification:
    fields = {"kind": "test", "text": "Something happened", "url": "/settings"}
    fields.update(overrides)
    note = Notification(user=user, **fields)
    db.session.add(note)
    if commit:
        db.session.commit()
    return note
