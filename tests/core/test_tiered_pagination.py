"""`paginate_tiers`: several ordered selects paged as one list — through the marketplace's
best match (complements, other departments, own department, own offers) and directly."""

from __future__ import annotations

import math
import re

import pytest
from sqlalchemy import select

from app.core.pagination import paginate_tiers
from app.extensions import db
from app.offers.models import LEARN, PAUSED, TEACH, Offer
from tests.factories import make_user
from tests.offers.factories import make_offer
from tests.offers.test_marketplace import listed_ids
from tests.support.queries import recorded_statements


def result_count(body: str) -> str:
    return re.search(r'<p class="result-count">([^<]*)</p>', body).group(1)


@pytest.fixture
def ranked(client, auth):
    """A logged-in viewer and the marketplace's offers in their best-match order:
    3 complements, 2 from other departments, 3 from their own department, 2 of their own."""
    me = make_user(display_name="Me Myself", department="Engineering")
    auth.login(me)
    own = [make_offer(me, kind=TEACH, skill="SQL"), make_offer(me, kind=LEARN, skill="Python")]
    marketing, sales = make_user(department="Marketing"), make_user(department="Sales")
    engineering = [make_user(department="Engineering") for _ in range(3)]

    wants_sql = make_offer(marketing, kind=LEARN, skill="SQL")  # complement
    teaches_python_here = make_offer(engineering[0], kind=TEACH, skill="Python")  # complement
    teaches_python_there = make_offer(sales, kind=TEACH, skill="Python")  # complement
    excel = make_offer(marketing, kind=TEACH, skill="Excel")
    also_learns_python = make_offer(sales, kind=LEARN, skill="Python")  # not a complement
    go = make_offer(engineering[1], kind=TEACH, skill="Go")
    rust = make_offer(engineering[2], kind=LEARN, skill="Rust")
    also_teaches_sql = make_offer(engineering[1], kind=TEACH, skill="SQL")  # not one either
    make_offer(sales, kind=TEACH, skill="Cooking", status=PAUSED)  # never listed
    make_offer(make_user(department="Sales", active=False), kind=LEARN, skill="SQL")

    order = [
        teaches_python_there.id, wants_sql.id,  # complements: other departments first…
        teaches_python_here.id,  # …then mine
        also_learns_python.id, excel.id,  # other departments, newest first
        also_teaches_sql.id, rust.id, go.id,  # my department, newest first
        own[1].id, own[0].id,  # mine
    ]
    return order


def page_ids(client, per_page: int, page: int, extra: str = "") -> list[int]:
    response = client.get(f"/offers/?sort=match&per_page={per_page}&page={page}{extra}")
    assert response.status_code == 200
    return listed_ids(response.text)


def test_one_page_holds_every_tier_in_rank_order(client, ranked):
    body = client.get("/offers/?sort=match&per_page=50").text
    assert listed_ids(body) == ranked
    assert result_count(body) == "10 offers, best matches for you first"


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 5, 7])
def test_pages_across_tier_boundaries_list_every_offer_once(client, ranked, per_page):
    pages = math.ceil(len(ranked) / per_page)
    seen = []
    for n in range(1, pages + 1):
        ids = page_ids(client, per_page, n)
        assert ids == ranked[(n - 1) * per_page:n * per_page], (per_page, n)
        seen += ids
    assert seen == ranked and len(set(seen)) == len(ranked)
    assert page_ids(client, per_page, pages + 1) == []


def test_pages_that_start_past_a_tier(client, ranked):
    # Tiers hold 3, 2, 3 and 2 offers.
    assert page_ids(client, 2, 3) == ranked[4:6]  # starts one into the second tier
    assert page_ids(client, 3, 2) == ranked[3:6]  # starts exactly where the second begins
    assert page_ids(client, 5, 2) == ranked[5:10]  # exactly where the third begins
    assert page_ids(client, 3, 3) == ranked[6:9]  # one into the third, past two tiers
    assert page_ids(client, 4, 3) == ranked[8:10]  # only the last tier


def test_an_out_of_range_page_is_empty_and_keeps_the_total(client, ranked):
    for page in (6, 99, 10_000):
        response = client.get(f"/offers/?sort=match&per_page=2&page={page}")
        assert response.status_code == 200
        assert listed_ids(response.text) == []
        assert result_count(response.text).startswith("10 offers")


