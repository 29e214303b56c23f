"""A skill's hub lists its next events (date in the viewer's zone, seats left) and its last
ones with their materials, in a constant number of queries."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.events.models import CANCELLED, LUNCH_AND_LEARN, EventMaterial
from app.extensions import db
from tests.events.factories import book, fill, make_event
from tests.factories import make_user
from tests.offers.factories import make_skill
from tests.support.queries import count_queries


@pytest.fixture
def me(auth):
    user = make_user(timezone="America/New_York")
    auth.login(user)
    return user


@pytest.fixture
def kubernetes(app):
    return make_skill("Kubernetes")


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start:page.index("</section>", start)]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _material(event, title: str, url: str = "", notes: str = "") -> EventMaterial:
    material = EventMaterial(event_id=event.id, added_by_id=event.host_id, title=title,
                             url=url, notes_md=notes, notes_html=notes)
    db.session.add(material)
    db.session.commit()
    return material


def test_upcoming_events_show_date_in_my_zone_and_seats_left(client, me, kubernetes):
    host = make_user(display_name="Hana Host")
    soon = make_event(host, skills=[kubernetes], title="Clusters from scratch", capacity=3,
                      starts_at=datetime(2031, 3, 4, 13, 0, tzinfo=UTC))
    book(soon)
    full = make_event(host, skills=[kubernetes], title="Helm over lunch", capacity=2,
                      kind=LUNCH_AND_LEARN, starts_at=datetime(2031, 3, 5, 12, 0, tzinfo=UTC))
    fill(full, waiting=2)
    make_event(host, skills=[kubernetes], title="Cancelled cluster talk", status=CANCELLED)
    make_event(host, skills=[make_skill("Cooking")], title="Risotto for beginners")

    page = client.get("/skills/kubernetes").get_data(as_text=True)
    upcoming = _text(_section(page, "upcoming-events-heading"))
    assert upcoming.index("Clusters from scratch") < upcoming.index("Helm over lunch")
    # 13:00 UTC read in New York (EST), with the kind, the host and the seats left.
    assert "Clusters from scratch · Tue 4 Mar, 08:00 · Workshop with Hana Host · 2 seats left" \
        in upcoming
    assert "Helm over lunch · Wed 5 Mar, 07:00 · Lunch-and-learn with Hana Host · full, " \
        "2 waiting" in upcoming
    assert "Cancelled cluster talk" not in page and "Risotto" not in page
    assert f'href="/events/{soon.id}"' in page
    assert 'href="/events/new?skill=Kubernetes"' in page


def test_only_the_next_five_with_a_link_to_all(client, me, kubernetes):
    events = [make_event(skills=[kubernetes], title=f"Cluster session {n}",
                         starts_in=timedelta(days=n + 1)) for n in range(6)]
    upcoming = _section(client.get("/skills/kubernetes").get_data(as_text=True),
                        "upcoming-events-heading")
    shown = re.findall(r'href="/events/(\d+)"', upcoming)
    assert shown == [str(e.id) for e in events[:5]]
    assert 'href="/events/?skill=kubernetes"' in upcoming


def test_an_event_under_way_is_still_upcoming(client, me, kubernetes):
    running = make_event(skills=[kubernetes], title="Happening right now",
                         starts_in=timedelta(minutes=-30), duration_minutes=90)
    page = client.get("/skills/kubernetes").get_data(as_text=True)
    assert f'href="/events/{running.id}"' in _section(page, "upcoming-events-heading")
    assert "Happening right now" not in _section(page, "past-events-heading")


def test_past_events_with_their_materials(client, me, kubernetes):
    past = make_event(skills=[kubernetes], title="Last month's cluster clinic",
                      starts_at=datetime(2024, 5, 6, 9, 0, tzinfo=UTC))
    _material(past, "Slides", url="https://docs.example.com/slides")
    notes = _material(past, "Notes from the session", notes="Start small.")
    older = make_event(skills=[kubernetes], title="An older cluster talk",
                       starts_at=datetime(2024, 4, 1, 9, 0, tzinfo=UTC))

    section = _section(client.get("/skills/kubernetes").get_data(as_text=True),
                       "past-events-heading")
    text = _text(section)
    assert text.index("Last month's cluster clinic") < text.index("An older cluster talk")
    assert "6 May 2024" in text
    assert '<a href="https://docs.example.com/slides" rel="nofollow noopener">Slides</a>' \
        in section
    # Notes without a link are read on the event's page.
    assert f'href="/events/{past.id}#material-{notes.id}">Notes from the session</a>' in section
    assert f'href="/events/{older.id}"' in section


def test_a_material_link_that_is_not_http_is_not_linked(client, me, kubernetes):
    past = make_event(skills=[kubernetes], starts_in=timedelta(days=-3))
    _material(past, "Sneaky", url="javascript:alert(1)")
    page = client.get("/skills/kubernetes").get_data(as_text=True)
    assert "javascript:alert" not in page


def test_without_events_the_hub_says_so(client, me, kubernetes):
    page = client.get("/skills/kubernetes").get_data(as_text=True)
    assert "No Kubernetes events are coming up." in page
    assert "No Kubernetes events have taken place yet." in page


def test_hub_uses_a_constant_number_of_queries_with_events(client, me, kubernetes):
    helm = make_skill("Helm")
    one_past = make_event(skills=[helm], starts_in=timedelta(days=-2))
    _material(one_past, "Slides", url="https://docs.example.com/a")
    make_event(skills=[helm])
    few = count_queries(client, "/skills/helm")

    cohost = make_user()
    for n in range(7):
        event = make_event(skills=[kubernetes, make_skill(f"Extra {n}")],
                           starts_in=timedelta(days=n + 1), cohosts=[cohost])
        book(event)
        past = make_event(skills=[kubernetes], starts_in=timedelta(days=-n - 1))
        for m in range(3):
            _material(past, f"Material {m}", url=f"https://docs.example.com/{n}/{m}")
    assert count_queries(client, "/skills/kubernetes") == few
