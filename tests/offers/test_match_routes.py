"""The matches page and dismissing a suggestion, on real rows."""

from __future__ import annotations

import itertools
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.offers.models import LEARN, PAUSED, TEACH, DismissedSuggestion
from tests.conftest import HTMX
from tests.factories import make_user
from tests.offers.factories import make_offer, make_skill
from tests.support.queries import count_queries

OPEN_TO_ALL = {"open_to_mentoring": True, "open_to_being_mentored": True, "open_to_swaps": True}
_numbers = itertools.count(1)
CARD = re.compile(r'<li class="card match" id="match-([^"]+)"')


def person(name: str, department: str = "Engineering", **overrides):
    handle = name.lower().replace(" ", "")
    return make_user(display_name=name, handle=handle, email=f"{handle}@example.com",
                     department=department, **{**OPEN_TO_ALL, **overrides})


@pytest.fixture
def me(auth):
    user = person("Me Myself")
    auth.login(user)
    return user


@pytest.fixture
def skills():
    return {name: make_skill(name) for name in ("SQL", "Python", "Excel", "Figma")}


def teach(user, skill, level="advanced", **overrides):
    return make_offer(user, kind=TEACH, skill=skill, level=level, **overrides)


def learn(user, skill, level="beginner", **overrides):
    return make_offer(user, kind=LEARN, skill=skill, level=level, **overrides)


def sections(html: str) -> dict[str, str]:
    """The page's three sections by heading id."""
    parts = {}
    for name in ("swaps", "teachers", "learners"):
        start = html.index(f'id="{name}-heading"')
        end = html.find("</section>", start)
        parts[name] = html[start:end]
    return parts


