"""The skill list (supply, demand, gap; filters; htmx) and the skill hubs, through HTTP."""

from __future__ import annotations

import html
import re

import pytest

from app.accounts.models import User
from app.extensions import db
from app.forum.models import Question
from app.offers.models import CLOSED, LEARN, PAUSED, TEACH
from app.skills import merging, services
from tests.conftest import HTMX
from tests.factories import make_admin, make_user
from tests.forum.factories import make_question
from tests.skills.factories import make_category, make_offer, make_skill
from tests.support.queries import count_queries

ROW_LINK = re.compile(r'<td><a href="/skills/([a-z0-9-]+)">')


@pytest.fixture
def me(auth):
    user = make_user(display_name="Me Myself")
    auth.login(user)
    return user


def _slugs(response) -> list[str]:
    assert response.status_code == 200
    return ROW_LINK.findall(response.get_data(as_text=True))




def _offers(skill, *, teach: int = 0, learn: int = 0) -> None:
    for _ in range(teach):
        make_offer(skill, kind=TEACH, commit=False)
    for _ in range(learn):
        make_offer(skill, kind=LEARN, capacity=None, commit=False)
    db.session.commit()


def test_pages_need_login(client, app):
    make_skill("SQL")
    assert client.get("/skills/").status_code == 302
    assert client.get("/skills/sql").status_code == 302


@pytest.fixture
def market(app):
    """wanted: 3 want, nobody teaches; even: 2 and 2; taught: 4 teach, 1 wants; quiet: none."""
    wanted, even, taught = make_skill("Wanted"), make_skill("Even"), make_skill("Taught")
    quiet = make_skill("Quiet")
    _offers(wanted, learn=3)
    _offers(even, teach=2, learn=2)
    _offers(taught, teach=4, learn=1)
    # Neither closed nor paused offers nor deactivated people count.
    make_offer(quiet, status=CLOSED)
    make_offer(quiet, kind=LEARN, capacity=None, status=PAUSED)
    make_offer(quiet, make_user(active=False))
    return wanted, even, taught, quiet


@pytest.mark.parametrize(("sort", "expected"), [
    ("gap", ["wanted", "even", "quiet", "taught"]),
    ("demand", ["wanted", "even", "taught", "quiet"]),
    ("supply", ["taught", "even", "wanted", "quiet"]),
    ("name", ["even", "quiet", "taught", "wanted"]),
    ("nonsense", ["wanted", "even", "taught", "quiet"]),  # falls back to demand
])
def test_list_sorts_by_supply_demand_gap_and_name(client, me, market, sort, expected):
    assert _slugs(client.get(f"/skills/?sort={sort}")) == expected


def test_list_shows_the_numbers(client, me, market):
    page = client.get("/skills/?sort=gap").get_data(as_text=True)
    row = page[page.index('href="/skills/wanted"'):page.index('href="/skills/even"')]
    assert re.findall(r'<td class="num">(?:<strong>)?([+\-]?\d+)', row) == ["0", "3", "+3"]
    row = page[page.index('href="/skills/quiet"'):]
    assert re.findall(r'<td class="num">(?:<strong>)?([+\-]?\d+)', row)[:3] == ["0", "0", "0"]


def test_filter_by_any_name_and_by_category(client, me):
    cloud = make_category("Cloud & DevOps")
    make_skill("Kubernetes", aliases=("k8s",), category=cloud)
    make_skill("Node.js")
    make_skill("Docker", category=cloud)
    assert _slugs(client.get("/skills/?q=K8S")) == ["kubernetes"]
    assert _slugs(client.get("/skills/?q=node+js")) == ["node-js"]
    assert _slugs(client.get("/skills/?q=50%25_")) == []
    assert _slugs(client.get(f"/skills/?category={cloud.slug}&sort=name")) == [
        "docker", "kubernetes"]
    assert _slugs(client.get("/skills/?category=none")) == ["node-js"]
    assert _slugs(client.get("/skills/?category=unknown&sort=name")) == [
        "docker", "kubernetes", "node-js"]
    page = client.get("/skills/?q=zzz").get_data(as_text=True)
    assert "No skill matches “zzz”" in page
    assert 'value="zzz"' in page and 'maxlength="60"' in page


def test_htmx_gets_only_the_results(client, me, market):
    response = client.get("/skills/?q=wan", headers=HTMX)
    text = response.get_data(as_text=True)
    assert "<html" not in text and 'id="skills-q"' not in text
    assert _slugs(response) == ["wanted"]
    full = client.get("/skills/?q=wan").get_data(as_text=True)
    assert 'id="skill-results"' in full and 'hx-push-url="true"' in full


def test_list_is_paginated(client, me):
    for n in range(35):
        make_skill(f"Skill {n:02d}", commit=False)
    db.session.commit()
    first = _slugs(client.get("/skills/?sort=name"))
    second = _slugs(client.get("/skills/?sort=name&page=2"))
    assert len(first) == 30 and len(second) == 5 and not set(first) & set(second)


