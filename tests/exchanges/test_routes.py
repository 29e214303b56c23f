"""Exchange pages: requesting from an offer or a suggestion, the list, the exchange page and
its answers, who may see what, and the notifications they leave."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from app.exchanges.models import ACCEPTED, CANCELLED, COMPLETED, DECLINED, REQUESTED, SWAP, Exchange
from app.extensions import db
from app.notifications.models import Notification
from app.offers.models import LEARN, PAUSED
from tests.exchanges.factories import make_exchange
from tests.factories import make_admin, make_user
from tests.offers.factories import make_offer, make_skill


def text(response) -> str:
    """The page's words, without tags, on one line."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return unescape(re.sub(r"\s+", " ", words))


def notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_requesting_from_an_offer_page_through_the_confirm_page(client, auth):
    teacher = make_user(display_name="Ana")
    offer = make_offer(teacher, skill="SQL")
    me = make_user(display_name="Bo")
    auth.login(me)

    page = client.get(f"/offers/{offer.id}")
    assert f'href="/exchanges/new?offer={offer.id}"' in page.get_data(as_text=True)
    confirm = client.get(f"/exchanges/new?offer={offer.id}")
    assert confirm.status_code == 200
    assert "Ana teaches you SQL" in text(confirm)
    assert 'maxlength="1000"' in confirm.get_data(as_text=True)
    assert '<label for="message">' in confirm.get_data(as_text=True)

    response = client.post("/exchanges/new", data={"offer": offer.id, "message": "Hi Ana!"})
    assert response.status_code == 303
    exchange = db.session.scalar(select(Exchange))
    assert response.headers["Location"] == f"/exchanges/{exchange.id}"
    assert (exchange.kind, exchange.status, exchange.message) == ("mentoring", REQUESTED,
                                                                    "Hi Ana!")
    [note] = notes(teacher)
    assert note.kind == "exchange-request" and note.url == f"/exchanges/{exchange.id}"
    assert "Bo asked you for an exchange: you teach SQL" in note.text
    assert notes(me) == []

    again = client.post("/exchanges/new", data={"offer": offer.id})
    assert again.status_code == 409 and "already have an open request" in text(again)
    assert "see it" in text(client.get(f"/exchanges/new?offer={offer.id}"))


def test_bad_messages_come_back_next_to_the_field(client, auth):
    offer = make_offer()
    auth.login(make_user())
    response = client.post("/exchanges/new", data={"offer": offer.id, "message": "x" * 1001})
    assert response.status_code == 400
    assert "Keep the message to 1,000 characters at most." in text(response)
    assert db.session.scalar(select(Exchange)) is None


def test_own_paused_and_unknown_offers_cannot_be_requested(client, auth):
    me = make_user()
    auth.login(me)
    mine = make_offer(me)
    assert "Request this exchange" not in text(client.get(f"/offers/{mine.id}"))
    assert client.get(f"/exchanges/new?offer={mine.id}").status_code == 403
    paused = make_offer(status=PAUSED)
    assert "Request this exchange" not in text(client.get(f"/offers/{paused.id}"))
    assert client.post("/exchanges/new", data={"offer": paused.id}).status_code == 409
    assert client.get("/exchanges/new?offer=999999").status_code == 404
    assert client.get("/exchanges/new").status_code == 404
    assert client.get("/exchanges/new?suggestion=swap:1:2").status_code == 404


def test_a_full_teacher_is_refused_on_the_confirm_page(client, auth):
    offer = make_offer(capacity=1, seats_taken=1)
    auth.login(make_user())
    response = client.post("/exchanges/new", data={"offer": offer.id, "message": "Hello"})
    assert response.status_code == 409 and "no free seat" in text(response)
    assert "Hello" in text(response)  # what was typed stays


def test_requesting_a_swap_from_the_matches_page(client, auth):
    flags = {"open_to_swaps": True, "open_to_mentoring": True, "open_to_being_mentored": True}
    me, other = make_user(**flags), make_user(**flags)
    sql, python = make_skill("SQL"), make_skill("Python")
    make_offer(me, kind=LEARN, skill=sql, level="beginner")
    make_offer(other, skill=sql, level="advanced")
    make_offer(other, kind=LEARN, skill=python, level="beginner")
    make_offer(me, skill=python, level="advanced")
    auth.login(me)
    key = f"swap:{me.id}:{other.id}:{sql.id}:{python.id}"
    page = client.get("/matches/").get_data(as_text=True)
    assert f'href="/exchanges/new?suggestion={key}"' in page
    assert "You teach" in text(client.get(f"/exchanges/new?suggestion={key}"))
    response = client.post("/exchanges/new", data={"suggestion": key})
    assert response.status_code == 303
    exchange = db.session.scalar(select(Exchange))
    assert exchange.kind == SWAP and len(exchange.legs) == 2

    # once the other declines, the matcher never pairs them again
    auth.logout()
    auth.login(other)
    client.post(f"/exchanges/{exchange.id}/decline", data={"decline-reason": "No time"})
    auth.logout()
    auth.login(me)
    assert key not in client.get("/matches/").get_data(as_text=True)


