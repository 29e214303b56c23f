"""The home page shows a person's best matches, or how to get some."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.offers.factories import make_skill
from tests.offers.test_match_routes import learn, person, teach


@pytest.fixture
def me(auth):
    user = person("Me Myself")
    auth.login(user)
    return user


def _matches_card(client) -> str:
    html = client.get("/").get_data(as_text=True)
    start = html.index('id="matches-heading"')
    card = html[start:html.index("</section>", start)]
    return unescape(" ".join(re.sub(r"<[^>]+>", "", card).split()))


def test_without_offers_the_home_page_says_how_to_get_matches(client, me):
    card = _matches_card(client)
    assert "Say what you can teach and what you want to learn" in card
    assert "I want to learn…" in card and "I can teach…" in card


def test_offers_without_matches_say_so(client, me):
    learn(me, make_skill("Underwater basket weaving"))
    assert "No matches right now" in _matches_card(client)


def test_a_swap_is_the_first_match_on_the_home_page(client, me):
    sql, python = make_skill("SQL"), make_skill("Python")
    learn(me, sql)
    teach(me, python)
    ana = person("Ana Lima", department="Design")
    teach(ana, sql)
    learn(ana, python)
    mentor = person("Tom Teacher", department="Finance")
    teach(mentor, sql)

    card = _matches_card(client)
    assert card.index("Swap with Ana Lima: learn SQL, teach Python") < card.index(
        "Tom Teacher can teach you SQL")
    assert "All your matches, and why" in card
