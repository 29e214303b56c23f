"""A person's offers on their profile, and the Marketplace link in the navigation."""

from __future__ import annotations

import re

import pytest

from app.offers.models import CLOSED, LEARN, PAUSED, TEACH
from tests.conftest import HTMX
from tests.factories import make_user
from tests.offers.factories import make_offer
from tests.support.queries import count_queries


@pytest.fixture
def me(auth):
    user = make_user(display_name="Me Myself", handle="me")
    auth.login(user)
    return user


def _section(body: str, heading: str) -> str:
    """The text under one "Can teach" / "Wants to learn" heading of the offers section."""
    match = re.search(rf"<h3[^>]*>{heading}</h3>(.*?)</div>", body, re.S)
    return match.group(1) if match else ""


def test_a_profile_groups_open_offers_by_kind(client, me):
    ana = make_user(handle="ana", display_name="Ana")
    teaches = make_offer(ana, kind=TEACH, skill="SQL")
    learns = make_offer(ana, kind=LEARN, skill="Kotlin")
    paused = make_offer(ana, kind=TEACH, skill="Excel", status=PAUSED)
    closed = make_offer(ana, kind=LEARN, skill="Rust", status=CLOSED)
    page = client.get("/people/ana").text
    assert f"/offers/{teaches.id}" in _section(page, "Can teach")
    assert f"/offers/{learns.id}" in _section(page, "Wants to learn")
    assert f"/offers/{paused.id}" not in page and f"/offers/{closed.id}" not in page
    assert "/offers/new" not in page  # not my profile
    # The htmx fragment of the profile carries them too.
    assert f"/offers/{teaches.id}" in client.get("/people/ana", headers=HTMX).text


def test_my_own_profile_shows_paused_offers_and_links_to_add_more(client, me):
    mine = make_offer(me, kind=TEACH, skill="SQL", status=PAUSED)
    make_offer(me, kind=LEARN, skill="Rust", status=CLOSED)
    page = client.get("/people/me").text
    teach = _section(page, "Can teach")
    assert f"/offers/{mine.id}" in teach and "paused" in teach
    assert 'href="/offers/new?kind=teach"' in teach
    learn = _section(page, "Wants to learn")
    assert "Nothing yet" in learn and 'href="/offers/new?kind=learn"' in learn


def test_the_profile_loads_offers_in_one_query(client, me):
    few = make_user(handle="few")
    many = make_user(handle="many")
    make_offer(few, kind=TEACH)
    for n in range(12):
        make_offer(many, kind=(TEACH, LEARN)[n % 2])
    assert count_queries(client, "/people/few") == count_queries(client, "/people/many")


def test_the_navigation_links_to_the_marketplace(client, me):
    page = client.get("/people/").text
    assert '<a href="/offers/">Marketplace</a>' in page
    assert '<a href="/offers/" aria-current="page">Marketplace</a>' in client.get("/offers/").text
