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
    _count_capped(result, select, cap)
    return result


def _count_capped(result: Pagination, select: Select, cap: int) -> None:
    counted = db.session.scalar(
        sa_select(func.count()).select_from(select.order_by(None).limit(cap + 1).subquery()))
    result.total = min(counted or 0, cap)
    result.total_is_capped = (counted or 0) > cap


class _TieredPagination(Pagination):
    """A page read from `tiers`, ordered selects listed one after another."""

    def _query_items(self) -> list:
        offset, wanted = (self.page - 1) * self.per_page, self.per_page
        items: list = []
        for tier in self._query_args["tiers"]:
            rows = list(db.session.scalars(tier.offset(offset).limit(wanted)))
            items += rows
            wanted -= len(rows)
            if not wanted:
                break
            if rows or not offset:  # it ends on this page: the next one starts at its beginning
                offset = 0
            else:  # the page starts past this tier: only now is it worth counting
                offset -= db.session.scalar(
                    sa_select(func.count()).select_from(tier.order_by(None).subquery()))
        return items

    def _query_count(self) -> int:
        return 0


def paginate_tiers(tiers: list[Select], everything: Select, default_per_page: int,
                   cap: int) -> Pagination:
    """Pages through several ordered selects as if they were one list — the first's rows,
    then the second's… — reading only what the page shows. `everything` is their union
    (any order), counted up to `cap` as in `paginate_capped`.

    For a list sorted by a computed rank, one select per rank, each ordered by an index,
    stops after a page of rows where a single ORDER BY rank would sort every row."""
    page, per_page = page_args(default_per_page)
    result = _TieredPagination(page=page, per_page=per_page, max_per_page=None,
                               error_out=False, count=False, tiers=tiers)
    _count_capped(result, everything, cap)
    return result
