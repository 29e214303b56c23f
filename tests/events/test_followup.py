"""After an event, at the service level: attendance, materials, feedback and its anonymity
threshold, and the teach-back invitation (`followup_context`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.events import followup
from app.events.followup_queries import ANONYMITY_NOTE, followup_context
from app.events.models import (
    CANCELLED,
    LUNCH_AND_LEARN,
    TEACH_BACK,
    WAITING,
    Booking,
    EventFeedback,
    EventMaterial,
)
from app.extensions import db
from tests.events.factories import book, fill, make_event
from tests.factories import make_user


def move_to(event, *, started_ago: timedelta, duration: timedelta = timedelta(hours=1)):
    """Put a (booked) event in the past: it started `started_ago`."""
    event.starts_at = utcnow().replace(microsecond=0) - started_ago
    event.duration_minutes = int(duration.total_seconds() // 60)
    event.ends_at = event.starts_at + duration
    db.session.commit()
    return event


def ended_event(*, attendees: int = 1, **kwargs):
    host = make_user(display_name="Hana Host")
    event = make_event(host, **kwargs)
    bookings = [book(event) for _ in range(attendees)]
    move_to(event, started_ago=timedelta(hours=3))
    return event, bookings


def view(event, viewer):
    return followup_context(event, viewer)["followup"]


# -- Attendance ------------------------------------------------------------------------------


def test_hosts_mark_who_attended_and_can_untick_someone(app):
    event, (ana, bo, cy) = ended_event(attendees=3)
    assert followup.check_in(event, [ana.id, bo.id], event.host) == 2
    db.session.commit()
    first_time = db.session.get(Booking, ana.id).checked_in_at
    assert first_time is not None
    assert db.session.get(Booking, cy.id).checked_in_at is None

    assert followup.check_in(event, [ana.id, cy.id], event.host, now=utcnow()
                             + timedelta(minutes=5)) == 2
    db.session.commit()
    assert db.session.get(Booking, ana.id).checked_in_at == first_time  # kept, not reset
    assert db.session.get(Booking, bo.id).checked_in_at is None
    assert db.session.get(Booking, cy.id).checked_in_at is not None

    assert followup.check_in(event, [], event.host) == 0  # nobody ticked: nobody came
    db.session.commit()
    assert [db.session.get(Booking, b.id).checked_in_at for b in (ana, bo, cy)] == [None] * 3


def test_attendance_opens_when_the_event_starts(app):
    event = make_event(starts_in=timedelta(hours=2))
    booking = book(event)
    with pytest.raises(Conflict, match="once the event starts"):
        followup.check_in(event, [booking.id], event.host)
    assert followup.can_mark_attendance(event.host, event) is False
    move_to(event, started_ago=timedelta(minutes=1))
    assert followup.check_in(event, [booking.id], event.host) == 1
    assert followup.can_mark_attendance(event.host, event) is True


def test_only_hosts_and_cohosts_mark_attendance(app):
    event, (booking,) = ended_event()
    with pytest.raises(NotAllowed, match="Only the event's hosts"):
        followup.check_in(event, [booking.id], booking.user)
    cohost = make_user()
    event.cohosts.append(cohost)
    db.session.commit()
    assert followup.check_in(event, [booking.id], cohost) == 1


def test_attendance_refuses_people_without_a_confirmed_booking(app):
    event = make_event(capacity=1)
    confirmed, waiting = fill(event, waiting=1)
    other_event, (stranger,) = ended_event()
    move_to(event, started_ago=timedelta(minutes=30))
    for wrong in (waiting.id, stranger.id):
        with pytest.raises(Invalid, match="no longer have a booking") as refused:
            followup.check_in(event, [confirmed.id, wrong], event.host)
        assert refused.value.field == "attendees"
    assert db.session.get(Booking, confirmed.id).checked_in_at is None


def test_attendance_of_a_cancelled_event_is_refused(app):
    event, (booking,) = ended_event()
    event.status = CANCELLED
    db.session.commit()
    with pytest.raises(Conflict, match="cancelled"):
        followup.check_in(event, [booking.id], event.host)


# -- Materials -------------------------------------------------------------------------------


def test_hosts_add_a_link_notes_or_both_and_notes_are_sanitised(app):
    event = make_event()
    link = followup.add_material(event, event.host, "  Slides  ", "https://example.com/s")
    notes = followup.add_material(
        event, event.host, "Notes", "",
        "**Read** this <script>alert(1)</script> [x](javascript:alert(1))")
    db.session.commit()
    assert (link.title, link.url, link.notes_html) == ("Slides", "https://example.com/s", "")
    assert "<strong>Read</strong>" in notes.notes_html
    assert "<script" not in notes.notes_html and "href" not in notes.notes_html
    assert [m.title for m in view(event, event.host).materials] == ["Slides", "Notes"]


@pytest.mark.parametrize(("title", "url", "notes", "field", "message"), [
    ("", "https://example.com", "", "title", "Give the material a title"),
    ("x" * 151, "https://example.com", "", "title", "150 characters at most"),
    ("Slides", "", "   ", "url", "Add a link, some notes, or both"),
    ("Slides", "javascript:alert(1)", "", "url", "starting with http:// or https://"),
    ("Slides", "ftp://example.com/file", "", "url", "starting with http:// or https://"),
    ("Slides", "https://", "", "url", "starting with http:// or https://"),
    ("Slides", "https://exa mple.com", "", "url", "starting with http:// or https://"),
    ("Slides", "https://example.com/" + "a" * 500, "", "url", "500 characters at most"),
    ("Slides", "", "n" * 5001, "notes", "5,000 characters at most"),
])
def test_bad_materials_are_refused_with_a_message(app, title, url, notes, field, message):
    event = make_event()
    with pytest.raises(Invalid, match=message) as refused:
        followup.add_material(event, event.host, title, url, notes)
    assert refused.value.field == field


def test_only_hosts_add_materials_and_there_is_a_cap(app, monkeypatch):
    event = make_event()
    with pytest.raises(NotAllowed):
        followup.add_material(event, make_user(), "Slides", "https://example.com")
    monkeypatch.setattr(followup, "MATERIALS_MAX", 2)
    for n in range(2):
        followup.add_material(event, event.host, f"Part {n}", "https://example.com")
    with pytest.raises(Conflict, match="at most 2 materials"):
        followup.add_material(event, event.host, "One more", "https://example.com")


def test_deleting_materials_own_ones_or_as_the_events_host(app):
    event = make_event()
    cohost = make_user()
    event.cohosts.append(cohost)
    db.session.commit()
    hosts = followup.add_material(event, event.host, "Host's slides", "https://example.com/a")
    cohosts = followup.add_material(event, cohost, "Co-host's notes", "", "Some notes")
    db.session.commit()

    assert not followup.can_delete_material(cohost, hosts)
    with pytest.raises(NotAllowed, match="Only the host who added"):
        followup.delete_material(hosts, cohost)
    with pytest.raises(NotAllowed):
        followup.delete_material(hosts, make_user())

    followup.delete_material(cohosts, cohost)
    followup.delete_material(hosts, event.host)
    db.session.commit()
    assert db.session.scalars(select(EventMaterial)).all() == []


# -- Feedback --------------------------------------------------------------------------------


def test_attendees_rate_once_after_the_event_checked_in_or_not(app):
    event, (ana, bo) = ended_event(attendees=2)
    followup.check_in(event, [ana.id], event.host)
    followup.give_feedback(event, ana.user, 5, "  Loved it  ")
    followup.give_feedback(event, bo.user, "3")
    db.session.commit()
    rows = db.session.scalars(select(EventFeedback).order_by(EventFeedback.id)).all()
    assert [(f.user_id, f.rating, f.comment) for f in rows] == [
        (ana.user_id, 5, "Loved it"), (bo.user_id, 3, "")]

    with pytest.raises(Conflict, match="already rated"):
        followup.give_feedback(event, ana.user, 4)


def test_a_double_submit_that_slips_past_the_check_is_a_conflict_not_an_error(app, monkeypatch):
    event, (booking,) = ended_event()
    followup.give_feedback(event, booking.user, 4)
    db.session.commit()
    monkeypatch.setattr(followup, "has_rated", lambda event, user: False)
    with pytest.raises(Conflict, match="already rated"):
        followup.give_feedback(event, booking.user, 2)
    db.session.commit()  # the savepoint kept the session usable
    assert [f.rating for f in db.session.scalars(select(EventFeedback))] == [4]


def test_feedback_is_refused_before_the_end_and_to_anyone_without_a_seat(app):
    event = make_event(capacity=1)
    seated, waiting = fill(event, waiting=1)
    move_to(event, started_ago=timedelta(minutes=10))  # started, not ended
    with pytest.raises(Conflict, match="once it has ended"):
        followup.give_feedback(event, seated.user, 5)
    move_to(event, started_ago=timedelta(hours=2))
    assert waiting.status == WAITING
    for person in (waiting.user, make_user()):
        with pytest.raises(NotAllowed, match="Only people who had a seat"):
            followup.give_feedback(event, person, 5)
    with pytest.raises(NotAllowed, match="You hosted this event"):
        followup.give_feedback(event, event.host, 5)
    event.status = CANCELLED
    db.session.commit()
    with pytest.raises(Conflict, match="cancelled"):
        followup.give_feedback(event, seated.user, 5)


@pytest.mark.parametrize(("rating", "comment", "field", "message"), [
    (0, "", "rating", "from 1 to 5"),
    (6, "", "rating", "from 1 to 5"),
    ("five", "", "rating", "from 1 to 5"),
    (None, "", "rating", "from 1 to 5"),
    (4, "c" * 1001, "comment", "1,000 characters at most"),
    (4, "bell\x07", "comment", "control characters"),
])
def test_bad_feedback_is_refused_with_a_message(app, rating, comment, field, message):
    event, (booking,) = ended_event()
    with pytest.raises(Invalid, match=message) as refused:
        followup.give_feedback(event, booking.user, rating, comment)
    assert refused.value.field == field
    assert db.session.scalars(select(EventFeedback)).all() == []


def test_hosts_see_nothing_until_three_people_rated_then_average_and_anonymous_comments(app):
    event, bookings = ended_event(attendees=3)
    cohost = make_user()
    event.cohosts.append(cohost)
    db.session.commit()
    followup.give_feedback(event, bookings[0].user, 5, "Great examples")
    followup.give_feedback(event, bookings[1].user, 2, "Too fast")
    db.session.commit()

    summary = view(event, event.host).feedback_summary
    assert (summary.visible, summary.average, summary.comments) == (False, None, [])
    assert summary.note == ANONYMITY_NOTE
    assert "once 3 people have rated, to keep it anonymous" in ANONYMITY_NOTE

    followup.give_feedback(event, bookings[2].user, 4)
    db.session.commit()
    for host in (event.host, cohost):
        summary = view(event, host).feedback_summary
        assert summary.visible and summary.count == 3
        assert summary.average == pytest.approx(3.7)
        assert summary.comments == ["Great examples", "Too fast"]  # text only, no names
    assert view(event, bookings[0].user).feedback_summary is None  # attendees don't see it


def test_attendees_see_their_own_feedback_or_the_form(app):
    event, (ana, bo) = ended_event(attendees=2)
    followup.give_feedback(event, ana.user, 4, "Good")
    db.session.commit()
    mine = view(event, ana.user)
    assert mine.my_feedback.rating == 4 and not mine.can_give_feedback
    theirs = view(event, bo.user)
    assert theirs.my_feedback is None and theirs.can_give_feedback
    assert theirs.feedback_form is not None
    stranger = view(event, make_user())
    assert not stranger.can_give_feedback and not stranger.show_feedback_section


def test_before_the_end_an_attendee_is_told_feedback_comes_later(app):
    event = make_event(starts_in=timedelta(days=1))
    booking = book(event)
    later = view(event, booking.user)
    assert later.feedback_later and not later.can_give_feedback and later.show_feedback_section


def test_host_attendance_list_is_the_confirmed_bookings_by_name(app):
    event = make_event(capacity=2)
    zed = book(event, make_user(display_name="Zed"))
    amy = book(event, make_user(display_name="Amy"))
    book(event, make_user(display_name="Waiting Will"))
    assert view(event, event.host).attendance == []  # not started: no list yet
    move_to(event, started_ago=timedelta(minutes=5))
    assert [b.id for b in view(event, event.host).attendance] == [amy.id, zed.id]
    assert view(event, amy.user).attendance == []


# -- Teach-back ------------------------------------------------------------------------------


def test_workshop_attendees_are_invited_to_host_a_teach_back(app):
    event, (booking,) = ended_event()
    assert view(event, booking.user).invite_teach_back
    assert not view(event, event.host).invite_teach_back
    assert not view(event, make_user()).invite_teach_back

    make_event(booking.user, kind=TEACH_BACK, teach_back_of_id=event.id)
    invited = view(event, booking.user)
    assert not invited.invite_teach_back and invited.existing_teach_back is not None


def test_no_teach_back_invitation_before_the_end_or_after_other_kinds(app):
    upcoming = make_event(starts_in=timedelta(days=2))
    booking = book(upcoming)
    assert not view(upcoming, booking.user).invite_teach_back
    lunch, (guest,) = ended_event(kind=LUNCH_AND_LEARN)
    assert not view(lunch, guest.user).invite_teach_back
