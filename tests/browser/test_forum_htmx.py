"""What only a browser shows in the forum: votes and follows swap in place, an answer posted
through the form shows up, a draft answer survives a reload."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
from playwright.sync_api import Page, expect

from app.extensions import db
from app.forum import services
from app.search.outbox import drain_all

pytestmark = pytest.mark.browser

TITLE = "How do I keep a Flask session alive across deploys?"
UP = re.compile(r"^Vote up")
DOWN = re.compile(r"^Vote down")
SETTLE_MS = 100  # htmx settles a swap after 20 ms


def ask_as(live_server, person, *, title: str = TITLE, tags: str = "flask, sessions") -> int:
    """A committed question asked by `person` through the forum service; its id."""
    from app.accounts.models import User

    with live_server.app.app_context():
        question = services.ask_question(db.session.get(User, person.id), title=title,
                                         body="We deploy twice a day and everyone is logged "
                                              "out each time. What should I look at?",
                                         tags=tags)
        db.session.commit()
        drain_all()
        return question.id


def vote_count(live_server, question_id: int) -> tuple[int, int]:
    """(score, number of vote rows) as the database has them."""
    from app.forum.models import Question, Vote

    with live_server.app.app_context():
        score = db.session.get(Question, question_id).score
        rows = db.session.scalar(db.select(db.func.count()).select_from(Vote)
                                 .where(Vote.question_id == question_id))
        return score, rows


def set_reload_marker(page: Page) -> None:
    """A flag in `window` that only a full page load would wipe."""
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page fully reloaded"


def vote_widget(page: Page, question_id: int):
    return page.locator(f"#vote-question-{question_id}")


def expect_vote(page: Page, question_id: int, score: int, *, up: bool, down: bool) -> None:
    widget = vote_widget(page, question_id)
    expect(widget).to_have_count(1)
    expect(widget.get_by_label("Score")).to_have_text(str(score))
    expect(widget.get_by_role("button", name=UP)).to_have_attribute(
        "aria-pressed", "true" if up else "false")
    expect(widget.get_by_role("button", name=DOWN)).to_have_attribute(
        "aria-pressed", "true" if down else "false")


@pytest.fixture
def question(live_server):
    asker = live_server.create_user(display_name="Asha Asker")
    return ask_as(live_server, asker)


@pytest.fixture
def reader(live_server, log_in):
    person = live_server.create_user(display_name="Rui Reader")
    log_in(person)
    return person


def test_voting_swaps_the_widget_in_place_and_a_second_click_withdraws(
    page: Page, live_server, question, reader
):
    page.goto(f"/questions/{question}")
    address = page.url
    expect_vote(page, question, 0, up=False, down=False)
    set_reload_marker(page)
    widget = vote_widget(page, question)

    with page.expect_response(lambda r: r.request.method == "POST") as voted:
        widget.get_by_role("button", name=UP).click()
    assert voted.value.request.headers.get("hx-request") == "true"
    expect_vote(page, question, 1, up=True, down=False)
    expect(widget.get_by_role("button", name=UP)).to_have_accessible_name(
        "Vote up (click again to withdraw)")
    assert page.url == address, "voting must not navigate"
    assert_not_reloaded(page)

    widget.get_by_role("button", name=DOWN).click()
    expect_vote(page, question, -1, up=False, down=True)
    widget.get_by_role("button", name=DOWN).click()
    expect_vote(page, question, 0, up=False, down=False)
    widget.get_by_role("button", name=UP).click()
    expect_vote(page, question, 1, up=True, down=False)
    widget.get_by_role("button", name=UP).click()  # the same vote again withdraws it
    expect_vote(page, question, 0, up=False, down=False)
    assert_not_reloaded(page)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)  # no page inside the page

    page.reload()  # the server agrees
    expect_vote(page, question, 0, up=False, down=False)
    assert vote_count(live_server, question) == (0, 0)


def double_click(page: Page, button, *, second_after_swap: bool) -> None:
    """A person's double click: two clicks, the second with click count 2. Either both land
    before the server answers, or the second lands on the widget the first one brought back:
    an ordinary double click leaves 100–300 ms between the clicks, and a nearby server
    answers well within that."""
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if not second_after_swap:
        page.mouse.dblclick(x, y)
        return
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.mouse.click(x, y, click_count=1)
    expect(button).to_have_attribute("aria-pressed", "true")  # the new widget is in place
    page.wait_for_timeout(SETTLE_MS)  # and htmx has taken it over
    # One press and release carrying click count 2 (`mouse.click(click_count=2)` would send
    # a click of count 1 first, which is a third click, not the second).
    page.mouse.down(click_count=2)
    page.mouse.up(click_count=2)


@pytest.mark.parametrize("second_after_swap", [False, True],
                         ids=["both-clicks-before-the-answer", "second-click-after-the-swap"])
def test_a_double_click_on_up_counts_one_vote(page: Page, live_server, question, reader,
                                               second_after_swap):
    page.goto(f"/questions/{question}")
    set_reload_marker(page)
    posts = []
    page.on("request", lambda r: posts.append(r.post_data) if r.method == "POST" else None)

    double_click(page, vote_widget(page, question).get_by_role("button", name=UP),
                 second_after_swap=second_after_swap)
    page.wait_for_load_state("networkidle")
    expect_vote(page, question, 1, up=True, down=False)
    assert_not_reloaded(page)
    assert 1 <= len(posts) <= 2, posts

    page.reload()
    expect_vote(page, question, 1, up=True, down=False)
    assert vote_count(live_server, question) == (1, 1)


@pytest.mark.parametrize("context_options", [{"java_script_enabled": False}], ids=["no-js"])
def test_a_double_click_without_javascript_counts_one_vote(page: Page, live_server, question,
                                                            reader):
    """Without JavaScript each click posts the form; the second post still carries the vote
    the page showed (none), so it changes nothing."""
    page.goto(f"/questions/{question}")
    vote_widget(page, question).get_by_role("button", name=UP).click(click_count=2, delay=30)
    expect(page).to_have_url(re.compile(rf"/questions/{question}/[\w-]+#question-{question}$"))
    expect_vote(page, question, 1, up=True, down=False)
    assert vote_count(live_server, question) == (1, 1)


def test_a_click_on_a_page_that_is_out_of_date_changes_nothing(
    page: Page, live_server, question, reader
):
    """Two tabs show the question unvoted; voting up in both (as a repeated click from a
    stale page would) counts the vote once, and the second tab then shows the real state."""
    other = page.context.new_page()
    for tab in (page, other):
        tab.goto(f"/questions/{question}")
        expect_vote(tab, question, 0, up=False, down=False)

    vote_widget(page, question).get_by_role("button", name=UP).click()
    expect_vote(page, question, 1, up=True, down=False)
    set_reload_marker(other)
    with other.expect_response(lambda r: r.request.method == "POST") as voted:
        vote_widget(other, question).get_by_role("button", name=UP).click()
    assert voted.value.ok
    expect_vote(other, question, 1, up=True, down=False)
    assert_not_reloaded(other)
    assert vote_count(live_server, question) == (1, 1)
    other.close()


def test_follow_button_toggles_in_place(page: Page, live_server, question, reader):
    page.goto(f"/questions/{question}")
    set_reload_marker(page)
    follow = page.locator("header .follow-form").get_by_role("button")
    expect(follow).to_have_text("Follow this question")
    expect(follow).to_have_attribute("aria-pressed", "false")

    follow.click()
    expect(follow).to_have_text("Following ✓")
    expect(follow).to_have_attribute("aria-pressed", "true")
    follow.click()
    expect(follow).to_have_text("Follow this question")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    expect(follow).to_have_attribute("aria-pressed", "true")
    assert_not_reloaded(page)
    expect(page.locator(".follow-form")).to_have_count(1)

    page.reload()
    expect(page.locator("header .follow-form").get_by_role("button")).to_have_attribute(
        "aria-pressed", "true")

    # The same button on a tag's page
    page.goto("/tags/flask")
    set_reload_marker(page)
    follow = page.locator(".follow-form").get_by_role("button")
    expect(follow).to_have_text("Follow this tag")
    follow.click()
    expect(follow).to_have_text("Following ✓")
    expect(follow).to_have_attribute("aria-pressed", "true")
    assert_not_reloaded(page)
    page.reload()
    expect(page.locator(".follow-form").get_by_role("button")).to_have_attribute(
        "aria-pressed", "true")


def answer_box(page: Page):
    return page.get_by_role("textbox", name="Your answer")


def test_an_answer_posted_through_the_form_shows_on_the_page(
    page: Page, live_server, question, reader
):
    page.goto(f"/questions/{question}")
    expect(page.get_by_role("heading", name="0 answers")).to_be_visible()
    answer_box(page).fill("Set a fixed `SECRET_KEY`.\n\nA new key at each deploy logs "
                          "everyone out.")
    page.get_by_role("button", name="Post your answer").click()

    expect(page.get_by_role("status")).to_contain_text("Your answer is posted.")
    expect(page).to_have_url(re.compile(rf"/questions/{question}/[\w-]+#answer-\d+$"))
    expect(page.get_by_role("heading", name="1 answer", exact=True)).to_be_visible()
    answer = page.locator("article.answer")
    expect(answer).to_have_count(1)
    expect(answer.locator(".prose code")).to_have_text("SECRET_KEY")
    expect(answer.locator(".prose")).to_contain_text("A new key at each deploy logs everyone")
    expect(answer).to_contain_text("Answered by Rui Reader")
    expect(answer_box(page)).to_have_value("")


def test_a_draft_answer_survives_a_reload(page: Page, live_server, question, reader):
    draft = "Check whether SECRET_KEY changes between deploys.\n\nIt must stay the same."
    page.goto(f"/questions/{question}")
    box = page.locator("textarea[data-draft-key]")
    expect(box).to_have_count(1)
    expect(box).to_have_accessible_name("Your answer")

    box.press_sequentially(draft[:20])
    box.fill(draft)  # the rest at once, as a paste
    key = "skillswap-draft:" + box.get_attribute("data-draft-key")
    page.wait_for_function("key => localStorage.getItem(key) !== null", arg=key)
    page.reload()

    box = page.locator("textarea[data-draft-key]")
    expect(box).to_have_value(draft)
    expect(page.get_by_role("status")).to_contain_text("We restored the draft")

    # A new tab (no form state for the browser to restore) gets it back too
    other = page.context.new_page()
    other.goto(f"/questions/{question}")
    expect(other.locator("textarea[data-draft-key]")).to_have_value(draft)
    other.close()

    # Once posted, the draft is gone
    page.get_by_role("button", name="Post your answer").click()
    expect(page.get_by_role("status")).to_contain_text("Your answer is posted.")
    page.goto(f"/questions/{question}")
    expect(answer_box(page)).to_have_value("")
    expect(page.get_by_text("We restored the draft")).to_have_count(0)
