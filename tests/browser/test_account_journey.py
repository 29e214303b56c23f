"""A newcomer's first visit, done the way a person does it: by the labels they can see."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

NAME = "Ada Lovelace"
EMAIL = "ada.lovelace@example.com"
PASSWORD = "copper lantern orbit 1843"


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def set_reload_marker(page: Page) -> None:
    """A flag in `window` that only a full page load would wipe."""
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page fully reloaded"


def test_register_edit_profile_find_yourself_and_log_out(page: Page, live_server):
    colleague = live_server.create_user(display_name="Grace Hopper", department="Research")

    # Register
    page.goto("/register")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Work email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(re.compile(r"/settings$"))
    expect(page.get_by_role("status")).to_contain_text(f"Welcome to Skillswap, {NAME}!")

    # Log out from the navigation
    main_nav(page).get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("You're logged out")

    # Log in again, remembered on this device
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Remember me").check()
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome back, {NAME}.")
    cookies = {c["name"] for c in page.context.cookies()}
    assert "remember_token" in cookies, cookies

    # Edit the profile
    main_nav(page).get_by_role("link", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/settings$"))
    page.get_by_label("Display name").fill("Ada L.")
    page.get_by_label("Handle").fill("ada")
    page.get_by_label("Job title").fill("Analyst")
    page.get_by_label("Department").fill("Mathematics")
    page.get_by_label("Location").fill("London")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("About you").fill(
        "I write notes on the **Analytical Engine**.\n\nAsk me about loops."
    )
    page.get_by_label("Peer skill swaps").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page).to_have_url(re.compile(r"/settings$"))
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    expect(main_nav(page).get_by_role("link", name="@ada")).to_be_visible()

    # Find yourself in the directory: htmx filters in place and pushes the URL
    main_nav(page).get_by_role("link", name="People").click()
    expect(page).to_have_url(re.compile(r"/people/$"))
    results = page.locator("#people-results")
    expect(results.get_by_role("link", name=colleague.display_name)).to_be_visible()
    set_reload_marker(page)
    page.get_by_label("Name, handle or job title").press_sequentially("Ada L")
    expect(page).to_have_url(re.compile(r"/people/\?(.*&)?q=Ada(%20|\+)L(&|$)"))
    expect(results.get_by_role("link", name="Ada L.")).to_be_visible()
    expect(results.get_by_role("link", name=colleague.display_name)).to_have_count(0)
    expect(results).to_contain_text("1 person found")
    assert_not_reloaded(page)

    # Open the profile: Markdown rendered, the "open to" tag shown
    results.get_by_role("link", name="Ada L.").click()
    expect(page).to_have_url(re.compile(r"/people/ada$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada L.")
    expect(page.locator(".prose strong")).to_have_text("Analytical Engine")
    expect(page.locator(".prose")).not_to_contain_text("**")
    expect(page.locator(".tags .tag")).to_have_text(["Peer skill swaps"])
    expect(page.locator(".profile")).to_contain_text("Analyst")
    expect(page.locator(".profile")).to_contain_text("Europe/Berlin")

    # Log out: even with the remember-me cookie, the directory needs a login again
    main_nav(page).get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/people/")
    expect(page).to_have_url(re.compile(r"/login\?next=(%2F|/)people(%2F|/)$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_weak_password_is_explained_next_to_the_field_and_input_kept(page: Page):
    page.goto("/register")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Work email").fill(EMAIL)
    page.get_by_label("Password").fill("password12")
    page.get_by_role("button", name="Create my account").click()

    expect(page).to_have_url(re.compile(r"/register$"))
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description(
        re.compile(r"Choose a longer or less common password\.")
    )
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator(".field.has-error .error")).to_contain_text(
        "Choose a longer or less common password."
    )
    expect(page.get_by_label("Full name")).to_have_value(NAME)
    expect(page.get_by_label("Work email")).to_have_value(EMAIL)
    expect(password).to_have_value("")  # a password is never sent back to the page
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")) \
        .to_be_visible()
