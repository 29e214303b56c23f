"""Events from end to end, as colleagues live them in a browser.

Hana hosts a lunch-and-learn on SQL with two seats. Ben books in place (htmx), Cleo books
without JavaScript, Dev joins the waitlist. Ben cancels; the freed seat is held for Dev, who
claims it in place. The page's .ics download is a calendar file with the event's UID and
title. After the event Hana checks people in and shares her slides; attendees rate it — Hana
sees nothing of the ratings until three people have rated, then the average and comments.

A second journey: someone who attended a workshop is invited to teach it back, and the form
for that comes pre-filled.

Every person has their own browser context; all of them must finish without console errors,
script errors, CSP violations or any 5xx answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
from icalendar import Calendar
from playwright.sync_api import Locator, Page, expect

from app.core.db import utcnow
from app.extensions import db
from tests.browser.conftest import EXPECT_TIMEOUT_MS, BrowserLog, LiveServer, Person

pytestmark = pytest.mark.browser

TITLE = "SQL window functions over lunch"
SKILL = "SQL"
ZONE = "Europe/London"
EVENT_URL = re.compile(r"/events/(\d+)$")


# -- People, each in their own browser ------------------------------------------------------


@pytest.fixture
def browser_for(browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """`browser_for(javascript=True)`: a page in a fresh browser context (its own cookies),
    watched like the `page` fixture — and failing on any console error too."""
    opened: list[tuple[object, BrowserLog]] = []

    def open_page(*, javascript: bool = True) -> Page:
        context = browser.new_context(base_url=live_server.url,
                                      java_script_enabled=javascript)
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        log = BrowserLog(origin=live_server.url)
        log.watch(context)
        opened.append((context, log))
        return context.new_page()

    yield open_page
    problems = []
    for context, log in opened:
        context.close()
        problems += log.problems()
        # problems() covers 5xx answers (every response is watched), script errors and CSP
        # violations; here any other console error fails the journey too.
        other = [m for m in log.console_errors if m not in log.csp_violations()]
        if other:
            problems.append("console errors:\n    " + "\n    ".join(other))
    if problems:
        pytest.fail("the browsers reported:\n  " + "\n  ".join(problems), pytrace=False)


def log_in_on(page: Page, person: Person) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome back, {person.display_name}.")).to_be_visible()


def set_reload_marker(page: Page) -> None:
    """A flag in `window` that only a full page load would wipe."""
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page: Page, url: str) -> None:
    assert page.evaluate("window.__marker") == 1, "the page fully reloaded"
    assert page.url == url, f"the address changed to {page.url}"


def panel(page: Page) -> Locator:
    return page.locator("#booking-panel")


def followup(page: Page) -> Locator:
    return page.locator("#followup")


def local_start(days: int, hour: int = 12, minute: int = 30) -> str:
    """A datetime-local value `days` from today, in the event's zone."""
    day = datetime.now(ZoneInfo(ZONE)) + timedelta(days=days)
    return day.replace(hour=hour, minute=minute).strftime("%Y-%m-%dT%H:%M")


def move_into_the_past(live_server: LiveServer, event_id: int) -> None:
    """The event started two hours ago and ended an hour ago (written to the database: the
    app rightly refuses to schedule or move an event into the past)."""
    from app.events.models import Event

    with live_server.app.app_context():
        event = db.session.get(Event, event_id)
        event.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=2)
        event.ends_at = event.starts_at + timedelta(minutes=event.duration_minutes)
        assert event.ends_at < utcnow()
        db.session.commit()


def rate(page: Page, stars: str, comment: str) -> None:
    """Rate the event from its page: with htmx the feedback section swaps in place (its
    message inside it); without JavaScript the form posts and the page comes back."""
    feedback = page.locator("#feedback")
    feedback.get_by_label(stars).check()
    feedback.get_by_label("Comment (optional)").fill(comment)
    feedback.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    number = stars.split(" ")[0]
    expect(page.locator("#feedback")).to_contain_text(
        f"You rated this event {number} out of 5. “{comment}” Thank you.")


# -- The lunch-and-learn --------------------------------------------------------------------


