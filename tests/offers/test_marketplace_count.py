"""A long marketplace says "1,000+ offers" instead of counting every row."""

from __future__ import annotations

import re

from app.offers import queries
from tests.offers.factories import make_offer
from tests.offers.test_marketplace import me  # noqa: F401 — the logged-in person fixture


def _count_line(client, path: str = "/offers/") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'<p class="result-count">([^<]*)</p>', html).group(1)


def test_counts_up_to_the_cap_and_then_says_more(client, me, monkeypatch):  # noqa: F811
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    for _ in range(3):
        make_offer()
    assert _count_line(client).startswith("3 offers")
    make_offer()
    assert _count_line(client).startswith("3+ offers")


def test_the_pager_stops_at_the_cap(client, me, monkeypatch):  # noqa: F811
    monkeypatch.setattr(queries, "COUNT_CAP", 4)
    for _ in range(6):
        make_offer()
    html = client.get("/offers/?per_page=2&page=2").get_data(as_text=True)
    assert '<span aria-current="page" class="current">2</span>' in html
    assert 'rel="next"' not in html  # 4 counted, 2 a page: page 2 is the last one offered
