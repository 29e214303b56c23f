"""A running exchange under the site's safety rules: CSRF on every form (an expired hours or
rating form keeps what was typed), strict headers, no inline code, typed text stays text."""

from __future__ import annotations

import re

import pytest

from app.exchanges import progress
from app.exchanges.models import ACCEPTED, HoursLog
from app.extensions import db
from tests.core.test_security import (
    FORM_EXPIRED,
    TOKEN_IN_FORM,
    assert_csrf_refused,
    assert_strict_headers,
    form_token,
    inline_code,
    login_with_token,
)
from tests.exchanges.factories import make_exchange
from tests.factories import make_user

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def running(app):
    ana = make_user(display_name="Ana", handle="ana")
    ben = make_user(display_name="Ben", handle="ben")
    exchange = make_exchange(status=ACCEPTED, people=[ana, ben])
    progress.log_hours(exchange, ben, leg_id=exchange.legs[0].id, minutes=60,
                       happened_on=progress.local_today(ben), note=SCRIPT)
    db.session.commit()
    return exchange, ana, ben


def test_every_progress_form_carries_a_token_and_pages_stay_strict(client, running):
    exchange, _, ben = running
    login_with_token(client, ben)
    response = client.get(f"/exchanges/{exchange.id}")
    page = response.text
    section = page[page.index('id="progress"'):page.index('id="legs-heading"')]
    forms = re.findall(r"<form\b.*?</form>", section, re.S)
    assert len(forms) == 3  # fit check, completing, hours
    assert all(TOKEN_IN_FORM.search(form) for form in forms)
    assert SCRIPT not in page and "&lt;script&gt;" in page
    for path in ("", "/hours", "/rating"):
        response = client.get(f"/exchanges/{exchange.id}{path}", follow_redirects=True)
        assert_strict_headers(response)
        assert inline_code(response.text) == []


def test_buttons_without_a_token_are_refused(client, running):
    exchange, _, ben = running
    login_with_token(client, ben)
    assert_csrf_refused(client.post(f"/exchanges/{exchange.id}/complete"))
    assert_csrf_refused(client.post(f"/exchanges/{exchange.id}/fit", data={"fit": "good"}))
    token = form_token(client, f"/exchanges/{exchange.id}")
    response = client.post(f"/exchanges/{exchange.id}/fit",
                           data={"fit": "good", "csrf_token": token})
    assert response.status_code == 303
    assert progress.membership(db.session.get(type(exchange), exchange.id), ben).fit == "good"


def test_an_expired_hours_form_comes_back_with_what_was_typed(client, running):
    exchange, _, ben = running
    login_with_token(client, ben)
    response = client.post(f"/exchanges/{exchange.id}/hours", data={
        "leg": str(exchange.legs[0].id), "hours": "2.5", "happened_on": "2026-01-02",
        "note": "Query plans"})
    assert response.status_code == 200 and FORM_EXPIRED in response.text
    assert 'value="2.5"' in response.text and 'value="Query plans"' in response.text
    assert db.session.query(HoursLog).count() == 1
