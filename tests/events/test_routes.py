"""Hosting, editing and cancelling events through HTTP: the form, its messages, prefills
(repeat, teach-back, proposal, skill) and who may do what."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.events.models import CANCELLED, PROPOSAL_SCHEDULED, TEACH_BACK, Event
from app.extensions import db
from tests.accounts.test_people import field_error, typed_value
from tests.events.factories import fill, make_event
from tests.factories import make_admin, make_user
from tests.offers.factories import make_skill

NEXT_YEAR = utcnow().year + 1
FORM = {"kind": "workshop", "title": "Git beyond commit", "skills": "Git, Code review",
        "description": "Rebase, bisect and **reflog**.", "starts_at": f"{NEXT_YEAR}-06-03T14:00",
        "duration_minutes": "90", "timezone": "Europe/Paris", "location": "Room 2",
        "online_url": "https://meet.example.com/git", "capacity": "15", "cohosts": ""}


@pytest.fixture
def me(auth):
    user = make_user(handle="me", display_name="Me Myself", timezone="Europe/London")
    auth.login(user)
    return user


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def test_event_pages_need_login(client):
    event = make_event()
    for path in ("/events/", "/events/mine", "/events/new", f"/events/{event.id}",
                 f"/events/{event.id}/edit"):
        assert client.get(path).status_code == 302, path
    for action in ("cancel", "book", "booking/cancel", "booking/claim"):
        assert client.post(f"/events/{event.id}/{action}").status_code == 302, action


def test_host_an_event_and_read_it(client, me):
    make_user(handle="ana", display_name="Ana Alves")
    response = client.post("/events/new", data={**FORM, "cohosts": "@ana"})
    assert response.status_code == 303
    event = db.session.scalar(select(Event))
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert [s.name for s in event.skills] == ["Code review", "Git"]
    assert event.starts_at.hour == 12  # 14:00 in Paris in June is 12:00 UTC
    page = client.get(f"/events/{event.id}").text
    assert "Your event is scheduled" in page
    assert "Git beyond commit" in page and "<strong>reflog</strong>" in page
    assert "13:00–14:30</time> in your time (Europe/London)" in page
    assert "14:00–15:30 Europe/Paris, the event&#39;s time zone" in page
    assert 'href="/skills/git"' in page and 'href="/people/ana"' in page
    assert 'href="https://meet.example.com/git"' in page and "Room 2" in page
    assert f'href="/events/{event.id}.ics"' in page
    assert f"/events/{event.id}/edit" in page and f"/events/{event.id}/cancel" in page


def test_the_new_form_starts_in_the_hosts_time_zone_and_takes_a_skill(client, me):
    page = client.get("/events/new?skill=Public+speaking").text
    assert typed_value(page, "timezone") == "Europe/London"
    assert typed_value(page, "skills") == "Public speaking"
    assert 'type="datetime-local"' in page and 'maxlength="150"' in page
    odd = client.get("/events/new?skill=%1b%5b31m")
    assert odd.status_code == 200 and typed_value(odd.text, "skills") in (None, "")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"duration_minutes": "0"}, "duration_minutes", "must end after it starts"),
    ({"duration_minutes": "-15"}, "duration_minutes", "must end after it starts"),
    ({"duration_minutes": "soon"}, "duration_minutes", "from 5 to 1440 minutes"),
    ({"starts_at": "2001-01-01T09:00"}, "starts_at", "Choose a start in the future."),
    ({"starts_at": "next tuesday"}, "starts_at", "Give a date and time"),
    ({"capacity": "0"}, "capacity", "from 1 to 500"),
    ({"capacity": "-3"}, "capacity", "from 1 to 500"),
    ({"capacity": "99999"}, "capacity", "from 1 to 500"),
    ({"timezone": "Atlantis/Central"}, "timezone", "Choose a time zone from the list"),
    ({"cohosts": "nobody-here"}, "cohosts", "Nobody here has the handle @nobody-here."),
    ({"cohosts": "a, b, c, d, e, f"}, "cohosts", "at most 5 co-hosts"),
    ({"location": "", "online_url": ""}, "location", "Give a place, an online link, or both."),
    ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"title": "Hey"}, "title", "5 to 150 characters"),
    ({"skills": ""}, "skills", "Name at least one skill"),
    ({"skills": "A1, B2, C3, D4, E5, F6"}, "skills", "at most 5 skills"),
    ({"kind": "rave"}, "kind", "workshop"),
    ({"online_url": "https://[abc/"}, "online_url", "https://"),
    ({"starts_at": "9999-12-31T23:00", "timezone": "America/New_York"}, "starts_at",
     "Give a date between"),
    ({"starts_at": "0001-01-01T00:00", "timezone": "Asia/Tokyo"}, "starts_at",
     "Give a date between"),
])
def test_bad_input_shows_a_message_next_to_the_field_and_keeps_the_rest(client, me, changes,
                                                                        field, message):
    response = client.post("/events/new", data={**FORM, **changes})
    assert response.status_code == 200
    assert message in field_error(response.text, field)
    if field != "title":
        assert typed_value(response.text, "title") == FORM["title"]
    assert typed_value(response.text, "description") == FORM["description"]
    assert _events() == 0


def test_a_skipped_clock_hour_is_explained(client, me):
    response = client.post("/events/new", data={
        **FORM, "starts_at": f"{NEXT_YEAR}-03-{_last_sunday_of_march()}T02:30"})
    assert "clocks go forward" in field_error(response.text, "starts_at")


def _last_sunday_of_march() -> int:
    return max(d for d in range(25, 32) if date(NEXT_YEAR, 3, d).weekday() == 6)


def test_repeating_prefills_everything_but_the_start_and_links_the_events(client, me):
    cohost = make_user(handle="co")
    original = make_event(me, title="Intro to Rust", capacity=8, duration_minutes=50,
                          starts_in=timedelta(days=2), cohosts=[cohost],
                          online_url="https://meet.example.com/rust",
                          skills=[make_skill("Rust")])
    fill(original, waiting=1)
    page = client.get(f"/events/new?repeat_of={original.id}").text
    assert typed_value(page, "title") == "Intro to Rust"
    assert typed_value(page, "skills") == "Rust"
    assert typed_value(page, "capacity") == "8" and typed_value(page, "duration_minutes") == "50"
    assert typed_value(page, "cohosts") == "co"
    assert typed_value(page, "online_url") == "https://meet.example.com/rust"
    local = original.starts_at.astimezone(ZoneInfo("Europe/London")).replace(tzinfo=None)
    assert typed_value(page, "starts_at") == (local + timedelta(days=7)).strftime(
        "%Y-%m-%dT%H:%M")
    assert "The people still waiting for it hear first" in page
    response = client.post(f"/events/new?repeat_of={original.id}",
                           data={**FORM, "title": "Intro to Rust"})
    assert response.status_code == 303
    repeat = db.session.scalar(select(Event).where(Event.id != original.id))
    assert repeat.repeat_of_id == original.id


def test_only_hosts_repeat_an_event(client, me):
    assert client.get(f"/events/new?repeat_of={make_event().id}").status_code == 403
    assert client.get("/events/new?repeat_of=9999").status_code == 404


def test_a_teach_back_is_prefilled_from_the_workshop(client, me):
    workshop = make_event(title="Kubernetes basics", skills=[make_skill("Kubernetes")],
                          starts_in=timedelta(days=-3))
    page = client.get(f"/events/new?teach_back_of={workshop.id}").text
    assert typed_value(page, "title") == "Teach-back: Kubernetes basics"
    assert typed_value(page, "skills") == "Kubernetes"
    assert '<input checked id="kind-2" name="kind"' in page and 'value="teach_back"' in page
    response = client.post(f"/events/new?teach_back_of={workshop.id}",
                           data={**FORM, "kind": TEACH_BACK})
    assert response.status_code == 303
    made = db.session.scalar(select(Event).where(Event.id != workshop.id))
    assert made.teach_back_of_id == workshop.id and made.kind == TEACH_BACK


def test_an_event_from_a_proposal_schedules_it(client, me):
    from app.events.proposals import propose_session

    proposal = propose_session(make_user(), "Terraform", "Modules and state, gently please.")
    db.session.commit()
    page = client.get(f"/events/new?proposal={proposal.id}").text
    assert typed_value(page, "skills") == "Terraform"
    assert typed_value(page, "description") == "Modules and state, gently please."
    response = client.post(f"/events/new?proposal={proposal.id}",
                           data={**FORM, "skills": "Terraform"})
    assert response.status_code == 303
    db.session.refresh(proposal)
    assert proposal.status == PROPOSAL_SCHEDULED and proposal.event_id is not None
    # The proposal is taken now: a second event can't claim it.
    assert client.get(f"/events/new?proposal={proposal.id}").status_code == 409


# -- Editing and cancelling -----------------------------------------------------------------


def test_edit_shows_the_event_in_its_own_time_and_saves_changes(client, me):
    event = make_event(me, timezone="America/New_York", capacity=4)
    page = client.get(f"/events/{event.id}/edit").text
    assert typed_value(page, "timezone") == "America/New_York"
    local = event.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert typed_value(page, "starts_at") == local.strftime("%Y-%m-%dT%H:%M")
    data = {"kind": event.kind, "title": "New and improved", "skills": event.skills[0].name,
            "description": "", "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60", "timezone": "America/New_York", "location": "Room 7",
            "online_url": "", "capacity": "6", "cohosts": ""}
    response = client.post(f"/events/{event.id}/edit", data=data, follow_redirects=True)
    assert "Your changes are saved." in response.text
    assert "the place and the capacity" in response.text
    db.session.refresh(event)
    assert (event.title, event.location, event.capacity, event.sequence) == (
        "New and improved", "Room 7", 6, 1)


def test_capacity_below_the_booked_is_refused_next_to_the_field(client, me):
    event = make_event(me, capacity=2)
    fill(event)
    page = client.get(f"/events/{event.id}/edit").text
    data = {name: typed_value(page, name) or "" for name in (
        "title", "skills", "description", "starts_at", "duration_minutes", "timezone",
        "location", "online_url", "cohosts")}
    response = client.post(f"/events/{event.id}/edit",
                           data={**data, "kind": event.kind, "capacity": "1"})
    assert "2 people already hold a seat" in field_error(response.text, "capacity")


def test_cohosts_and_admins_edit_strangers_get_403_and_unknown_events_404(client, auth):
    host, cohost, admin, stranger = make_user(), make_user(), make_admin(), make_user()
    event = make_event(host, cohosts=[cohost])
    for person, status in ((cohost, 200), (admin, 200), (stranger, 403)):
        auth.logout()
        auth.login(person)
        assert client.get(f"/events/{event.id}/edit").status_code == status
    assert client.post(f"/events/{event.id}/cancel").status_code == 403
    assert client.post(f"/events/{event.id}/edit", data=FORM).status_code == 403
    assert client.get("/events/9999").status_code == 404
    assert client.get("/events/9999/edit").status_code == 404
    assert client.post("/events/9999/book").status_code == 404
    assert event.status != CANCELLED


def test_cancelling_tells_people_and_locks_the_event(client, me):
    event = make_event(me, capacity=1)
    fill(event, waiting=1)
    response = client.post(f"/events/{event.id}/cancel", follow_redirects=True)
    assert "The event is cancelled. We&#39;ve told the 2 people" in response.text
    assert "This event was cancelled" in response.text
    assert f"/events/{event.id}/edit" not in response.text
    db.session.refresh(event)
    assert event.status == CANCELLED
    again = client.post(f"/events/{event.id}/cancel", follow_redirects=True)
    assert "already cancelled" in again.text
    edit = client.get(f"/events/{event.id}/edit", follow_redirects=True)
    assert "can&#39;t be changed" in edit.text


def test_an_ended_event_cannot_be_edited(client, me):
    event = make_event(me, starts_in=timedelta(days=-2))
    response = client.get(f"/events/{event.id}/edit")
    assert response.status_code == 303
    assert client.post(f"/events/{event.id}/cancel",
                       follow_redirects=True).text.count("has ended") >= 1
