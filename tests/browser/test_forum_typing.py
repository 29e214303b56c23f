"""What only a browser shows while someone writes in the forum: similar questions appear as a
title is typed (without a reload, without posting), and drafts come back after a reload."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
from playwright.sync_api import Page, expect

from app.accounts.models import User
from app.extensions import db
from app.forum import services
from app.forum.models import Question
from app.search.outbox import drain_all

pytestmark = pytest.mark.browser

HEADING = "These may already answer your question"


def ask_as(live_server, person, title: str, body: str = "Some details.") -> int:
    with live_server.app.app_context():
        question = services.ask_question(db.session.get(User, person.id), title=title,
                                         body=body, tags="ops")
        db.session.commit()
        drain_all()
        return question.id


def count_questions(live_server) -> int:
    with live_server.app.app_context():
        return db.session.query(Question).count()


def test_similar_questions_appear_while_typing(page: Page, live_server, log_in):
    me = live_server.create_user()
    ask_as(live_server, me, "Kubernetes ingress returns 404 for every path")
    ask_as(live_server, me, "Where can I book a meeting room for Friday?")
    log_in(me)
    page.goto("/questions/ask")
    page.evaluate("window.__marker = 1")
    similar = page.locator("#similar-questions")

    page.get_by_label("Title").press_sequentially("kubernetes ingress", delay=20)
    expect(similar.get_by_role("heading", name=HEADING)).to_be_visible()
    expect(similar.get_by_role("link")).to_have_text(
        ["Kubernetes ingress returns 404 for every path"])

    page.get_by_label("Title").fill("kube")
    expect(similar).to_be_empty()
    assert page.evaluate("window.__marker") == 1, "the page reloaded"
    assert page.url.endswith("/questions/ask")
    assert count_questions(live_server) == 2


def test_drafts_come_back_after_a_reload(page: Page, live_server, log_in):
    me = live_server.create_user()
    question_id = ask_as(live_server, me, "How do I rotate the staging secrets?",
                         body="The original details.")
    log_in(me)
    page.goto("/questions/ask")
    page.get_by_label("Details").fill("A long explanation I must not lose.")
    page.wait_for_timeout(700)  # the draft is saved 400 ms after the last keystroke
    page.reload()
    expect(page.get_by_label("Details")).to_have_value("A long explanation I must not lose.")
    expect(page.get_by_text("We restored the draft")).to_be_visible()

    page.goto(f"/questions/{question_id}/edit")
    page.get_by_label("Details").fill("The edited details, half written.")
    page.wait_for_timeout(700)
    page.reload()
    expect(page.get_by_label("Details")).to_have_value("The edited details, half written.")
    page.get_by_role("button", name="Discard it").click()
    expect(page.get_by_label("Details")).to_have_value("The original details.")