def test_list_uses_a_constant_number_of_queries(client, me):
    cloud = make_category("Cloud")
    make_skill("Lonely", category=cloud)
    few = count_queries(client, "/skills/")
    for n in range(25):
        skill = make_skill(f"Busy {n}", aliases=(f"b{n}",), category=cloud)
        _offers(skill, teach=1, learn=2)
    assert count_queries(client, "/skills/") == few


# -- The hub ----------------------------------------------------------------------------------


@pytest.fixture
def kubernetes(app):
    cloud = make_category("Cloud & DevOps")
    return make_skill("Kubernetes", aliases=("k8s", "Kube"), category=cloud)


def test_hub_shows_who_teaches_who_learns_and_the_questions(client, me, kubernetes):
    ana = make_user(display_name="Ana Teacher")
    ben = make_user(display_name="Ben Learner")
    make_offer(kubernetes, ana, level="advanced", format_group=True, capacity=4, seats_taken=1)
    make_offer(kubernetes, ben, kind=LEARN, capacity=None, level="beginner")
    make_offer(kubernetes, make_user(display_name="Paula Paused"), status=PAUSED)
    via_alias = make_question(title="Rolling back a k8s deployment safely", tags="k8s")
    by_name = make_question(title="Kubernetes requests and limits explained", tags="kubernetes")
    make_question(title="Docker layers and caching explained", tags="docker")
    hidden = make_question(title="Hidden kubernetes question here", tags="kube")
    db.session.get(Question, hidden.id).is_hidden = True
    db.session.commit()

    page = html.unescape(client.get("/skills/kubernetes").get_data(as_text=True))
    assert "<h1>Kubernetes</h1>" in page
    assert "Cloud & DevOps" in page and "Also known as k8s, Kube" in page
    assert "Ana Teacher" in page and "Advanced · 1:1, Group session · 3 of 4 seats free" in page
    assert "Ben Learner" in page and "Beginner" in page
    assert "Paula Paused" not in page
    assert "Rolling back a k8s deployment safely" in page
    assert "Kubernetes requests and limits explained" in page
    assert "Docker layers" not in page and "Hidden kubernetes question" not in page
    assert 'href="/tags/k8s"' in page and 'href="/tags/kubernetes"' in page
    assert 'href="/offers/?skill=kubernetes"' in page
    assert 'href="/offers/new?kind=teach&skill=Kubernetes"' in page
    assert 'href="/offers/new?kind=learn&skill=Kubernetes"' in page
    assert re.search(r"<dt>Can teach it</dt><dd>1</dd>", page)
    assert re.search(r"<dt>Want to learn it</dt><dd>1</dd>", page)
    assert re.search(r"<dt>Forum questions</dt><dd>2</dd>", page)
    assert via_alias.id and by_name.id


def test_hub_uses_a_constant_number_of_queries(client, me, kubernetes):
    small = make_skill("Helm")
    make_offer(small)
    make_offer(small, kind=LEARN, capacity=None)
    make_question(tags="helm")
    one = count_queries(client, "/skills/helm")
    for _ in range(15):
        make_offer(kubernetes, commit=False)
        make_offer(kubernetes, kind=LEARN, capacity=None, commit=False)
    db.session.commit()
    for n in range(12):
        make_question(tags="k8s, kubernetes, kube" if n % 2 else "k8s")
    many = count_queries(client, "/skills/kubernetes")
    assert many == one


def test_renamed_skill_keeps_its_old_address(client, me, app):
    skill = make_skill("Javascrpt")
    services.rename_skill(make_admin(), skill, "JavaScript")
    db.session.commit()
    response = client.get("/skills/javascrpt")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/skills/javascript")


def test_merged_skill_address_leads_to_the_survivor(client, me, app):
    target, duplicate = make_skill("PostgreSQL"), make_skill("Postgre SQL server")
    merging.merge_skills(make_admin(), duplicate, target)
    db.session.commit()
    response = client.get("/skills/postgre-sql-server")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/skills/postgresql")


def test_unknown_skill_is_404(client, me):
    assert client.get("/skills/no-such-skill").status_code == 404


def test_nav_links_to_skills(client, me):
    page = client.get("/skills/").get_data(as_text=True)
    assert re.search(r'<a href="/skills/" aria-current="page">Skills</a>', page)


def test_deactivated_teachers_are_not_listed(client, me, kubernetes):
    gone = make_user(display_name="Gone Person")
    make_offer(kubernetes, gone)
    db.session.get(User, gone.id).active = False
    db.session.commit()
    assert "Gone Person" not in client.get("/skills/kubernetes").get_data(as_text=True)


def test_a_name_in_the_address_leads_to_the_skill(client, me, app):
    make_skill("C#")
    response = client.get("/skills/C%23")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/skills/c-sharp")


@pytest.mark.parametrize("path", ["/skills/a%00b", "/skills/?q=%00", "/skills/?q=a%00&sort=gap",
                                  "/skills/?category=%00", "/skills/" + "x" * 500])
def test_odd_input_never_breaks_a_page(client, me, app, path):
    make_skill("SQL")
    assert client.get(path).status_code in (200, 404)