def test_login_required(client):
    response = client.get("/matches/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_no_offers_yet_links_to_posting_both_kinds(client, me):
    html = client.get("/matches/").text
    assert "/offers/new?kind=learn" in html and "/offers/new?kind=teach" in html
    assert 'href="/offers/"' in html and 'aria-current="page">My matches' in html
    assert 'id="swaps-heading"' not in html


def test_offers_but_no_matches_says_so(client, me, skills):
    learn(me, skills["SQL"])
    html = client.get("/matches/").text
    assert "No matches for your offers yet." in html and "Add more things" in html


def test_not_open_to_anything_points_to_settings(client, auth, skills):
    shy = person("Shy Person", open_to_mentoring=False, open_to_being_mentored=False,
                 open_to_swaps=False)
    auth.login(shy)
    learn(shy, skills["SQL"])
    teach(person("Ana Teacher"), skills["SQL"])
    html = unescape(client.get("/matches/").text)
    assert "Say what you're open to" in html and "/settings" in html
    assert not CARD.search(html)


def test_sections_show_people_skills_reasons_and_a_dismiss_form(client, me, skills):
    ana, ben, cara = person("Ana Lopez", "Finance"), person("Ben Okafor"), person("Cara Diaz")
    learn(me, skills["SQL"])
    teach(me, skills["Python"], capacity=3)
    teach(ana, skills["SQL"], level="intermediate")
    learn(ana, skills["Python"])
    teach(ben, skills["SQL"], seats_taken=1, capacity=2)
    learn(cara, skills["Python"], level="intermediate")
    html = client.get("/matches/").text
    parts = sections(html)
    assert "Ana Lopez" in parts["swaps"] and 'href="/people/analopez"' in parts["swaps"]
    assert 'href="/skills/sql"' in parts["swaps"] and 'href="/skills/python"' in parts["swaps"]
    assert ("You want to learn SQL and are a beginner; Ana Lopez teaches it up to "
            "intermediate.") in parts["swaps"]
    assert "Different departments (Engineering and Finance)." in parts["swaps"]
    assert "Ben Okafor" in parts["teachers"] and "1 of 2 seats free." in parts["teachers"]
    assert "Ana Lopez" not in parts["teachers"]  # already in the swap
    assert "Cara Diaz" in parts["learners"] and "Ana Lopez" not in parts["learners"]
    keys = CARD.findall(html)
    assert keys == [f"swap-{me.id}-{ana.id}-{skills['SQL'].id}-{skills['Python'].id}",
                    f"mentor-{me.id}-{ben.id}-{skills['SQL'].id}",
                    f"mentee-{me.id}-{cara.id}-{skills['Python'].id}"]
    assert html.count('name="csrf_token"') >= 3
    assert 'hx-post="/matches/dismiss"' in html and 'hx-target="closest .match"' in html


def test_a_three_way_swap_on_the_page(client, me, skills):
    ben, cara = person("Ben Okafor", "Design"), person("Cara Diaz", "Sales")
    learn(me, skills["SQL"])
    teach(me, skills["Python"])
    learn(ben, skills["Python"])
    teach(ben, skills["Excel"])
    learn(cara, skills["Excel"])
    teach(cara, skills["SQL"])
    parts = sections(client.get("/matches/").text)
    assert "Three-way swap" in parts["swaps"]
    assert "Ben Okafor teaches Cara Diaz Excel, up to advanced." in parts["swaps"]
    assert 'href="/skills/excel"' in parts["swaps"]


def _dismissed(user) -> int:
    return db.session.scalar(select(func.count()).select_from(DismissedSuggestion)
                             .where(DismissedSuggestion.user_id == user.id))


def test_dismiss_without_javascript_redirects_with_a_message(client, me, skills):
    ben = person("Ben Okafor")
    learn(me, skills["SQL"])
    teach(ben, skills["SQL"])
    key = f"mentor:{me.id}:{ben.id}:{skills['SQL'].id}"
    assert f'value="{key}"' in client.get("/matches/").text
    response = client.post("/matches/dismiss", data={"key": key})
    assert response.status_code == 303 and response.headers["Location"].endswith("/matches/")
    html = unescape(client.get("/matches/").text)
    assert "You won't see that suggestion again." in html and "Ben Okafor" not in html
    assert _dismissed(me) == 1


def test_dismiss_with_htmx_answers_an_empty_fragment(client, me, skills):
    ben = person("Ben Okafor")
    learn(me, skills["SQL"])
    teach(ben, skills["SQL"])
    key = f"mentor:{me.id}:{ben.id}:{skills['SQL'].id}"
    response = client.post("/matches/dismiss", data={"key": key}, headers=HTMX)
    assert response.status_code == 200 and response.text == ""
    assert _dismissed(me) == 1
    assert "Ben Okafor" not in client.get("/matches/").text


def test_a_duplicate_dismiss_is_a_no_op(client, me):
    for headers in ({}, HTMX, {}):
        response = client.post("/matches/dismiss", data={"key": f"swap:{me.id}:2:3:4"},
                               headers=headers)
        assert response.status_code in (200, 303)
    assert _dismissed(me) == 1


@pytest.mark.parametrize("key", ["", "nonsense", "swap:1:2;drop", "mentor:" + "1" * 200])
def test_a_malformed_key_is_refused(client, me, key):
    response = client.post("/matches/dismiss", data={"key": key})
    assert response.status_code == 400 and "can't be dismissed" in unescape(response.text)
    assert _dismissed(me) == 0


def test_dismiss_needs_login_and_a_csrf_token(app, client, me):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/matches/dismiss", data={"key": "swap:1:2:3:4"}).status_code == 400
    assert _dismissed(me) == 0
    client.post("/logout", data={"csrf_token": _token(client)})
    response = client.post("/matches/dismiss", data={"key": "swap:1:2:3:4"})
    assert response.status_code in (302, 400) and _dismissed(me) == 0


def _token(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"',
                     client.get("/matches/").text).group(1)


def test_deactivated_people_paused_closed_and_full_offers_are_not_suggested(client, me, skills):
    learn(me, skills["SQL"])
    teach(me, skills["Python"])
    gone = person("Gone Away", active=False)
    paused = person("Paused Offer")
    closed = person("Closed Offer")
    full = person("Full Offer")
    fine = person("Fine Teacher")
    for user in (gone, fine):
        teach(user, skills["SQL"])
        learn(user, skills["Python"])
    teach(paused, skills["SQL"], status=PAUSED)
    learn(paused, skills["Python"], status=PAUSED)
    teach(closed, skills["SQL"], status="closed")
    teach(full, skills["SQL"], capacity=2, seats_taken=2)
    html = client.get("/matches/").text
    assert "Fine Teacher" in html
    for name in ("Gone Away", "Paused Offer", "Closed Offer", "Full Offer"):
        assert name not in html


def test_all_my_offers_paused(client, me, skills):
    learn(me, skills["SQL"], status=PAUSED)
    teach(person("Ana Lopez"), skills["SQL"])
    html = client.get("/matches/").text
    assert "All your offers are paused." in html and "Ana Lopez" not in html




def _triangle(me, skills, n: int):
    """`n` people I teach Python who teach Excel, `n` who want Excel and teach SQL; so swaps
    are impossible and three-way swaps plenty."""
    for _ in range(n):
        i = next(_numbers)
        ben, cara = person(f"Ben {i}", "Design"), person(f"Cara {i}", "Sales")
        learn(ben, skills["Python"])
        teach(ben, skills["Excel"])
        learn(cara, skills["Excel"])
        teach(cara, skills["SQL"])
        learn(cara, skills["Figma"])


def test_the_page_uses_a_constant_number_ofcount_queries(client, auth, me, skills):
    learn(me, skills["SQL"])
    teach(me, skills["Python"])
    _triangle(me, skills, 1)
    one = count_queries(client, "/matches/")
    _triangle(me, skills, 12)
    many = count_queries(client, "/matches/")
    html = client.get("/matches/").text
    assert html.count("Three-way swap</span>") == 5  # the best five for the one want
    assert one == many
