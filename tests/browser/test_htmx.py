"""What only a browser shows about htmx: swaps in place, history, events, CSRF headers."""

from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def set_reload_marker(page: Page) -> None:
    """A flag in `window` that only a full page load would wipe."""
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page fully reloaded"


def names_in_results(page: Page):
    return page.locator("#people-results .person-name")


def assert_one_whole_page(page: Page) -> None:
    """A swap put a fragment in its place, not a page inside the page."""
    expect(page.locator("#people-results")).to_have_count(1)
    expect(page.get_by_role("heading", name="People", level=1)).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(1)


def test_department_filter_swaps_in_place_and_back_restores(page: Page, live_server, log_in):
    viewer = live_server.create_user(display_name="Vera Viewer", department="Engineering")
    live_server.create_user(display_name="Fay Ferris", department="Finance")
    live_server.create_user(display_name="Fred Fenwick", department="Finance")
    live_server.create_user(display_name="Dora Dale", department="Design")
    everyone = ["Dora Dale", "Fay Ferris", "Fred Fenwick", "Vera Viewer"]

    log_in(viewer)
    page.goto("/people/")
    expect(names_in_results(page)).to_have_text(everyone)
    set_reload_marker(page)
    department = page.get_by_label("Department")

    department.select_option("Finance")
    expect(page).to_have_url(re.compile(r"[?&]department=Finance(&|$)"))
    expect(names_in_results(page)).to_have_text(["Fay Ferris", "Fred Fenwick"])
    expect(page.locator("#people-results")).to_contain_text("2 people found")

    department.select_option("Design")
    expect(page).to_have_url(re.compile(r"[?&]department=Design(&|$)"))
    expect(names_in_results(page)).to_have_text(["Dora Dale"])
    assert_not_reloaded(page)
    assert_one_whole_page(page)

    # Back: htmx restores the previous results (and the select shows the matching choice)
    page.go_back()
    expect(page).to_have_url(re.compile(r"[?&]department=Finance(&|$)"))
    expect(names_in_results(page)).to_have_text(["Fay Ferris", "Fred Fenwick"])
    expect(page.get_by_label("Department")).to_have_value("Finance")
    assert_one_whole_page(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/people/$"))
    expect(names_in_results(page)).to_have_text(everyone)
    expect(page.get_by_label("Department")).to_have_value("")
    assert_one_whole_page(page)
    assert_not_reloaded(page)

    # And forward again
    page.go_forward()
    expect(page).to_have_url(re.compile(r"[?&]department=Finance(&|$)"))
    expect(names_in_results(page)).to_have_text(["Fay Ferris", "Fred Fenwick"])


def test_mark_as_read_swaps_the_item_and_updates_the_badge(page: Page, live_server, log_in):
    person = live_server.create_user(display_name="Nora Notified")
    first = live_server.create_notification(person, text="Ana answered your question")
    second = live_server.create_notification(person, text="Ben booked a seat")

    log_in(person)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    badge = page.locator("#notification-badge")
    expect(badge).to_have_text(re.compile(r"^\s*2\s+unread\s*$"))
    set_reload_marker(page)

    # The form's own hidden csrf_token field is removed first, so the POST can only pass
    # CSRF with the X-CSRFToken header htmx takes from hx-headers on <body>.
    item = page.locator(f"#notification-{first}")
    item.locator("input[name=csrf_token]").evaluate_all("inputs => inputs.forEach(i => i.remove())")
    token = json.loads(page.locator("body").get_attribute("hx-headers"))["X-CSRFToken"]
    with page.expect_request(
        lambda r: r.method == "POST" and f"/notifications/{first}/read" in r.url
    ) as posted:
        item.get_by_role("button", name="Mark as read").click()
    request = posted.value
    assert request.headers.get("hx-request") == "true"
    assert request.headers.get("x-csrftoken") == token
    assert "csrf_token" not in (request.post_data or "")

    item = page.locator(f"#notification-{first}")
    expect(item).to_contain_text("Ana answered your question")
    expect(item).not_to_have_class(re.compile(r"\bunread\b"))
    expect(item.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(page.locator(f"#notification-{second}")).to_have_class(re.compile(r"\bunread\b"))
    expect(badge).to_have_text(re.compile(r"^\s*1\s+unread\s*$"))
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    assert_not_reloaded(page)

    # CSRF really is enforced: the same POST without any token is refused.
    status = page.evaluate(
        "url => fetch(url, {method: 'POST', headers: {'HX-Request': 'true'}})"
        ".then(r => r.status)",
        f"/notifications/{second}/read?stay=1",
    )
    assert status == 400

    page.locator(f"#notification-{second}").get_by_role("button", name="Mark as read").click()
    expect(page.locator(f"#notification-{second}")).not_to_have_class(re.compile(r"\bunread\b"))
    expect(badge).to_have_class(re.compile(r"\bbadge-empty\b"))
    expect(badge).to_have_text("")
    assert_not_reloaded(page)

    # The server agrees: a fresh load shows nothing unread.
    page.reload()
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(page.locator("#notification-badge")).to_have_text("")