def test_lunch_and_learn_from_hosting_through_waitlist_to_feedback(
    browser_for, live_server: LiveServer
):
    from app.accounts.models import User
    from app.events.booking import change_capacity
    from app.events.models import Event
    from tests.events.factories import book

    hana = live_server.create_user(display_name="Hana Host", handle="hana",
                                   email="hana@example.com", timezone=ZONE)
    ben = live_server.create_user(display_name="Ben Booker", handle="ben",
                                  email="ben@example.com", timezone=ZONE)
    cleo = live_server.create_user(display_name="Cleo Plain", handle="cleo",
                                   email="cleo@example.com", timezone=ZONE)
    dev = live_server.create_user(display_name="Dev Waiting", handle="dev",
                                  email="dev@example.com", timezone=ZONE)

    # 1. Hana hosts a lunch-and-learn from the Events page.
    host = browser_for()
    log_in_on(host, hana)
    host.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    expect(host.get_by_role("heading", name="Events", level=1)).to_be_visible()
    host.get_by_role("link", name="Host an event").click()
    expect(host.get_by_role("heading", name="Host an event", level=1)).to_be_visible()
    host.get_by_label("Lunch-and-learn").check()
    host.get_by_label("Title").fill(TITLE)
    host.get_by_label("Skills").fill(SKILL)
    host.get_by_label("Description").fill("Bring your lunch and a query that **hurts**.")
    host.get_by_label("Starts").fill(local_start(days=4))
    host.get_by_label("Duration in minutes").fill("45")
    host.get_by_label("Time zone").fill(ZONE)
    host.get_by_label("Place").fill("Kitchen, 3rd floor")
    host.get_by_label("Seats").fill("2")
    host.get_by_role("button", name="Schedule the event").click()

    expect(host.get_by_text("Your event is scheduled.")).to_be_visible()
    expect(host).to_have_url(EVENT_URL)
    event_url = host.url
    event_id = int(EVENT_URL.search(event_url).group(1))
    heading = host.get_by_role("heading", level=1)
    expect(heading).to_contain_text(TITLE)
    expect(heading).to_contain_text("Lunch-and-learn")
    expect(host.locator(".event-facts")).to_contain_text("Kitchen, 3rd floor")
    expect(host.locator(".event-facts").get_by_role("link", name=SKILL)).to_be_visible()
    expect(host.locator(".prose strong")).to_have_text("hurts")
    expect(panel(host)).to_contain_text("2 of 2 seats left")
    expect(panel(host)).to_contain_text("You're hosting this event.")

    # 2a. Ben books with htmx: the panel changes in place, the address stays.
    ben_page = browser_for()
    log_in_on(ben_page, ben)
    ben_page.goto(event_url)
    expect(panel(ben_page)).to_contain_text("2 of 2 seats left")
    set_reload_marker(ben_page)
    panel(ben_page).get_by_role("button", name="Book a seat").click()
    expect(panel(ben_page).get_by_role("status")).to_have_text("You're booked. See you there!")
    expect(panel(ben_page)).to_contain_text("1 of 2 seats left")
    expect(panel(ben_page).get_by_role("button", name="Cancel booking")).to_be_visible()
    expect(panel(ben_page).get_by_role("button", name="Book a seat")).to_have_count(0)
    assert_not_reloaded(ben_page, event_url)
    expect(ben_page.locator("#booking-panel")).to_have_count(1)  # the panel, not a page in it

    # 2b. Cleo books without JavaScript: a plain form post, a redirect and a message.
    cleo_page = browser_for(javascript=False)
    log_in_on(cleo_page, cleo)
    cleo_page.goto(event_url)
    panel(cleo_page).get_by_role("button", name="Book a seat").click()
    expect(cleo_page.get_by_text("You're booked. See you there!")).to_be_visible()
    expect(cleo_page).to_have_url(event_url)
    expect(panel(cleo_page)).to_contain_text("Full: all 2 seats taken")
    expect(panel(cleo_page)).to_contain_text("You're booked.")

    # 2c. Dev finds it full and joins the waitlist (in place): number 1.
    dev_page = browser_for()
    log_in_on(dev_page, dev)
    dev_page.goto(event_url)
    expect(panel(dev_page)).to_contain_text("The event is full. Join the waitlist")
    set_reload_marker(dev_page)
    panel(dev_page).get_by_role("button", name="Join waitlist").click()
    expect(panel(dev_page)).to_contain_text("You're number 1 on the waitlist.")
    expect(panel(dev_page).get_by_role("status")).to_contain_text(
        "The event is full, so you're on the waitlist: number 1.")
    expect(panel(dev_page)).to_contain_text("Full: all 2 seats taken · 1 on the waitlist")
    expect(panel(dev_page).get_by_role("button", name="Leave waitlist")).to_be_visible()
    assert_not_reloaded(dev_page, event_url)

    host.reload()
    expect(panel(host)).to_contain_text("Full: all 2 seats taken · 1 on the waitlist")
    attendees = host.locator("section[aria-labelledby=attendees-heading]")
    expect(attendees.get_by_role("link")).to_have_text(["Ben Booker", "Cleo Plain"])

    # 3. Ben cancels (in place); the seat is held for Dev, who claims it (in place).
    panel(ben_page).get_by_role("button", name="Cancel booking").click()
    expect(panel(ben_page).get_by_role("status")).to_have_text(
        "Your booking is cancelled; the seat goes to the next person waiting.")
    expect(panel(ben_page).get_by_role("button", name="Cancel booking")).to_have_count(0)
    assert_not_reloaded(ben_page, event_url)

    dev_page.reload()
    expect(panel(dev_page)).to_contain_text("A seat freed up and is held for you")
    expect(panel(dev_page).get_by_role("button", name="No thanks, let it go")).to_be_visible()
    set_reload_marker(dev_page)
    panel(dev_page).get_by_role("button", name="Claim your seat").click()
    expect(panel(dev_page).get_by_role("status")).to_have_text(
        "The seat is yours: you're booked. See you there!")
    expect(panel(dev_page)).to_contain_text("You're booked.")
    expect(panel(dev_page).get_by_role("button", name="Claim your seat")).to_have_count(0)
    expect(panel(dev_page).get_by_role("button", name="Cancel booking")).to_be_visible()
    assert_not_reloaded(dev_page, event_url)

    host.reload()
    expect(panel(host)).to_contain_text("Full: all 2 seats taken")
    expect(panel(host)).not_to_contain_text("on the waitlist")
    expect(attendees.get_by_role("link")).to_have_text(["Cleo Plain", "Dev Waiting"])

    # 4. The .ics download is a calendar file with this event in it.
    with live_server.app.app_context():
        uid = db.session.get(Event, event_id).uid
    with dev_page.expect_download() as download_info:
        dev_page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(download.path().read_bytes())
    vevents = [c for c in calendar.walk("VEVENT")]
    assert len(vevents) == 1
    assert str(vevents[0]["UID"]) == uid
    assert str(vevents[0]["SUMMARY"]) == TITLE
    assert "Kitchen, 3rd floor" in str(vevents[0]["LOCATION"])

    # 5. After the event. A late colleague (Eve) got a third seat Hana added; then the event
    # is over.
    eve = live_server.create_user(display_name="Eve Extra", handle="eve",
                                  email="eve@example.com", timezone=ZONE)
    with live_server.app.app_context():
        event = db.session.get(Event, event_id)
        change_capacity(event, 3)
        book(event, db.session.get(User, eve.id))
        assert event.seats_taken == 3
    move_into_the_past(live_server, event_id)

    # Hana checks in who came (Cleo and Dev; Eve didn't show) and shares her slides.
    host.reload()
    expect(panel(host)).to_contain_text("This event has ended.")
    attendance = host.locator("#attendance")
    expect(attendance).to_contain_text("0 of 3 checked in")
    attendance.get_by_label("Cleo Plain").check()
    attendance.get_by_label("Dev Waiting").check()
    set_reload_marker(host)
    attendance.get_by_role("button", name="Save attendance").click()
    expect(followup(host).get_by_text("Attendance saved: 2 people checked in.")).to_be_visible()
    expect(host.locator("#attendance")).to_contain_text("2 of 3 checked in")
    expect(host.locator("#attendance").get_by_label("Cleo Plain")).to_be_checked()
    expect(host.locator("#attendance").get_by_label("Dev Waiting")).to_be_checked()
    expect(host.locator("#attendance").get_by_label("Eve Extra")).not_to_be_checked()
    assert_not_reloaded(host, event_url)

    materials = host.locator("#materials")
    materials.get_by_text("Add a material").click()  # opens the <details>
    materials.get_by_label("Title").fill("Slides")
    materials.get_by_label("Link").fill("https://slides.example.com/sql-windows")
    materials.get_by_role("button", name="Add material").click()
    expect(followup(host).get_by_text("Material added.")).to_be_visible()
    expect(host.locator("#materials").get_by_role("link", name="Slides")).to_have_attribute(
        "href", "https://slides.example.com/sql-windows")
    assert_not_reloaded(host, event_url)
    host.reload()
    expect(host.locator("#attendance")).to_contain_text("2 of 3 checked in")  # it was saved
    expect(host.locator("#feedback")).to_contain_text(
        "Feedback appears once 3 people have rated, to keep it anonymous.")

    # Attendees find the slides and rate the event; a lunch-and-learn asks no teach-back.
    cleo_page.reload()  # without JavaScript: the feedback form posts and redirects
    expect(cleo_page.locator("#materials").get_by_role("link", name="Slides")).to_be_visible()
    expect(panel(cleo_page)).to_contain_text("This event has ended.")
    expect(cleo_page.get_by_role("link", name="Host a teach-back")).to_have_count(0)
    rate(cleo_page, "5 – Excellent", "Clear, practical, and short.")

    dev_page.reload()
    expect(dev_page.get_by_role("link", name="Host a teach-back")).to_have_count(0)
    set_reload_marker(dev_page)
    rate(dev_page, "4 – Good", "I finally get PARTITION BY.")
    assert_not_reloaded(dev_page, event_url)

    # Ben cancelled, so he has nothing to rate.
    ben_page.reload()
    expect(ben_page.locator("#feedback")).to_have_count(0)
    expect(ben_page.get_by_role("button", name="Send feedback")).to_have_count(0)

    # Two ratings: the host still sees neither the average nor the comments.
    host.reload()
    feedback = host.locator("#feedback")
    expect(feedback).to_contain_text(
        "Feedback appears once 3 people have rated, to keep it anonymous.")
    expect(feedback).not_to_contain_text("Average rating")
    expect(feedback).not_to_contain_text("PARTITION BY")

    # A third rating, and the host sees the average (5 + 4 + 3) / 3 and the comments.
    eve_page = browser_for()
    log_in_on(eve_page, eve)
    eve_page.goto(event_url)
    rate(eve_page, "3 – OK", "Too short for me.")

    host.reload()
    expect(feedback).to_contain_text("Average rating 4.0 out of 5 from 3 people.")
    expect(feedback.locator("blockquote")).to_have_text(
        ["Clear, practical, and short.", "I finally get PARTITION BY.", "Too short for me."])
    expect(feedback).not_to_contain_text("Feedback appears once")
    expect(feedback).not_to_contain_text("Cleo")  # anonymous


