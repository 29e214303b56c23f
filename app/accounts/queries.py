"""Read-side queries about people."""

from __future__ import annotations

import re

from sqlalchemy import Select, func, or_, select

from app.accounts.models import User
from app.extensions import db

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(text: str) -> str:
    """Without control characters: nobody types them, and PostgreSQL refuses NUL outright."""
    return _CONTROL.sub("", text)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def directory_select(*, q: str = "", department: str = "") -> Select:
    """Active people, filtered by name/handle/job title and department, sorted by name."""
    query = select(User).where(User.active)
    q, department = _printable(q).strip(), _printable(department)
    if q:
        pattern = _like_pattern(q.lstrip("@"))
        query = query.where(or_(
            func.lower(User.display_name).like(pattern, escape="\\"),
            User.handle.like(pattern, escape="\\"),
            func.lower(User.job_title).like(pattern, escape="\\"),
        ))
    if department:
        query = query.where(User.department == department)
    return query.order_by(func.lower(User.display_name), User.id)


def departments() -> list[str]:
    """Departments that active people belong to, alphabetically."""
    rows = db.session.scalars(
        select(User.department).where(User.active, User.department != "")
        .group_by(User.department).order_by(User.department)
    )
    return list(rows)


def colleagues_in_department(user: User, limit: int = 6) -> list[User]:
    if not user.department:
        return []
    return list(db.session.scalars(
        select(User).where(User.active, User.department == user.department, User.id != user.id)
        .order_by(User.created_at.desc(), User.id.desc()).limit(limit)
    ))


def user_by_handle(handle: str) -> User | None:
    if _CONTROL.search(handle):
        return None
    return db.session.scalar(select(User).where(User.handle == handle.lower()))
