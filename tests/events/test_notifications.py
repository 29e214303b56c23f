"""What people are told about events, through the real services: a seat that opened up, an
offer and its deadline in their own time zone, changes, cancellations, reminders, feedback
and teach-back invitations, repeats and scheduled proposals. Nobody is told about what they
did themselves; hosts hear when their event fills up and when people start waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.events import booking as seats
from app.events import proposals, queries, reminders, services
from app.events.models import CONFIRMED, LUNCH_AND_LEARN, OFFERED, WORKSHOP, Booking
from app.extensions import db
from app.notifications.event_listeners import when
from app.notifications.models import Notification
from tests.events.factories import book, make_event
from tests.factories import make_user
from tests.offers.factories import make_skill


def notes(user) -> list[tuple[str, str, str]]:
    """(kind, text, url) of everything `user` was told, oldest first."""
    return [(n.kind, n.text, n.url) for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


def kinds(user) -> list[str]:
    return [kind for kind, _, _ in notes(user)]


def local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %-d %b at %H:%M %Z")


@pytest.fixture
def host(app):
    return make_user(display_name="Hana Host", timezone="Europe/London")


@pytest.fixture
def cohost(app):
    return make_user(display_name="Cora Cohost")


def test_booking_tells_nobody_but_a_full_event_and_a_waitlist_tell_the_hosts(host, cohost):
    event = make_event(host, title="Clusters from scratch", capacity=2, cohosts=[cohost])
    alice, bob = make_user(), make_user(display_name="Bob Booker")
    book(event, alice)
    assert notes(alice) == [] and notes(host) == []
    book(event, bob)  # the last seat
    assert notes(bob) == []
    for person in (host, cohost):
        [(kind, text, url)] = notes(person)
        assert kind == "event-full"
        assert text.startswith("“Clusters from scratch” is full: Bob Booker took the last of "
                               "its 2 seats.")
        assert url == f"/events/{event.id}"

    carol, dave = make_user(display_name="Carol Queue"), make_user()
    book(event, carol)  # the first one waiting: the hosts hear it
    book(event, dave)  # the second: they don't, again
    assert kinds(host) == ["event-full", "event-waitlist"]
    assert notes(host)[1][1].startswith("Carol Queue is waiting for a seat at "
                                        "“Clusters from scratch”")
    assert notes(carol) == [] and notes(dave) == []


def test_a_seat_given_from_the_waitlist_is_news(host):
    event = make_event(host, title="Last-minute session", capacity=1,
                       starts_in=timedelta(hours=3))  # within the claim window: no offer
    alice, bob = make_user(), make_user(timezone="Asia/Tokyo")
    book(event, alice)
    book(event, bob)
    seats.cancel_booking(queries.own_booking(event, alice), alice)
    db.session.commit()
    [(kind, text, url)] = notes(bob)
    assert kind == "event-promoted"
    assert (f"A seat opened up at “Last-minute session” and it's yours: you're booked for "
            f"{local(event.starts_at, 'Asia/Tokyo')}.") in text
    assert url == f"/events/{event.id}"
    assert notes(alice) == []


def test_an_offer_and_its_expiry_speak_each_recipients_time(host):
    event = make_event(host, title="Popular workshop", capacity=1, starts_in=timedelta(days=5))
    alice = make_user()
    bob = make_user(timezone="Asia/Tokyo")
    carol = make_user(timezone="America/New_York")
    for person in (alice, bob, carol):
        book(event, person)
    now = utcnow().replace(microsecond=0)
    seats.cancel_booking(queries.own_booking(event, alice), alice, now)
    db.session.commit()

    offer = queries.own_booking(event, bob)
    assert offer.status == OFFERED
    [(kind, text, url)] = notes(bob)
    assert kind == "event-seat-offered"
    assert text == (f"A seat at “Popular workshop” ({local(event.starts_at, 'Asia/Tokyo')}) is "
                    f"yours if you claim it by {local(offer.offer_expires_at, 'Asia/Tokyo')}.")
    assert url == f"/events/{event.id}"

    later = offer.offer_expires_at + timedelta(minutes=1)
    seats.expire_offers(later)
    db.session.commit()
    assert kinds(bob) == ["event-seat-offered", "event-offer-expired"]
    assert "wasn't claimed in time, so it went to the next person waiting" in notes(bob)[1][1]
    second = queries.own_booking(event, carol)
    assert second.status == OFFERED
    [(kind, text, _)] = notes(carol)
    assert text.endswith(f"claim it by {local(second.offer_expires_at, 'America/New_York')}.")

    seats.claim_seat(second, carol, later)  # claiming is their own doing: no news
    db.session.commit()
    assert kinds(carol) == ["event-seat-offered"]


def test_a_change_reaches_everyone_booked_offered_or_waiting(host, cohost):
    event = make_event(host, title="Clusters from scratch", capacity=2, cohosts=[cohost],
                       starts_in=timedelta(days=5), location="Room 1")
    booked, leaving = make_user(), make_user()
    waiting, offered = make_user(timezone="America/New_York"), make_user()
    for person in (booked, leaving, offered, waiting):
        book(event, person)
    seats.cancel_booking(queries.own_booking(event, leaving), leaving)
    db.session.commit()
    assert queries.own_booking(event, offered).status == OFFERED
    outsider = make_user()

    starts = (event.starts_at + timedelta(days=1)).replace(tzinfo=None)
    services.update_event(event, host, starts_at=starts, timezone="UTC", location="Room 9")
    db.session.commit()
    for person in (booked, offered, waiting, cohost):
        changed = [n for n in notes(person) if n[0] == "event-changed"]
        assert len(changed) == 1, person
    [(_, text, url)] = [n for n in notes(waiting) if n[0] == "event-changed"]
    assert text == (f"Hana Host changed the time and the place of “Clusters from scratch”. "
                    f"It's now on {local(event.starts_at, 'America/New_York')}, Room 9.")
    assert url == f"/events/{event.id}"
    assert "event-changed" not in kinds(leaving) + kinds(host) + kinds(outsider)


def test_cancelling_tells_everyone_who_had_a_place_but_not_the_host(host, cohost):
    event = make_event(host, title="Clusters from scratch", capacity=1, cohosts=[cohost])
    booked, waiting = make_user(timezone="Australia/Sydney"), make_user()
    book(event, booked)
    book(event, waiting)
    services.cancel_event(event, host)
    db.session.commit()
    for person in (booked, waiting, cohost):
        assert kinds(person)[-1] == "event-cancelled", person
    text = notes(booked)[-1][1]
    assert text == (f"Hana Host cancelled “Clusters from scratch”, which was on "
                    f"{local(event.starts_at, 'Australia/Sydney')}. Bookings and the waitlist "
                    "were cancelled with it.")
    assert "event-cancelled" not in kinds(host)


def _attended(event, person) -> Booking:
    """A confirmed, checked-in booking of an event that already happened."""
    start = event.starts_at
    booking = Booking(event_id=event.id, user_id=person.id, status=CONFIRMED,
                      created_at=start - timedelta(days=2), confirmed_at=start - timedelta(days=2),
                      reminded_at=start - timedelta(hours=20), checked_in_at=start)
    db.session.add(booking)
    db.session.commit()
    return booking


def test_reminder_before_and_feedback_with_a_teach_back_invitation_after(host):
    soon = make_event(host, title="Clusters from scratch", starts_in=timedelta(hours=3),
                      location="Lisbon office, Room 2.14")
    ana = make_user(timezone="Europe/Lisbon")
    book(soon, ana)
    workshop = make_event(host, title="Terraform in practice", kind=WORKSHOP,
                          starts_in=timedelta(hours=-3), duration_minutes=60)
    lunch = make_event(host, title="Lunch talk on testing", kind=LUNCH_AND_LEARN,
                       starts_in=timedelta(hours=-3), duration_minutes=60)
    ben = make_user()
    _attended(workshop, ben)
    _attended(lunch, ben)

    reminders.send_all(after_batch=db.session.commit)
    [(kind, text, url)] = notes(ana)
    assert kind == "event-reminder"
    assert text.startswith(f"Reminder: “Clusters from scratch” starts "
                           f"{local(soon.starts_at, 'Europe/Lisbon')}, Lisbon office, Room 2.14.")
    assert url == f"/events/{soon.id}"

    told = notes(ben)
    feedback = [(text, url) for kind, text, url in told if kind == "event-feedback"]
    assert sorted(url for _, url in feedback) == sorted([f"/events/{workshop.id}",
                                                         f"/events/{lunch.id}"])
    assert any(text.startswith("How was “Terraform in practice”?") for text, _ in feedback)
    # Only the workshop invites a teach-back, straight to a prefilled new event.
    [(text, url)] = [(text, url) for kind, text, url in told if kind == "event-teach-back"]
    assert "host a teach-back of “Terraform in practice”" in text
    assert url == f"/events/new?teach_back_of={workshop.id}"
    assert notes(host) == []


def test_a_repeat_tells_the_people_left_waiting_first(host):
    original = make_event(host, title="Clusters from scratch", capacity=1)
    book(original)
    waiting = make_user(timezone="Asia/Kolkata")
    book(original, waiting)
    starts = (utcnow() + timedelta(days=20)).replace(microsecond=0, tzinfo=None)
    repeat = services.schedule_event(
        host, repeat_of=original, kind=WORKSHOP, title="Clusters from scratch",
        skills=list(original.skills), starts_at=starts, timezone="UTC",
        duration_minutes=60, capacity=10, location="Room 1")
    db.session.commit()
    [(kind, text, url)] = notes(waiting)
    assert kind == "event-repeat"
    assert text.startswith(f"“Clusters from scratch” is on again, "
                           f"{local(repeat.starts_at, 'Asia/Kolkata')}.")
    assert url == f"/events/{repeat.id}"
    assert "event-repeat" not in kinds(host)


def test_scheduling_a_proposal_tells_everyone_interested(host):
    make_skill("Kubernetes")
    proposer, fan = make_user(), make_user(timezone="America/Chicago")
    proposal = proposals.propose_session(proposer, "Kubernetes",
                                         "An introduction to clusters for beginners, please.")
    proposals.add_interest(proposal, fan)
    proposals.add_interest(proposal, host)
    db.session.commit()
    starts = (utcnow() + timedelta(days=10)).replace(microsecond=0, tzinfo=None)
    event = services.schedule_event(
        host, proposal=proposal, kind=WORKSHOP, title="Clusters for beginners",
        skills=["Kubernetes"], starts_at=starts, timezone="UTC", duration_minutes=60,
        capacity=10, location="Room 1")
    db.session.commit()
    [(kind, text, url)] = notes(proposer)
    assert kind == "event-proposal"
    assert text.startswith("Hana Host scheduled your proposal on Kubernetes: "
                           "“Clusters for beginners”")
    assert url == f"/events/{event.id}"
    [(_, text, _)] = notes(fan)
    assert "scheduled a session you were interested in on Kubernetes" in text
    assert local(event.starts_at, "America/Chicago") in text
    assert notes(host) == []


def test_booking_through_the_page_notifies_the_hosts(client, auth, host):
    event = make_event(host, title="One seat only", capacity=1)
    guest = make_user(display_name="Gus Guest")
    auth.login(guest)
    response = client.post(f"/events/{event.id}/book")
    assert response.status_code == 303
    assert kinds(host) == ["event-full"]
    assert notes(guest) == []


def test_an_unknown_time_zone_reads_as_utc(app):
    person = make_user(timezone="Nowhere/Atlantis")
    moment = datetime(2031, 3, 4, 13, 0, tzinfo=UTC)
    assert when(moment, person) == "Tue 4 Mar at 13:00 UTC"
    person.timezone = "Europe/Paris"
    assert when(moment, person) == "Tue 4 Mar at 14:00 CET"
