"""`flask exchanges expire`, the pairs the matcher leaves out, and the exchange pages under
the site's safety rules (strict headers, no inline code, CSRF on every answer)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.exchanges.models import ACCEPTED, CANCELLED, COMPLETED, DECLINED, EXPIRED, SWAP, Exchange
from app.extensions import db
from app.notifications.models import Notification
from app.offers.match_queries import excluded_pairs
from tests.core.test_security import assert_strict_headers, inline_code, login_with_token
from tests.exchanges.factories import make_exchange
from tests.factories import make_user


def test_the_expire_command_is_idempotent_and_notifies_everyone(app, runner):
    overdue = make_exchange(SWAP)
    fresh = make_exchange()
    overdue.expires_at = overdue.created_at - timedelta(seconds=1)
    db.session.commit()

    first = runner.invoke(args=["exchanges", "expire"])
    assert first.exit_code == 0 and first.output.strip() == "Expired 1 request."
    second = runner.invoke(args=["exchanges", "expire"])
    assert second.exit_code == 0 and second.output.strip() == "Expired 0 requests."

    db.session.expire_all()
    assert db.session.get(Exchange, overdue.id).status == EXPIRED
    assert db.session.get(Exchange, fresh.id).status != EXPIRED
    kinds = db.session.execute(select(Notification.user_id, Notification.kind).where(
        Notification.kind == "exchange-expired")).all()
    assert sorted(uid for uid, _ in kinds) == sorted(m.user_id for m in overdue.members)


def test_declined_and_completed_exchanges_make_excluded_pairs(app):
    a, b, c, d, e = (make_user() for _ in range(5))
    make_exchange(people=[a, b], status=DECLINED)
    make_exchange(SWAP, people=[c, d], status=COMPLETED)
    make_exchange(people=[a, e], status=CANCELLED)  # cancelled: may be suggested again
    make_exchange(people=[b, e], status=ACCEPTED)
    make_exchange(people=[c, d], status=DECLINED)  # the same pair twice counts once
    assert excluded_pairs() == {frozenset((a.id, b.id)), frozenset((c.id, d.id))}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_exchange_pages_are_strict_and_answers_need_the_token(client):
    exchange = make_exchange()
    [leg] = exchange.legs
    token = login_with_token(client, leg.teacher)
    for path in ("/exchanges/", f"/exchanges/{exchange.id}", "/exchanges/?group=past"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict_headers(response)
        assert inline_code(response.get_data(as_text=True)) == [], path

    for action in ("accept", "decline", "cancel"):
        assert client.post(f"/exchanges/{exchange.id}/{action}").status_code == 400
    db.session.expire_all()
    assert db.session.get(Exchange, exchange.id).status == exchange.status == "requested"
    assert client.post(f"/exchanges/{exchange.id}/accept",
                       data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Exchange, exchange.id).status == ACCEPTED


def test_the_request_form_needs_the_token(client):
    exchange = make_exchange()
    other = make_exchange()
    token = login_with_token(client, exchange.legs[0].learner)
    offer_id = other.legs[0].teach_offer_id
    page = client.get(f"/exchanges/new?offer={offer_id}")
    assert_strict_headers(page)
    assert inline_code(page.get_data(as_text=True)) == []
    refused = client.post("/exchanges/new", data={"offer": offer_id, "message": "Hi"})
    assert refused.status_code == 400 and "Your form expired" in refused.get_data(as_text=True)
    sent = client.post("/exchanges/new", data={"offer": offer_id, "message": "Hi",
                                               "csrf_token": token})
    assert sent.status_code == 303
