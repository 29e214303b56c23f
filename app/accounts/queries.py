"""Read-side queries about people."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from app.accounts.models import User
from app.extensions import db


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def directory_select(*, q: str = "", department: str = "") -> Select:
    """Active people, filtered by name/handle/job title and department, sorted by name."""
    query = select(User).where(User.active)
    q = q.strip()
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
    return db.session.scalar(select(User).where(User.handle == handle.lower()))
