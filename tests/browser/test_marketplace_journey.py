"""The marketplace from end to end, as two colleagues live it in a browser: Sam posts what he
wants to learn and can teach, finds a swap with Ana on his matches and requests it; Ana hears
of it, accepts; both log time, say it's a good fit, and once it's completed rate it — neither
sees the other's rating until both have rated. The hours land in Sam's time bank."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
from playwright.sync_api import Page, expect

from app.extensions import db
from app.offers import services as offer_services
from app.offers.models import LEARN, TEACH
from tests.browser.conftest import EXPECT_TIMEOUT_MS, BrowserLog, Person

pytestmark = pytest.mark.browser

MESSAGE = "Hi Ana! I'd love to swap: SQL for Python. Tuesdays after 3 work for me."


def post_offer(page: Page, *, kind: str, skill: str, level: str) -> None:
    """Post an offer through /offers/new, as a person would."""
    page.goto("/offers/new")
    expect(page.get_by_role("heading", name="Post an offer", level=1)).to_be_visible()
    page.get_by_label(f"{kind} this skill").check()
    page.get_by_role("combobox", name="Skill", exact=True).fill(skill)
    page.get_by_label("Level").select_option(level)
    page.get_by_role("button", name="Post offer").click()
    expect(page.get_by_text("Your offer is on the marketplace.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(skill)


def log_in_on(page: Page, person: Person) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome back, {person.display_name}.")).to_be_visible()


def status_badge(page: Page):
    return page.get_by_role("heading", level=1).locator(".badge-status")


def log_an_hour(page: Page, session: str, note: str) -> None:
    hours = page.locator("section#hours")
    hours.locator("summary", has_text="Log time").click()  # opens the <details>
    hours.get_by_label("What was taught").select_option(label=session)
    hours.get_by_role("textbox", name="Hours").fill("1")  # the label names the field itself
    hours.get_by_label("Note (optional)").fill(note)
    hours.get_by_role("button", name="Log time").click()
    expect(page.get_by_text("Logged 1 h.")).to_be_visible()


def answer_good_fit(page: Page) -> None:
    fit = page.locator("#fit-check")
    fit.get_by_label("Good fit").check()
    fit.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Great — glad it's working.")).to_be_visible()
    expect(page.locator("#fit-check")).to_contain_text("You said: Good fit.")


def rate(page: Page, stars: int, comment: str) -> None:
    ratings = page.locator("#ratings")
    ratings.get_by_label(re.compile(rf"^{stars} – ")).check()
    ratings.get_by_label("Comment (optional)").fill(comment)
    ratings.get_by_role("button", name="Send rating").click()
    expect(page.get_by_text("Thank you for rating the exchange.")).to_be_visible()
    expect(page.locator("#ratings")).to_contain_text(f"You rated it {stars} out of 5.")


@pytest.fixture
def other_page(browser, live_server) -> Iterator[tuple[Page, BrowserLog]]:
    """A second person's own browser context (cookies of their own), watched like `page`."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    log = BrowserLog(origin=live_server.url)
    log.watch(context)
    try:
        yield context.new_page(), log
    finally:
        context.close()
    problems = log.problems()
    if problems:
        pytest.fail("the second browser reported:\n  " + "\n  ".join(problems), pytrace=False)


