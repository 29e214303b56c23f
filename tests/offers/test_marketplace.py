"""The marketplace page: what is listed, combined filters, best-match order, htmx fragment,
pagination and a constant number of queries."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.offers.models import CLOSED, LEARN, PAUSED, TEACH
from tests.conftest import HTMX
from tests.factories import make_user
from tests.offers.factories import make_category, make_offer, make_skill
from tests.support.queries import count_queries


@pytest.fixture
def me(auth):
    user = make_user(display_name="Me Myself", department="Engineering")
    auth.login(user)
    return user


def listed_ids(body: str) -> list[int]:
    """The offers on a results page, in order."""
    return [int(n) for n in re.findall(r'<h2 class="offer-title">.*?href="/offers/(\d+)"',
                                       body, re.S)]


def test_the_marketplace_needs_login(client):
    assert client.get("/offers/").status_code == 302


def test_only_open_offers_of_active_people_are_listed(client, me):
    shown = make_offer(skill="SQL")
    make_offer(skill="Excel", status=PAUSED)
    make_offer(skill="Rust", status=CLOSED)
    make_offer(make_user(active=False), skill="Go")
    response = client.get("/offers/")
    assert response.status_code == 200
    assert listed_ids(response.text) == [shown.id]
    assert "1 offer" in response.text


def test_filters_combine(client, me):
    data = make_category("Data")
    people = make_category("People skills")
    sql, speaking = make_skill("SQL", category=data), make_skill("Public speaking",
                                                                 category=people)
    ops = make_user(department="Operations")
    sales = make_user(department="Sales")
    target = make_offer(ops, kind=TEACH, skill=sql, level="advanced",
                        formats=["group", "async"])
    near_misses = [
        make_offer(sales, kind=TEACH, skill=sql, level="advanced", formats=["group"]),  # dept
        make_offer(ops, kind=LEARN, skill=sql, level="advanced", formats=["group"]),  # kind
        make_offer(ops, kind=TEACH, skill=speaking, level="advanced", formats=["group"]),
        make_offer(make_user(department="Operations"), kind=TEACH, skill=sql,
                   level="beginner", formats=["group"]),  # level
        make_offer(make_user(department="Operations"), kind=TEACH, skill=sql,
                   level="advanced", formats=["one_to_one"]),  # format
    ]
    everything = {"kind": "teach", "skill": "sql", "category": "data",
                  "department": "Operations", "format": "group", "level": "advanced"}
    assert listed_ids(client.get("/offers/", query_string=everything).text) == [target.id]
    # Dropping one filter at a time lets exactly its near miss back in.
    for name, miss in zip(("department", "kind", "skill", "level", "format"), near_misses,
                          strict=True):
        fewer = {k: v for k, v in everything.items() if k != name}
        if name == "skill":
            fewer.pop("category")  # public speaking is in another category
        ids = listed_ids(client.get("/offers/", query_string=fewer).text)
        assert sorted(ids) == sorted([target.id, miss.id]), name
    by_category = listed_ids(client.get("/offers/?category=people-skills").text)
    assert by_category == [near_misses[2].id]


def test_unknown_or_odd_filter_values_never_break_the_page(client, me):
    make_offer(skill="SQL")
    for query in ("kind=mentor", "format=x", "level=guru", "sort=random", "skill=nope",
                  "department=%00", "skill=%00%1b", "category=" + "x" * 500, "page=-3",
                  "per_page=100000", "department=%25", "skill=%27%22%3C"):
        response = client.get(f"/offers/?{query}")
        assert response.status_code == 200, query
    assert listed_ids(client.get("/offers/?kind=mentor").text) != []  # ignored, not "none"
    assert "No open offers match" in client.get("/offers/?skill=nope").text


def test_best_match_puts_complementary_offers_first(client, me):
    mine = [make_offer(me, kind=TEACH, skill="SQL").id,
            make_offer(me, kind=LEARN, skill="Python").id]
    same_dept, other_dept = "Engineering", "Marketing"
    teaches_what_i_want = make_offer(make_user(department=same_dept), kind=TEACH,
                                     skill="Python")
    wants_what_i_teach = make_offer(make_user(department=other_dept), kind=LEARN, skill="SQL")
    other_department = make_offer(make_user(department=other_dept), kind=TEACH, skill="Excel")
    learns_what_i_learn = make_offer(make_user(department=other_dept), kind=LEARN,
                                     skill="Python")  # not a complement: we both want it
    newest_same_dept = make_offer(make_user(department=same_dept), kind=TEACH, skill="Go")
    ids = listed_ids(client.get("/offers/?sort=match").text)
    # Complements first (another department before mine), then other departments, then
    # my own department (newest first within each), and my own offers last.
    assert ids[:2] == [wants_what_i_teach.id, teaches_what_i_want.id]
    assert ids[2:4] == [learns_what_i_learn.id, other_department.id]
    assert ids[4] == newest_same_dept.id
    assert sorted(ids[5:]) == mine and len(ids) == 7
    # Newest first is the default.
    newest = listed_ids(client.get("/offers/").text)
    assert newest[0] == newest_same_dept.id


def test_htmx_gets_only_the_results_and_the_page_keeps_the_filters(client, me):
    make_offer(skill="SQL", kind=LEARN)
    page = client.get("/offers/?kind=learn&sort=match")
    assert "<html" in page.text
    assert 'hx-push-url="true"' in page.text and 'hx-target="#offer-results"' in page.text
    assert '<option value="learn" selected>' in page.text
    assert '<option value="match" selected>' in page.text
    fragment = client.get("/offers/?kind=learn", headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<form" not in fragment.text
    assert 'class="result-count"' in fragment.text and len(listed_ids(fragment.text)) == 1
    # A history restore asks for the whole page.
    restore = client.get("/offers/?kind=learn",
                         headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_pagination_keeps_the_filters(client, me):
    offers = [make_offer(kind=LEARN) for _ in range(5)]
    make_offer(kind=TEACH)
    first = client.get("/offers/?kind=learn&per_page=2")
    assert listed_ids(first.text) == [o.id for o in reversed(offers)][:2]
    assert "5 offers" in first.text
    assert 'href="/offers/?kind=learn&amp;per_page=2&amp;page=2"' in first.text
    last = client.get("/offers/?kind=learn&per_page=2&page=3", headers=HTMX)
    assert listed_ids(last.text) == [offers[0].id]
    assert client.get("/offers/?kind=learn&per_page=2&page=99").status_code == 200




def test_the_marketplace_uses_a_constant_number_of_queries(client, me):
    make_offer(me, kind=LEARN, skill="Python")
    make_offer(skill=make_skill("Skill zero", category=make_category()))
    paths = ("/offers/", "/offers/?sort=match&kind=teach", "/offers/?category=x&format=group")
    few = [count_queries(client, path) for path in paths]
    for n in range(25):
        category = make_category(commit=False) if n % 3 else None
        make_offer(make_user(department=f"Dept {n % 4}", commit=False),
                   kind=(TEACH, LEARN)[n % 2], skill=make_skill(category=category,
                                                                commit=False),
                   commit=False)
    db.session.commit()
    many = [count_queries(client, path) for path in paths]
    assert few == many
    # The person, their unread count, the cache generation, three filter choices, the count,
    # and the offers: one select newest first, one per rank for best match.
    assert max(many) <= 11
    # Until something changes, the same page again is served from the cache.
    assert [count_queries(client, path) for path in paths] == [3, 3, 3]
