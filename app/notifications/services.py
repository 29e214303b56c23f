"""Writing and reading notifications. Flush, never commit."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import bindparam, func, select, update

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import NotAllowed
from app.extensions import db
from app.notifications.models import KIND_MAX, TEXT_MAX, URL_MAX, Notification


def link(endpoint: str, **values) -> str:
    """The site path of a page, for a notification's link. Unlike `url_for` it works
    outside requests too (signals are also sent from CLI commands)."""
    adapter = current_app.url_map.bind("localhost")
    return adapter.build(endpoint, values)


def notify(user: User, kind: str, text: str, url: str = "", actor: User | None = None
           ) -> Notification | None:
    """Add one notification for `user` (nobody is notified of their own action)."""
    if actor is not None and actor.id == user.id:
        return None
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    note = Notification(user=user, actor=actor, kind=kind[:KIND_MAX], text=text,
                        url=url[:URL_MAX])
    db.session.add(note)
    return note


# Built once: this runs for the badge on every page, and building a statement costs more
# than running this one.
_UNREAD = (select(func.count()).select_from(Notification)
           .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)))


def unread_count(user: User) -> int:
    return db.session.scalar(_UNREAD, {"user_id": user.id}) or 0


def inbox_select(user: User):
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def mark_read(user: User, note: Notification) -> None:
    if note.user_id != user.id:
        raise NotAllowed("That notification isn't yours.")
    if note.read_at is None:
        note.read_at = utcnow()
    db.session.flush()


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