def test_two_colleagues_swap_sql_for_python_from_match_to_ratings(
    page: Page, other_page, live_server, log_in: Callable[..., None]
):
    from app.accounts.models import User

    sam = live_server.create_user(display_name="Sam Okafor", handle="sam",
                                  email="sam@example.com", department="Finance",
                                  open_to_swaps=True)
    ana = live_server.create_user(display_name="Ana Lima", handle="ana",
                                  email="ana@example.com", department="Design",
                                  open_to_swaps=True)
    with live_server.app.app_context():
        ana_user = db.session.get(User, ana.id)
        offer_services.create_offer(ana_user, kind=TEACH, skill_name="SQL", level="advanced",
                                    formats=["one_to_one"], capacity="2",
                                    availability="Tuesday afternoons")
        offer_services.create_offer(ana_user, kind=LEARN, skill_name="Python",
                                    level="beginner", formats=["one_to_one"])
        db.session.commit()

    # Sam says what he wants and what he can teach.
    log_in(sam)
    post_offer(page, kind="learn", skill="SQL", level="beginner")
    post_offer(page, kind="teach", skill="Python", level="advanced")

    # His matches show the swap with Ana, and why.
    page.goto("/matches/")
    expect(page.get_by_role("heading", name="My matches", level=1)).to_be_visible()
    swaps = page.locator("section[aria-labelledby=swaps-heading] .match")
    expect(swaps).to_have_count(1)
    swap = swaps.first
    expect(swap.get_by_role("heading", level=3)).to_have_text(
        re.compile(r"Swap\s+with Ana Lima: learn SQL, teach Python"))
    reasons = swap.locator(".match-reasons")
    expect(reasons).to_contain_text("You want to learn SQL and are a beginner; Ana Lima "
                                    "teaches it up to advanced.")
    expect(reasons).to_contain_text("Ana Lima wants to learn Python and is a beginner")

    # He requests it, with a message.
    swap.get_by_role("link", name="Request this exchange").click()
    expect(page.get_by_role("heading", name="Request a swap", level=1)).to_be_visible()
    proposal = page.locator("section[aria-labelledby=proposal-heading]")
    expect(proposal).to_contain_text("Ana Lima teaches you SQL")
    expect(proposal).to_contain_text("You teach Ana Lima Python")
    page.get_by_label("Message (optional)").fill(MESSAGE)
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Request sent. It starts when Ana Lima accepts.")).to_be_visible()
    expect(status_badge(page)).to_have_text("Requested")
    exchange_url = page.url
    page.goto("/exchanges/")
    expect(page.locator("section[aria-labelledby=pending-heading]")).to_contain_text(
        "SQL and Python with Ana Lima")

    # Ana, in her own browser, sees the request: in her exchanges and her notifications.
    ana_page, _ = other_page
    log_in_on(ana_page, ana)
    ana_page.goto("/exchanges/")
    waiting = ana_page.locator("section[aria-labelledby=waiting-heading]")
    expect(waiting).to_contain_text("SQL and Python with Sam Okafor")
    expect(ana_page.locator("#notification-badge")).to_contain_text("1")
    ana_page.goto("/notifications/")
    note = ana_page.locator(".notification").filter(has_text="Sam Okafor asked you for an "
                                                             "exchange")
    expect(note).to_contain_text("you teach SQL and learn Python. Accept or decline it.")
    # Marking it read is done in place (htmx): no reload, and the badge follows.
    ana_page.evaluate("window.__marker = 1")
    note.get_by_role("button", name="Mark as read").click()
    expect(note.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(ana_page.locator("#notification-badge")).to_have_class(re.compile(r"badge-empty"))
    assert ana_page.evaluate("window.__marker") == 1, "the page fully reloaded"
    note.get_by_role("button", name="Open").click()
    expect(ana_page).to_have_url(exchange_url)
    expect(ana_page.get_by_text("Sam Okafor is waiting for your answer.")).to_be_visible()
    expect(ana_page.locator("section[aria-labelledby=message-heading]")).to_contain_text(
        MESSAGE)
    ana_page.get_by_role("button", name="Accept").click()
    expect(ana_page.get_by_text("Accepted: the exchange is active.")).to_be_visible()
    expect(status_badge(ana_page)).to_have_text("Active")

    # Both log an hour; then the fit check is open, and both say it's a good fit.
    log_an_hour(ana_page, "You teach Sam Okafor SQL", "JOINs and GROUP BY")
    page.goto(exchange_url)
    expect(status_badge(page)).to_have_text("Active")
    log_an_hour(page, "You teach Ana Lima Python", "Lists and loops")
    expect(page.locator("section#hours")).to_contain_text("Total: 2 h")
    answer_good_fit(page)
    ana_page.reload()
    answer_good_fit(ana_page)

    # Sam marks it completed.
    page.reload()
    page.get_by_role("button", name="Mark as completed").click()
    expect(page.get_by_text("The exchange is completed. Rate it below")).to_be_visible()
    expect(status_badge(page)).to_have_text("Completed")

    # Double-blind: Sam rates first and cannot see Ana's rating yet.
    rate(page, 5, "Ana explains JOINs brilliantly.")
    sam_ratings = page.locator("#ratings")
    expect(sam_ratings).to_contain_text("You'll see Ana Lima's rating once they've rated too")
    expect(sam_ratings).not_to_contain_text("Ana Lima rated it")

    ana_page.reload()
    expect(status_badge(ana_page)).to_have_text("Completed")
    ana_ratings = ana_page.locator("#ratings")
    expect(ana_ratings).to_contain_text("You'll see Sam Okafor's rating once everyone has rated")
    expect(ana_ratings).not_to_contain_text("Ana explains JOINs")
    rate(ana_page, 4, "Sam is a patient Python teacher.")

    # Now both see both.
    expect(ana_ratings).to_contain_text("Sam Okafor rated it 5 out of 5. "
                                        "“Ana explains JOINs brilliantly.”")
    page.reload()
    expect(sam_ratings).to_contain_text("You rated it 5 out of 5.")
    expect(sam_ratings).to_contain_text("Ana Lima rated it 4 out of 5. "
                                        "“Sam is a patient Python teacher.”")

    # Sam's time bank: one hour taught, one learned, one completed exchange.
    page.goto("/people/sam")
    ledger = page.locator("section[aria-labelledby=ledger-heading]")
    expect(ledger.get_by_role("heading", name="Time bank")).to_be_visible()
    expect(ledger.locator("dt", has_text="Hours taught").locator("xpath=../dd")).to_have_text(
        "1")
    expect(ledger.locator("dt", has_text="Hours learned").locator("xpath=../dd")).to_have_text(
        "1")
    expect(ledger.locator("dt", has_text="Completed exchanges").locator(
        "xpath=../dd")).to_have_text("1")
