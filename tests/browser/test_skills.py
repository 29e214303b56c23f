"""Skill pages in a browser: the live name filter swaps results in place and updates the
address; a hub and the admin merge flow work with CSP on and no script errors."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
from playwright.sync_api import Page, expect

from app.extensions import db
from app.offers.models import LEARN
from app.skills.models import SkillName
from app.skills.services import skill_key
from tests.skills.factories import make_offer, make_skill

pytestmark = pytest.mark.browser


def _taxonomy(live_server) -> None:
    with live_server.app.app_context():
        k8s = make_skill("Kubernetes", commit=False)
        k8s.names.append(SkillName(name="k8s", key=skill_key("k8s")))
        make_skill("Docker", commit=False)
        make_skill("Dokcer", commit=False)
        make_skill("Public speaking", commit=False)
        db.session.commit()
        make_offer(k8s, kind=LEARN, capacity=None)


def test_live_filter_swaps_results_and_pushes_the_address(page: Page, live_server, log_in):
    viewer = live_server.create_user(display_name="Vera Viewer")
    _taxonomy(live_server)
    log_in(viewer)
    page.goto("/skills/")
    rows = page.locator("#skill-results tbody tr")
    expect(rows).to_have_count(4)
    page.evaluate("window.__marker = 1")

    page.get_by_label("Skill name or alias").fill("k8s")
    expect(page).to_have_url(re.compile(r"[?&]q=k8s(&|$)"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kubernetes")
    page.get_by_label("Sort by").select_option("name")
    expect(page).to_have_url(re.compile(r"[?&]sort=name(&|$)"))
    assert page.evaluate("window.__marker") == 1, "the page fully reloaded"
    expect(page.get_by_role("heading", name="Skills", level=1)).to_have_count(1)

    rows.first.get_by_role("link", name="Kubernetes").click()
    expect(page.get_by_role("heading", name="Kubernetes", level=1)).to_be_visible()
    expect(page.get_by_text("Also known as k8s")).to_be_visible()


def test_admin_merges_a_duplicate_after_the_preview(page: Page, live_server, log_in):
    admin = live_server.create_user(display_name="Ada Admin", is_admin=True)
    _taxonomy(live_server)
    log_in(admin)
    page.goto("/admin/skills?q=dokcer")
    page.get_by_role("link", name="Dokcer", exact=True).click()
    page.get_by_label("Skill to keep").fill("docker")
    page.get_by_role("button", name="Show what will move").click()
    expect(page.get_by_role("heading", name="Merge “Dokcer” into “Docker”?")).to_be_visible()
    page.get_by_role("button", name="Merge and delete “Dokcer”").click()
    expect(page.get_by_text("“Dokcer” is merged into “Docker”")).to_be_visible()
    expect(page.get_by_role("heading", name="Docker", level=2)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Dokcer")  # now an alias
