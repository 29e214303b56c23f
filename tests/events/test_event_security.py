"""Event pages under the site's safety rules: strict headers, no inline code, CSRF on every
state change (an expired event form keeps what was typed), and hostile text stays text."""

from __future__ import annotations

import html
import re

import pytest

from app.events import services
from app.extensions import db
from tests.conftest import HTMX, shared_path
from tests.core.test_security import (
    FORM_EXPIRED,
    assert_strict_headers,
    form_token,
    inline_code,
    login_with_token,
)
from tests.events.factories import make_event
from tests.events.test_routes import FORM
from tests.factories import make_user

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HREF = re.compile(r'\b(?:href|src|action)="([^"]*)"', re.I)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def assert_inert(body: str, name: str) -> None:
    assert inline_code(body) == [], name
    assert "<script>alert" not in body and "<img" not in body, name
    for url in HREF.findall(body):
        assert not html.unescape(url).strip().lower().startswith(("javascript:", "data:")), (
            name, url)
    assert not re.search(r"<[^>]+\s(?:data-)?hx-(?:on|vals|headers)[^>]*alert", body), name


def test_event_pages_have_strict_headers_and_no_inline_code(client):
    me = make_user(handle="me")
    token = login_with_token(client, me)
    event = make_event(me, title=SCRIPT[:60], description_md=SCRIPT, location=SCRIPT[:100])
    db.session.commit()
    pages = {path: client.get(path) for path in (
        "/events/", "/events/mine", "/events/new", f"/events/{event.id}",
        f"/events/{event.id}/edit", f"/events/new?repeat_of={event.id}",
        f"/events/new?teach_back_of={event.id}", "/events/new?skill=%3Cscript%3E")}
    pages["htmx list"] = client.get("/events/?kind=workshop", headers=HTMX)
    pages["invalid POST"] = client.post("/events/new", data={
        **FORM, "csrf_token": token, "title": SCRIPT[:60], "capacity": "x",
        "description": SCRIPT})
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert_strict_headers(response)
        assert_inert(response.get_data(as_text=True), name)
    detail = pages[f"/events/{event.id}"].get_data(as_text=True)
    assert "&lt;script&gt;alert(" in detail  # shown, as text


def test_hostile_payloads_in_titles_descriptions_and_places_stay_text(client):
    lines = []
    for path in sorted(shared_path("security", "xss").glob("*.txt")):
        lines += [line for line in path.read_text(encoding="utf-8", errors="replace")
                  .splitlines() if line.strip()]
    step = max(1, len(lines) // 60)
    sample = [p for p in lines[::step] if len(p.strip()) >= 5
              and not any(ord(c) < 32 or ord(c) == 127 for c in p)][:60]
    host = make_user()
    for n, payload in enumerate(sample):
        title = payload.strip()[:150]
        services.schedule_event(
            host, kind="workshop", title=title if len(title) >= 5 else f"{title} …",
            skills=["Security"], description=payload, starts_at=_soon(n),
            duration_minutes=30, timezone="UTC", location=payload.strip()[:200],
            online_url="https://example.com/?q=" + "".join(
                c for c in payload if not c.isspace())[:400], capacity=5)
    db.session.commit()
    login_with_token(client, make_user())
    body = client.get("/events/?per_page=100").get_data(as_text=True)
    assert_inert(body, "list")
    for event_id in range(1, len(sample) + 1):
        response = client.get(f"/events/{event_id}")
        assert response.status_code == 200
        assert_inert(response.get_data(as_text=True), f"event {event_id}")


def _soon(n: int):
    from datetime import timedelta

    from app.core.db import utcnow

    return utcnow().replace(microsecond=0) + timedelta(days=1, minutes=n)


def test_an_expired_event_form_keeps_the_input(client):
    login_with_token(client, make_user())
    response = client.post("/events/new", data=FORM)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert FORM_EXPIRED in body
    assert 'value="Git beyond commit"' in body and 'value="Room 2"' in body


def test_state_changes_need_the_token(client):
    me = make_user()
    login_with_token(client, me)
    mine = make_event(me)
    other = make_event(capacity=3)
    for path in (f"/events/{other.id}/book", f"/events/{other.id}/booking/cancel",
                 f"/events/{other.id}/booking/claim", f"/events/{mine.id}/cancel"):
        assert client.post(path).status_code == 400, path
        assert client.post(path, headers={**HTMX, "X-CSRFToken": "nope"}).status_code == 400
    db.session.refresh(other)
    assert other.seats_taken == 0
    token = form_token(client, f"/events/{other.id}")  # the panel's forms carry the token
    assert client.post(f"/events/{other.id}/book", data={"csrf_token": token}
                       ).status_code == 303
    assert client.post(f"/events/{other.id}/booking/cancel", headers={
        **HTMX, "X-CSRFToken": token}).status_code == 200