def test_the_pager_knows_the_total(client, ranked):
    body = client.get("/offers/?sort=match&per_page=3&page=4").text
    assert listed_ids(body) == ranked[9:]
    assert '<span aria-current="page" class="current">4</span>' in body
    assert 'rel="next"' not in body and 'rel="prev"' in body
    assert 'rel="next"' in client.get("/offers/?sort=match&per_page=3&page=3").text


def test_filters_apply_to_every_tier(client, ranked):
    teach_ids = set(db.session.scalars(select(Offer.id).where(Offer.kind == TEACH)))
    teaching = [i for i in ranked if i in teach_ids]  # in rank order
    assert len(teaching) == 6
    body = client.get("/offers/?sort=match&kind=teach&per_page=2&page=2").text
    assert result_count(body) == f"{len(teaching)} offers found, best matches for you first"
    assert listed_ids(body) == teaching[2:4]
    everything = []
    for n in range(1, 4):
        everything += page_ids(client, 2, n, "&kind=teach")
    assert everything == teaching


def test_someone_with_no_offers_and_no_complements(client, auth):
    """The first and last tiers are empty: the middle ones still page correctly."""
    there = [make_offer(make_user(department="Sales")) for _ in range(3)]
    here = [make_offer(make_user(department="Engineering")) for _ in range(2)]
    auth.login(make_user(department="Engineering"))
    ranked = [o.id for o in reversed(there)] + [o.id for o in reversed(here)]
    assert [page_ids(client, 2, n) for n in (1, 2, 3, 4)] == [
        ranked[0:2], ranked[2:4], ranked[4:5], []]


# -- Directly ----------------------------------------------------------------------------


@pytest.fixture
def offers(app):
    """Six offers: three to teach and three to learn, oldest first."""
    return [make_offer(kind=(TEACH, LEARN)[n % 2]) for n in range(6)]


def _tiers(offers):
    teach = select(Offer).where(Offer.kind == TEACH).order_by(Offer.id.desc())
    nothing = select(Offer).where(Offer.id < 0).order_by(Offer.id)
    learn = select(Offer).where(Offer.kind == LEARN).order_by(Offer.id)
    expected = [o.id for o in reversed(offers) if o.kind == TEACH] + \
        [o.id for o in offers if o.kind == LEARN]
    return [nothing, teach, nothing, learn, nothing], select(Offer), expected


def _page(app, query: str, tiers, everything, cap: int = 1000):
    with app.test_request_context(f"/?{query}"):
        return paginate_tiers(tiers, everything, 4, cap=cap)


def test_directly_pages_read_the_tiers_one_after_another(app, offers):
    tiers, everything, expected = _tiers(offers)
    for per_page in range(1, 8):
        seen = []
        for n in range(1, 8):
            page = _page(app, f"per_page={per_page}&page={n}", tiers, everything)
            assert [o.id for o in page.items] == expected[(n - 1) * per_page:n * per_page]
            assert page.total == 6 and page.pages == math.ceil(6 / per_page)
            assert page.has_next == (n < page.pages)
            seen += [o.id for o in page.items]
        assert seen == expected


def test_directly_the_default_and_odd_page_arguments(app, offers):
    tiers, everything, expected = _tiers(offers)
    assert [o.id for o in _page(app, "", tiers, everything).items] == expected[:4]
    for odd in ("page=0", "page=-2", "page=x", "per_page=0", "per_page=x"):
        page = _page(app, odd, tiers, everything)
        assert page.page == 1 and [o.id for o in page.items] == expected[:4], odd
    assert [o.id for o in _page(app, "per_page=-5", tiers, everything).items] == expected[:1]
    app.config["MAX_PER_PAGE"] = 5
    assert len(_page(app, "per_page=1000", tiers, everything).items) == 5


def test_directly_the_total_is_capped(app, offers):
    tiers, everything, expected = _tiers(offers)
    page = _page(app, "per_page=2", tiers, everything, cap=3)
    assert page.total == 3 and page.total_is_capped
    assert [o.id for o in page.items] == expected[:2]
    page = _page(app, "per_page=2", tiers, everything, cap=6)
    assert page.total == 6 and not page.total_is_capped


def test_directly_a_page_filled_by_the_first_tier_reads_nothing_else(app, offers):
    teach = select(Offer).where(Offer.kind == TEACH).order_by(Offer.id)
    learn = select(Offer).where(Offer.kind == LEARN).order_by(Offer.id)
    with app.test_request_context("/?per_page=2"), recorded_statements() as statements:
        page = paginate_tiers([teach, learn], select(Offer), 2, cap=1000)
    assert len(page.items) == 2
    assert len(statements) == 2  # the first tier's rows, and the count
