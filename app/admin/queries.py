"""Read-side queries for the admin pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, func, or_, select

from app.accounts.models import User
from app.accounts.queries import _like_pattern
from app.core.db import utcnow
from app.extensions import db

USER_STATES = ("active", "deactivated", "all")


def users_select(*, q: str = "", state: str = "active") -> Select:
    query = select(User)
    if state == "active":
        query = query.where(User.active)
    elif state == "deactivated":
        query = query.where(User.active.is_(False))
    q = q.strip()
    if q:
        pattern = _like_pattern(q.lstrip("@"))
        query = query.where(or_(
            func.lower(User.display_name).like(pattern, escape="\\"),
            User.handle.like(pattern, escape="\\"),
            User.email.like(pattern, escape="\\"),
        ))
    return query.order_by(func.lower(User.display_name), User.id)


def people_overview() -> dict:
    """Head counts for the admin overview: one query for the totals, one for departments."""
    week_ago = utcnow() - timedelta(days=7)
    totals = db.session.execute(select(
        func.count().filter(User.active),
        func.count().filter(User.active.is_(False)),
        func.count().filter(User.is_admin, User.active),
        func.count().filter(User.active, User.created_at >= week_ago),
        func.count().filter(User.active, User.last_login_at >= week_ago),
        func.count().filter(User.active, or_(
            User.open_to_mentoring, User.open_to_being_mentored, User.open_to_swaps)),
    )).one()
    by_department = db.session.execute(
        select(User.department, func.count())
        .where(User.active).group_by(User.department)
        .order_by(func.count().desc(), User.department)
    ).all()
    return {
        "active": totals[0], "deactivated": totals[1], "admins": totals[2],
        "joined_this_week": totals[3], "logged_in_this_week": totals[4],
        "open_to_something": totals[5],
        "departments": [(name or "No department", count) for name, count in by_department],
    }
