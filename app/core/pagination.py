"""Pagination with a capped page size, for every list on the site."""

from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func
from sqlalchemy import select as sa_select

from app.extensions import db


def page_args(default_per_page: int) -> tuple[int, int]:
    """`?page=` and `?per_page=` from the query string, made safe: bad values fall back."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", default_per_page, type=int) or default_per_page
    cap = current_app.config["MAX_PER_PAGE"]
    return max(1, min(page, 10_000)), max(1, min(per_page, cap))


def paginate(select: Select, default_per_page: int) -> Pagination:
    page, per_page = page_args(default_per_page)
    return db.paginate(select, page=page, per_page=per_page, error_out=False, count=True)


def paginate_capped(select: Select, default_per_page: int, cap: int) -> Pagination:
    """Like `paginate`, but counts at most `cap + 1` rows: a long list shows "1,000+" instead
    of reading every row to count it. `page.total_is_capped` says when it did."""
    page, per_page = page_args(default_per_page)
    result = db.paginate(select, page=page, per_page=per_page, error_out=False, count=False)
    counted = db.session.scalar(
        sa_select(func.count()).select_from(select.order_by(None).limit(cap + 1).subquery()))
    result.total = min(counted or 0, cap)
    result.total_is_capped = (counted or 0) > cap
    return result
