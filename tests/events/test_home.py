"""The home page lists "Your upcoming events": what I host or co-host, what I booked, and a
seat held for me to claim — the next five, soonest first."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.core.db import utcnow
from app.events import booking as seats
from app.events.models import CANCELLED
from app.events.queries import own_booking
from app.extensions import db
from tests.events.factories import book, make_event
from tests.factories import make_user


@pytest.fixture
def me(auth):
    user = make_user(timezone="Europe/Berlin")
    auth.login(user)
    return user


def _card(client) -> str:
    page = client.get("/").get_data(as_text=True)
    start = page.index('id="my-events-heading"')
    return page[start:page.index("</section>", start)]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_booked_hosted_and_cohosted_events_soonest_first(client, me):
    booked = make_event(title="Booked workshop", starts_at=datetime(2031, 3, 4, 13, tzinfo=UTC))
    book(booked, me)
    hosting = make_event(me, title="My own lunch talk", starts_in=timedelta(days=2))
    cohosting = make_event(title="A session I co-host", starts_in=timedelta(days=3),
                           cohosts=[me])
    waiting = make_event(title="Full event I wait for", capacity=1)
    book(waiting)
    book(waiting, me)  # on the waitlist: not "upcoming" for me
    cancelled = make_event(title="Cancelled event", status=CANCELLED)
    gone = make_event(title="Booked then cancelled", starts_in=timedelta(days=4))
    seats.cancel_booking(book(gone, me), me)
    db.session.commit()
    make_event(title="Someone else's event")
    make_event(me, title="My past event", starts_in=timedelta(days=-3))

    card = _card(client)
    text = _text(card)
    order = re.findall(r'href="/events/(\d+)"', card)
    assert order == [str(hosting.id), str(cohosting.id), str(booked.id)]
    assert "My own lunch talk" in text and "you're hosting" in text
    assert "Booked workshop · Tue 4 Mar, 14:00 · booked" in text  # 13:00 UTC in Berlin
    for absent in ("Full event I wait for", "Cancelled event", "Booked then cancelled",
                   "Someone else's event", "My past event"):
        assert absent not in text
    assert cancelled.id and 'href="/events/mine"' in card


def test_a_seat_offered_to_me_asks_me_to_claim_it(client, me):
    event = make_event(title="Popular workshop", capacity=1, starts_in=timedelta(days=5))
    first = make_user()
    book(event, first)
    book(event, me)
    now = utcnow().replace(microsecond=0)
    seats.cancel_booking(own_booking(event, first), first, now)
    db.session.commit()
    text = _text(_card(client))
    assert "Popular workshop" in text
    assert "a seat is held for you: claim it by" in text


def test_only_the_next_five(client, me):
    events = [make_event(me, title=f"Hosted session {n}", starts_in=timedelta(days=n + 1))
              for n in range(7)]
    card = _card(client)
    assert re.findall(r'href="/events/(\d+)"', card) == [str(e.id) for e in events[:5]]


def test_nothing_coming_up_points_to_the_events(client, me):
    card = _card(client)
    assert "You have no events coming up." in _text(card)
    assert 'href="/events/"' in card and 'href="/events/new"' in card
