"""Events in search: found by title, skill (and its aliases), host and description, past ones
too; gone once cancelled; refreshed when they or their skills change; listed under their own
tab on /search; covered by reindex and check."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.events import booking as seats
from app.events import services
from app.events.models import CANCELLED, LUNCH_AND_LEARN
from app.extensions import db
from app.search import outbox
from app.search.index import get_search_index
from app.search.maintenance import check_index, rebuild_index
from app.search.models import SearchOutbox
from app.search.queries import search_documents
from app.skills.models import SkillName
from app.skills.services import rename_skill, skill_key
from tests.events.factories import make_event
from tests.factories import make_admin, make_user
from tests.offers.factories import make_skill


def ids(text: str, doc_type: str | None = "event") -> list[int]:
    return [hit.item.id for hit in search_documents(text, doc_type=doc_type).items
            if getattr(hit, "kind", "") == "event"]


def _text(body: str) -> str:
    body = re.sub(r"</?(?:a|mark|span|time|strong|em)\b[^>]*>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture
def kubernetes(app):
    skill = make_skill("Kubernetes")
    skill.names.append(SkillName(name="k8s", key=skill_key("k8s")))
    db.session.commit()
    return skill


@pytest.fixture
def host(app):
    return make_user(display_name="Hana Quintero")


@pytest.fixture
def workshop(app, host, kubernetes):
    event = make_event(host, skills=[kubernetes], title="Clusters from scratch",
                       description_md="We deploy a **stateful** service together.",
                       location="Lisbon office, Room 2.14")
    outbox.drain_all()
    return event


def test_found_by_title_skill_alias_host_place_and_description(workshop):
    for words in ("clusters", "kubernetes", "k8s", "quintero", "lisbon", "stateful",
                  "workshop"):
        assert ids(words) == [workshop.id], words


def test_only_events_under_their_type_and_with_everything_under_all(workshop, kubernetes):
    assert ids("kubernetes", doc_type="skill") == []
    kinds = {hit.kind for hit in search_documents("kubernetes", doc_type=None).items}
    assert {"event", "skill"} <= kinds


def test_scheduling_through_the_service_indexes_the_event(app, host, kubernetes):
    starts = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    event = services.schedule_event(
        host, kind=LUNCH_AND_LEARN, title="Helm charts over lunch", skills=["Kubernetes"],
        description="Templates and values.", starts_at=starts.replace(tzinfo=None),
        timezone="UTC", duration_minutes=45, capacity=20, location="Room 4")
    db.session.commit()
    outbox.drain_all()
    assert ids("helm") == [event.id]
    assert ids("k8s") == [event.id]


def test_cancelling_removes_it_from_the_index(workshop, host):
    services.cancel_event(workshop, host)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)
                             .where(SearchOutbox.doc_type == "event")) == 1
    outbox.drain_all()
    assert workshop.id not in get_search_index().indexed_ids("event")
    assert ids("clusters") == []


def test_a_cancelled_event_is_dropped_even_before_the_index_catches_up(workshop):
    workshop.status = CANCELLED
    db.session.commit()  # no drain: the index still holds it, the database decides
    assert workshop.id in get_search_index().indexed_ids("event")
    assert ids("clusters") == []


def test_past_events_stay_findable(app, host, kubernetes):
    past = make_event(host, skills=[kubernetes], title="Last month's cluster clinic",
                      starts_in=timedelta(days=-30))
    outbox.drain_all()
    assert ids("clinic") == [past.id]


def test_editing_the_event_or_renaming_its_skill_refreshes_it(workshop, host, kubernetes):
    services.update_event(workshop, host, title="Pods and services from scratch")
    db.session.commit()
    outbox.drain_all()
    assert ids("pods") == [workshop.id]
    assert ids("clusters") == []
    rename_skill(make_admin(), kubernetes, "Container orchestration")
    db.session.commit()
    outbox.drain_all()
    assert ids("orchestration") == [workshop.id]


def test_renaming_the_host_refreshes_the_event(workshop, host):
    host.display_name = "Hana Okafor"
    db.session.commit()
    outbox.drain_all()
    assert ids("okafor") == [workshop.id]
    assert ids("quintero") == []


def test_booking_a_seat_does_not_touch_the_index(workshop):
    person = make_user()
    outbox.drain_all()
    seats.book_seat(workshop, person)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 0


def test_reindex_and_check_cover_events(workshop, runner):
    get_search_index().rebuild([])
    missing = {t.doc_type: t.missing for t in check_index().types}
    assert missing["event"] == [workshop.id]
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert "event: 1 in the database, 0 in the index." in result.output
    rebuild_index()
    db.session.commit()
    assert check_index().consistent
    assert ids("clusters") == [workshop.id]
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output


# -- the page ------------------------------------------------------------------------------


def test_events_tab_lists_hits_with_their_date_and_a_link(app, client, auth, host, kubernetes):
    starts = datetime(2031, 3, 4, 13, 0, tzinfo=UTC)
    event = make_event(host, skills=[kubernetes], title="Clusters from scratch",
                       starts_at=starts, capacity=12)
    make_event(host, skills=[kubernetes], title="Cancelled clusters talk", status=CANCELLED)
    outbox.drain_all()
    auth.login(make_user(timezone="Asia/Tokyo"))

    body = client.get("/search?q=clusters&type=events").text
    assert 'aria-current="page">Events' in body
    assert f'href="/events/{event.id}"' in body
    text = _text(body)
    assert "1 event for “clusters”" in text
    assert "Tue 4 Mar 2031, 22:00" in text  # 13:00 UTC, read in Tokyo
    assert "Hosted by Hana Quintero" in text and "12 seats left" in text
    assert "Cancelled clusters talk" not in text
    assert 'name="type" value="events"' in body

    everything = client.get("/search?q=clusters&type=all").text
    assert f'href="/events/{event.id}"' in everything
    assert re.search(r'href="/search\?q=clusters&amp;type=events">Events '
                     r'<span class="count">1</span>', everything)


def test_events_tab_without_matches_offers_the_event_list(app, client, auth):
    auth.login(make_user())
    body = client.get("/search?q=zzzz&type=events").text
    assert "No events match" in body
    assert 'href="/events/"' in body