def test_the_exchange_page_and_answers(client, auth):
    exchange = make_exchange()
    [leg] = exchange.legs
    teacher, learner = leg.teacher, leg.learner
    auth.login(teacher)
    page = text(client.get(f"/exchanges/{exchange.id}"))
    assert f"What you teach {leg.skill.name} to {learner.display_name}" in page
    assert "Could we meet on Tuesdays?" in page
    assert f'action="/exchanges/{exchange.id}/accept"' in client.get(
        f"/exchanges/{exchange.id}").get_data(as_text=True)

    response = client.post(f"/exchanges/{exchange.id}/accept")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/exchanges/{exchange.id}"
    db.session.expire_all()
    assert db.session.get(Exchange, exchange.id).status == ACCEPTED
    assert [n.kind for n in notes(learner)] == ["exchange-accepted"]
    again = client.post(f"/exchanges/{exchange.id}/accept", follow_redirects=True)
    assert "already active" in text(again)

    response = client.post(f"/exchanges/{exchange.id}/cancel",
                           data={"cancel-reason": "Moving teams"})
    assert response.status_code == 303
    db.session.expire_all()
    done = db.session.get(Exchange, exchange.id)
    assert (done.status, done.close_reason) == (CANCELLED, "Moving teams")
    assert notes(learner)[-1].kind == "exchange-cancelled"
    assert "Moving teams" in notes(learner)[-1].text


def test_declining_notifies_the_requester(client, auth):
    exchange = make_exchange()
    [leg] = exchange.legs
    auth.login(leg.teacher)
    response = client.post(f"/exchanges/{exchange.id}/decline",
                           data={"decline-reason": "x" * 201}, follow_redirects=True)
    assert "200 characters" in text(response)
    client.post(f"/exchanges/{exchange.id}/decline", data={"decline-reason": "Busy"})
    db.session.expire_all()
    assert db.session.get(Exchange, exchange.id).status == DECLINED
    [note] = notes(leg.learner)
    assert note.kind == "exchange-declined" and "Busy" in note.text


def test_strangers_get_404_admins_may_look_but_not_act(client, auth):
    exchange = make_exchange()
    auth.login(make_user())
    for path in (f"/exchanges/{exchange.id}",):
        assert client.get(path).status_code == 404
    for action in ("accept", "decline", "cancel"):
        assert client.post(f"/exchanges/{exchange.id}/{action}").status_code == 404
    auth.logout()
    auth.login(make_admin())
    assert client.get(f"/exchanges/{exchange.id}").status_code == 200
    assert client.post(f"/exchanges/{exchange.id}/accept").status_code == 403
    auth.logout()
    assert client.get(f"/exchanges/{exchange.id}").status_code == 302  # to the login page


def test_my_exchanges_are_grouped_and_paginated(client, auth):
    me = make_user()
    waiting = make_exchange(people=[me, make_user()])  # someone asked me to teach
    mine = make_exchange(people=[make_user(), me])  # I asked
    active = make_exchange(people=[me, make_user()], status=ACCEPTED)
    past = make_exchange(people=[me, make_user()], status=COMPLETED)
    auth.login(me)
    page = client.get("/exchanges/").get_data(as_text=True)
    sections = {name: page.index(f'id="{name}-heading"')
                for name in ("waiting", "pending", "active", "past")}
    assert list(sections) == sorted(sections, key=sections.get)
    for name, exchange in (("waiting", waiting), ("pending", mine), ("active", active),
                           ("past", past)):
        link = page.index(f'href="/exchanges/{exchange.id}"')
        following = [v for v in sections.values() if v > sections[name]]
        assert sections[name] < link < (min(following) if following else len(page))
    assert 'aria-current="page">Exchanges' in page

    for _ in range(11):
        make_exchange(people=[make_user(), me], status=DECLINED)
    page = client.get("/exchanges/").get_data(as_text=True)
    assert 'href="/exchanges/?group=past&amp;page=2"' in page
    second = client.get("/exchanges/?group=past&page=2").get_data(as_text=True)
    assert second.count('<li>\n  <a href="/exchanges/') == 2
    assert client.get("/exchanges/?group=past&per_page=100000").status_code == 200


@pytest.mark.parametrize("status", [ACCEPTED, COMPLETED])
def test_running_exchanges_show_no_answer_buttons(client, auth, status):
    exchange = make_exchange(status=status)
    auth.login(exchange.legs[0].teacher)
    html = client.get(f"/exchanges/{exchange.id}").get_data(as_text=True)
    assert "/accept" not in html and "/decline" not in html
    assert ("/cancel" in html) == (status == ACCEPTED)


@pytest.mark.parametrize("status", [ACCEPTED, COMPLETED, DECLINED])
def test_an_admin_sees_any_exchange_without_answer_buttons(client, auth, status):
    exchange = make_exchange(status=status)
    auth.login(make_admin())
    response = client.get(f"/exchanges/{exchange.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/accept" not in html and "/cancel" not in html
    assert exchange.legs[0].skill.name in html
