"""Offer pages under the site's safety rules: strict headers, no inline code, CSRF on every
state change (an expired offer form keeps what was typed), and scripts in offers stay text."""

from __future__ import annotations

import pytest

from app.offers.models import OPEN, PAUSED
from tests.conftest import HTMX
from tests.core.test_security import (
    FORM_EXPIRED,
    assert_strict_headers,
    form_token,
    inline_code,
    login_with_token,
)
from tests.factories import make_user
from tests.offers.factories import make_offer

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_offer_pages_have_strict_headers_and_no_inline_code(client):
    me = make_user(handle="me")
    token = login_with_token(client, me)
    mine = make_offer(me, skill="SQL", description=SCRIPT, availability=SCRIPT[:60])
    make_offer(skill="Rust", status=PAUSED)
    pages = {path: client.get(path) for path in (
        "/offers/", "/offers/?sort=match&kind=teach", "/offers/new?kind=learn&skill=Go",
        f"/offers/{mine.id}", f"/offers/{mine.id}/edit", "/people/me")}
    pages["htmx /offers/"] = client.get("/offers/?kind=teach", headers=HTMX)
    pages["invalid POST"] = client.post("/offers/new", data={
        "csrf_token": token, "kind": "teach", "skill": SCRIPT[:60], "level": "beginner",
        "formats": ["group"], "capacity": "x"})
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert_strict_headers(response)
        body = response.get_data(as_text=True)
        assert inline_code(body) == [], name
        assert "<script>alert" not in body and "<img" not in body, name


def test_an_expired_offer_form_keeps_the_input(client):
    login_with_token(client, make_user())
    response = client.post("/offers/new", data={
        "kind": "teach", "skill": "Watercolour", "level": "beginner", "formats": ["group"],
        "capacity": "3", "availability": "Sunday mornings"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert FORM_EXPIRED in body
    assert 'value="Watercolour"' in body and 'value="Sunday mornings"' in body


def test_status_changes_need_the_token(client):
    me = make_user()
    login_with_token(client, me)
    offer = make_offer(me)
    assert client.post(f"/offers/{offer.id}/pause").status_code == 400
    assert client.post(f"/offers/{offer.id}/close", headers={"X-CSRFToken": "nope"}
                       ).status_code == 400
    assert offer.status == OPEN
    token = form_token(client, f"/offers/{offer.id}")  # the buttons carry the token
    assert client.post(f"/offers/{offer.id}/pause", data={"csrf_token": token}
                       ).status_code == 303