# -- The teach-back invitation after a workshop ---------------------------------------------


def test_workshop_attendee_is_invited_to_host_a_prefilled_teach_back(
    browser_for, live_server: LiveServer
):
    from app.accounts.models import User
    from app.events.models import WORKSHOP
    from tests.events.factories import book, make_event
    from tests.offers.factories import make_skill

    wren = live_server.create_user(display_name="Wren Workshop", handle="wren",
                                   email="wren@example.com", timezone=ZONE)
    tom = live_server.create_user(display_name="Tom Learner", handle="tom",
                                  email="tom@example.com", timezone=ZONE)
    with live_server.app.app_context():
        workshop = make_event(db.session.get(User, wren.id), kind=WORKSHOP,
                              title="Docker from scratch", skills=[make_skill("Docker")],
                              starts_in=timedelta(days=2), capacity=5)
        book(workshop, db.session.get(User, tom.id))
        workshop_id = workshop.id
    move_into_the_past(live_server, workshop_id)
    workshop_url = f"{live_server.url}/events/{workshop_id}"

    page = browser_for()
    log_in_on(page, tom)
    page.goto(workshop_url)
    invitation = page.locator("#teach-back")
    expect(invitation.get_by_role("heading", name="Teach it back")).to_be_visible()
    expect(invitation).to_contain_text("host a short teach-back on Docker")
    invitation.get_by_role("link", name="Host a teach-back").click()

    expect(page.get_by_role("heading", name="Host a teach-back", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/events/new\?teach_back_of={workshop_id}$"))
    expect(page.get_by_label("Teach-back")).to_be_checked()
    expect(page.get_by_label("Skills")).to_have_value("Docker")
    expect(page.get_by_label("Title")).to_have_value("Teach-back: Docker from scratch")
    expect(page.get_by_label("Time zone")).to_have_value(ZONE)
    expect(page.locator(".lead").get_by_role("link", name="Docker from scratch")).to_be_visible()

    # Scheduling it links the two; the invitation becomes a pointer to Tom's teach-back.
    page.get_by_label("Starts").fill(local_start(days=9, hour=16, minute=0))
    page.get_by_label("Place").fill("Room 4")
    page.get_by_role("button", name="Schedule the event").click()
    expect(page.get_by_text("Your event is scheduled.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Teach-back")
    facts = page.locator(".event-facts")
    expect(facts.get_by_role("link", name="Docker", exact=True)).to_be_visible()
    facts.get_by_role("link", name="Docker from scratch").click()
    expect(page).to_have_url(workshop_url)
    expect(page.locator("#teach-back")).to_contain_text(
        "You're hosting a teach-back of this workshop: Teach-back: Docker from scratch.")
    expect(page.get_by_role("link", name="Host a teach-back")).to_have_count(0)
