"""The event page after the event: attendance, materials, feedback and the teach-back
invitation, through HTTP — plain forms (303 + message) and htmx (the fragment), permissions,
every message a person can trigger, and CSRF."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.events.models import Booking, EventFeedback, EventMaterial
from app.extensions import db
from tests.conftest import HTMX
from tests.events.factories import book, fill, make_event
from tests.factories import make_user
from tests.support.servers import GunicornServer, send, session_cookie


def text(response_or_html) -> str:
    html = getattr(response_or_html, "text", response_or_html)
    words = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
    return re.sub(r" ([.,;:!?])", r"\1", words)


def section(response, section_id: str) -> str:
    """One `<section id=…>` of the page, up to its end."""
    html = response.text
    start = html.index(f'<section id="{section_id}"')
    return html[start:html.index("</section>", start)]


def login(auth, user):
    """Sign in as `user`, signing out whoever was signed in."""
    auth.logout()
    response = auth.login(user)
    assert response.status_code == 303, response.status_code


def move_to(event, *, started_ago: timedelta, duration: timedelta = timedelta(hours=1)):
    event.starts_at = utcnow().replace(microsecond=0) - started_ago
    event.duration_minutes = int(duration.total_seconds() // 60)
    event.ends_at = event.starts_at + duration
    db.session.commit()


def ended(attendees: int = 1, **kwargs):
    event = make_event(make_user(display_name="Hana Host"), **kwargs)
    bookings = [book(event, make_user(display_name=f"Guest {n}")) for n in range(attendees)]
    move_to(event, started_ago=timedelta(hours=3))
    return event, bookings


def follow(client, response):
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"])


# -- Attendance ------------------------------------------------------------------------------


def test_hosts_tick_who_came_plain_and_with_htmx(client, auth):
    event, (ana, bo) = ended(attendees=2)
    login(auth, event.host)
    page = client.get(f"/events/{event.id}")
    attendance = section(page, "attendance")
    assert "Guest 0" in attendance and f'value="{ana.id}"' in attendance
    assert "0 of 2 checked in" in text(attendance)

    response = client.post(f"/events/{event.id}/attendance",
                           data={"attendance-attendees": [str(ana.id)]})
    assert response.headers["Location"] == f"/events/{event.id}#attendance"
    assert "Attendance saved: 1 person checked in." in text(follow(client, response))
    assert db.session.get(Booking, ana.id).checked_in_at is not None

    fragment = client.post(f"/events/{event.id}/attendance", headers=HTMX,
                           data={"attendance-attendees": [str(ana.id), str(bo.id)]})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="followup"' in fragment.text
    assert "2 people checked in" in text(fragment) and "2 of 2 checked in" in text(fragment)
    assert db.session.get(Booking, bo.id).checked_in_at is not None


def test_attendance_is_for_hosts_only(client, auth):
    event, (ana,) = ended()
    for person in (ana.user, make_user()):
        login(auth, person)
        response = client.post(f"/events/{event.id}/attendance",
                               data={"attendance-attendees": [str(ana.id)]})
        assert response.status_code == 403
        assert 'id="attendance"' not in client.get(f"/events/{event.id}").text
    assert db.session.get(Booking, ana.id).checked_in_at is None


def test_attendance_before_the_start_is_refused_with_a_message(client, auth):
    event = make_event(starts_in=timedelta(hours=3))
    booking = book(event)
    login(auth, event.host)
    assert "once the event starts" in text(section(client.get(f"/events/{event.id}"),
                                                   "attendance"))
    response = client.post(f"/events/{event.id}/attendance",
                           data={"attendance-attendees": [str(booking.id)]})
    assert "You can mark who attended once the event starts" in text(follow(client, response))
    assert db.session.get(Booking, booking.id).checked_in_at is None


def test_ticking_someone_without_a_booking_or_nonsense_comes_back_with_a_message(client, auth):
    event = make_event(capacity=1)
    seated, waiting = fill(event, waiting=1)
    move_to(event, started_ago=timedelta(minutes=5))
    login(auth, event.host)
    response = client.post(f"/events/{event.id}/attendance",
                           data={"attendance-attendees": [str(seated.id), str(waiting.id)]})
    assert response.status_code == 409
    assert "no longer have a booking for this event" in text(section(response, "attendance"))
    assert f'value="{seated.id}" checked' in response.text  # what they ticked is kept
    nonsense = client.post(f"/events/{event.id}/attendance",
                           data={"attendance-attendees": ["1; drop table"]})
    assert nonsense.status_code == 400 and "Tick people from the list." in text(nonsense)
    assert db.session.get(Booking, seated.id).checked_in_at is None


# -- Materials -------------------------------------------------------------------------------


def test_hosts_add_materials_shown_safely_on_the_event_page(client, auth):
    event = make_event()
    attendee = book(event).user
    login(auth, event.host)
    response = client.post(f"/events/{event.id}/materials", data={
        "material-title": "Slides", "material-url": "https://example.com/deck",
        "material-notes": "Try **this** <script>alert(1)</script>"})
    assert response.headers["Location"] == f"/events/{event.id}#materials"
    assert "Material added." in text(follow(client, response))

    login(auth, attendee)
    materials = section(client.get(f"/events/{event.id}"), "materials")
    assert '<a href="https://example.com/deck" rel="nofollow noopener">Slides</a>' in materials
    assert "<strong>this</strong>" in materials and "<script>" not in materials
    assert "Add a material" not in materials and "Delete" not in materials


@pytest.mark.parametrize(("data", "message"), [
    ({"material-title": "Slides", "material-url": "javascript:alert(1)"},
     "Enter a web address starting with http:// or https://"),
    ({"material-title": "Slides"}, "Add a link, some notes, or both."),
    ({"material-title": "", "material-url": "https://example.com"},
     "Give the material a title"),
    ({"material-title": "t" * 151, "material-url": "https://example.com"},
     "Keep the title to 150 characters at most."),
    ({"material-title": "Notes", "material-notes": "n" * 5001},
     "Keep the notes to 5,000 characters at most."),
])
def test_bad_materials_come_back_with_the_message_and_what_was_typed(client, auth, data,
                                                                     message):
    event = make_event()
    login(auth, event.host)
    response = client.post(f"/events/{event.id}/materials", data=data)
    assert response.status_code == 400
    materials = section(response, "materials")
    assert message in text(materials)
    if data.get("material-title"):
        assert f'value="{data["material-title"]}"' in materials
    assert db.session.scalars(select(EventMaterial)).all() == []

    fragment = client.post(f"/events/{event.id}/materials", data=data, headers=HTMX)
    assert fragment.status_code == 400 and "<html" not in fragment.text
    assert message in text(fragment)


def test_only_hosts_add_materials_and_delete_their_own(client, auth):
    event = make_event()
    cohost = make_user()
    event.cohosts.append(cohost)
    db.session.commit()
    login(auth, make_user())
    assert client.post(f"/events/{event.id}/materials", data={
        "material-title": "Spam", "material-url": "https://spam.example"}).status_code == 403

    login(auth, event.host)
    client.post(f"/events/{event.id}/materials",
                data={"material-title": "Host deck", "material-url": "https://example.com"})
    material_id = db.session.scalar(select(EventMaterial.id))
    delete_url = f"/events/{event.id}/materials/{material_id}/delete"

    login(auth, cohost)
    assert 'action="' + delete_url not in client.get(f"/events/{event.id}").text
    assert client.post(delete_url).status_code == 403
    other = make_event(cohost)
    assert client.post(f"/events/{other.id}/materials/{material_id}/delete").status_code == 404
    assert db.session.get(EventMaterial, material_id) is not None

    login(auth, event.host)
    fragment = client.post(delete_url, headers=HTMX)
    assert fragment.status_code == 200 and "Material deleted." in text(fragment)
    assert db.session.get(EventMaterial, material_id) is None


def test_a_stale_form_on_a_cancelled_event_says_why_rather_than_showing_field_errors(client,
                                                                                     auth):
    event, (booking,) = ended()
    event.status = "cancelled"
    db.session.commit()
    login(auth, event.host)
    response = client.post(f"/events/{event.id}/materials", data={"material-title": ""})
    assert "This event was cancelled, so materials can't be added" in text(
        follow(client, response))
    attendance = client.post(f"/events/{event.id}/attendance",
                             data={"attendance-attendees": ["x"]})
    assert "there's no attendance to mark" in text(follow(client, attendance))
    login(auth, booking.user)
    rating = client.post(f"/events/{event.id}/feedback", data={"feedback-rating": "9"})
    assert "This event was cancelled, so it can't be rated." in text(follow(client, rating))


# -- Feedback --------------------------------------------------------------------------------


def test_an_attendee_rates_once_and_sees_their_rating(client, auth):
    event, (booking,) = ended()
    login(auth, booking.user)
    form = section(client.get(f"/events/{event.id}"), "feedback")
    assert 'name="feedback-rating"' in form and 'maxlength="1000"' in form

    response = client.post(f"/events/{event.id}/feedback",
                           data={"feedback-rating": "4", "feedback-comment": "Clear and fun"})
    assert response.headers["Location"] == f"/events/{event.id}#feedback"
    page = follow(client, response)
    assert "Thank you for your feedback." in text(page)
    assert "You rated this event 4 out of 5. “Clear and fun”" in text(section(page, "feedback"))

    again = client.post(f"/events/{event.id}/feedback", data={"feedback-rating": "1"})
    assert "You've already rated this event" in text(follow(client, again))
    assert [f.rating for f in db.session.scalars(select(EventFeedback))] == [4]


@pytest.mark.parametrize(("data", "message"), [
    ({"feedback-rating": "7", "feedback-comment": "kept text"}, "Choose a rating from 1 to 5."),
    ({"feedback-comment": "kept text"}, "Choose a rating from 1 to 5."),
    ({"feedback-rating": "3", "feedback-comment": "kept text" + "x" * 1000},
     "Keep the comment to 1,000 characters at most."),
])
def test_bad_feedback_comes_back_with_the_message_and_the_comment(client, auth, data, message):
    event, (booking,) = ended()
    login(auth, booking.user)
    response = client.post(f"/events/{event.id}/feedback", data=data)
    assert response.status_code == 400
    feedback = section(response, "feedback")
    assert message in text(feedback) and "kept text" in feedback
    assert db.session.scalars(select(EventFeedback)).all() == []


def test_feedback_refusals_say_why(client, auth):
    event = make_event(starts_in=timedelta(hours=2))
    booking = book(event)
    login(auth, booking.user)
    early = client.post(f"/events/{event.id}/feedback", data={"feedback-rating": "5"})
    assert "You can rate this event once it has ended" in text(follow(client, early))
    assert "once it has ended" in text(section(client.get(f"/events/{event.id}"), "feedback"))

    move_to(event, started_ago=timedelta(hours=2))
    login(auth, make_user())
    stranger = client.post(f"/events/{event.id}/feedback", data={"feedback-rating": "5"})
    assert stranger.status_code == 403
    assert "Only people who had a seat at this event can rate it." in text(stranger)
    login(auth, event.host)
    host = client.post(f"/events/{event.id}/feedback", data={"feedback-rating": "5"})
    assert host.status_code == 403 and "You hosted this event" in text(host)
    assert db.session.scalars(select(EventFeedback)).all() == []


def test_hosts_see_feedback_only_from_three_ratings_and_without_names(client, auth):
    event, bookings = ended(attendees=3)
    for booking, (rating, comment) in zip(bookings[:2], [("5", "Great pace"),
                                                         ("2", "Too long")], strict=True):
        login(auth, booking.user)
        client.post(f"/events/{event.id}/feedback",
                    data={"feedback-rating": rating, "feedback-comment": comment})

    login(auth, event.host)
    feedback = text(section(client.get(f"/events/{event.id}"), "feedback"))
    assert "Feedback appears once 3 people have rated, to keep it anonymous" in feedback
    assert "Great pace" not in feedback and "out of 5" not in feedback

    login(auth, bookings[2].user)
    client.post(f"/events/{event.id}/feedback", data={"feedback-rating": "4"})
    login(auth, event.host)
    feedback = text(section(client.get(f"/events/{event.id}"), "feedback"))
    assert "Average rating 3.7 out of 5 from 3 people" in feedback
    assert "Great pace" in feedback and "Too long" in feedback
    assert "Guest" not in feedback  # no names next to the comments

    login(auth, bookings[0].user)
    mine = text(section(client.get(f"/events/{event.id}"), "feedback"))
    assert "You rated this event 5 out of 5" in mine and "Too long" not in mine


# -- Teach-back, login and CSRF --------------------------------------------------------------


def test_workshop_attendees_are_invited_to_host_a_teach_back(client, auth):
    event, (booking,) = ended()
    login(auth, booking.user)
    invite = section(client.get(f"/events/{event.id}"), "teach-back")
    assert f'href="/events/new?teach_back_of={event.id}"' in invite
    login(auth, event.host)
    assert 'id="teach-back"' not in client.get(f"/events/{event.id}").text


def test_everything_needs_a_login(client):
    event, (booking,) = ended()
    material = EventMaterial(event_id=event.id, title="Deck", url="https://example.com")
    db.session.add(material)
    db.session.commit()
    for path in (f"/events/{event.id}/attendance", f"/events/{event.id}/materials",
                 f"/events/{event.id}/materials/{material.id}/delete",
                 f"/events/{event.id}/feedback"):
        response = client.post(path, data={"feedback-rating": "5"})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalars(select(EventFeedback)).all() == []


def test_posts_without_a_csrf_token_change_nothing(app, client, auth):
    event, (booking,) = ended()
    db.session.add(EventMaterial(event_id=event.id, title="Deck", url="https://example.com"))
    db.session.commit()
    material = db.session.scalar(select(EventMaterial))
    login(auth, booking.user)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/events/{event.id}/feedback", data={"feedback-rating": "5"})
    assert response.status_code == 400 and "Your form expired" in text(response)
    auth_host = client.post(f"/events/{event.id}/materials/{material.id}/delete")
    assert auth_host.status_code == 400
    assert db.session.scalars(select(EventFeedback)).all() == []
    assert db.session.get(EventMaterial, material.id) is not None


def test_feedback_sent_many_times_at_once_is_saved_once_without_an_error(app, app_config,
                                                                        tmp_path):
    event, (booking,) = ended()
    cookie = session_cookie(app, booking.user)
    path = f"/events/{event.id}/feedback"
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def post(server) -> None:
        connection = server.connection(60)
        try:
            connection.connect()
            barrier.wait(60)
            statuses.append(send(connection, "POST", path, cookie=cookie,
                                 body=b"feedback-rating=4")[0])
        finally:
            connection.close()

    with GunicornServer(app_config, tmp_path, workers=3, threads=2) as server:
        threads = [threading.Thread(target=post, args=(server,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        log = server.log_tail(20_000)
    assert statuses == [303] * 6, log
    assert "Traceback" not in log, log
    assert [f.rating for f in db.session.scalars(select(EventFeedback))] == [4]
