"""`flask events send-reminders` and `flask events expire-offers`: each booking hears a
reminder before its event and a feedback request after it exactly once, however often cron
runs them."""

from __future__ import annotations

import threading
import traceback
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core import signals
from app.core.db import utcnow
from app.events import booking as booking_services
from app.events import reminders
from app.events.models import CANCELLED, LAPSED, OFFERED, Booking, Event
from app.extensions import db
from app.notifications.models import Notification
from tests.events.factories import book, fill, make_event


@contextmanager
def received(signal):
    """The ids of the bookings `signal` was sent for while the block ran."""
    bookings: list[int] = []

    def receiver(booking, **extra):
        bookings.append(booking.id)

    signal.connect(receiver)
    try:
        yield bookings
    finally:
        signal.disconnect(receiver)


def notifications(kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == kind))


def ended(event: Event, ago: timedelta) -> None:
    """Move an event (with its bookings already made) so that it ended `ago`."""
    ends_at = utcnow() - ago
    starts_at = ends_at - timedelta(minutes=event.duration_minutes)
    event.starts_at, event.ends_at = starts_at, ends_at


@pytest.fixture
def schedule(app):
    """Bookings in every situation the reminder job must tell apart."""
    soon = make_event(title="Starts soon", starts_in=timedelta(hours=3), capacity=1)
    soon_booked, soon_waiting = fill(soon, waiting=1)
    gone = book(make_event(title="Gone", starts_in=timedelta(hours=3)))
    booking_services.cancel_booking(gone, gone.user)
    later = book(make_event(title="In two days", starts_in=timedelta(hours=30)))
    called_off = make_event(title="Called off", starts_in=timedelta(hours=2))
    called_off_booking = book(called_off)
    running = book(make_event(title="Running now", starts_in=timedelta(hours=1)))
    done = make_event(title="Finished yesterday", starts_in=timedelta(days=2))
    done_booked = book(done)
    long_done = make_event(title="Finished last month", starts_in=timedelta(days=2))
    long_done_booked = book(long_done)
    db.session.flush()

    called_off.status, called_off.cancelled_at = CANCELLED, utcnow()
    called_off_booking.status, called_off_booking.cancelled_at = CANCELLED, utcnow()
    started = utcnow() - timedelta(minutes=10)
    running_event = running.event
    running_event.starts_at, running_event.ends_at = started, started + timedelta(hours=1)
    ended(done, timedelta(days=1))
    ended(long_done, timedelta(days=30))
    db.session.commit()
    return {"remind": [soon_booked], "ask": [done_booked],
            "never": [soon_waiting, gone, later, called_off_booking, running, long_done_booked]}


def test_reminders_and_feedback_requests_go_once_to_the_right_bookings(app, schedule):
    with received(signals.event_reminder) as reminded, \
            received(signals.event_feedback_due) as asked:
        sent = reminders.send_all(after_batch=db.session.commit)
    assert sent == reminders.Sent(reminders=1, feedback_requests=1)
    assert reminded == [b.id for b in schedule["remind"]]
    assert asked == [b.id for b in schedule["ask"]]
    assert notifications("event-reminder") == 1
    assert notifications("event-feedback") == 1

    db.session.expire_all()
    [soon_booked], [done_booked] = schedule["remind"], schedule["ask"]
    assert db.session.get(Booking, soon_booked.id).reminded_at is not None
    assert db.session.get(Booking, done_booked.id).feedback_requested_at is not None
    for booking in schedule["never"]:
        row = db.session.get(Booking, booking.id)
        assert row.reminded_at is None and row.feedback_requested_at is None

    with received(signals.event_reminder) as reminded, \
            received(signals.event_feedback_due) as asked:
        again = reminders.send_all(after_batch=db.session.commit)
    assert again == reminders.Sent(0, 0) and reminded == [] and asked == []
    assert notifications("event-reminder") == 1 and notifications("event-feedback") == 1


def test_a_reminder_another_run_already_claimed_is_not_sent_again(app):
    booking = book(make_event(starts_in=timedelta(hours=2)))
    booking.reminded_at = utcnow()  # claimed by a run that was a moment quicker
    db.session.commit()
    now = utcnow()
    due_ignoring_the_claim = [Event.starts_at > now]  # as the slower run's SELECT saw it
    with received(signals.event_reminder) as reminded:
        seen, sent = reminders._send_batch(due_ignoring_the_claim, "reminded_at",
                                           signals.event_reminder, now, 10)
    assert (seen, sent) == (1, 0) and reminded == []


def test_only_people_who_came_are_asked_once_attendance_was_taken(app):
    event = make_event(starts_in=timedelta(days=2))
    came, missed = fill(event)[:2]
    ended(event, timedelta(hours=2))
    came.checked_in_at = event.starts_at
    db.session.commit()
    with received(signals.event_feedback_due) as asked:
        reminders.send_all(after_batch=db.session.commit)
    assert asked == [came.id]
    assert missed.id not in set(asked)


def test_many_due_bookings_are_sent_batch_by_batch(app):
    event = make_event(starts_in=timedelta(hours=5), capacity=7)
    bookings = fill(event)
    commits = []

    def commit():
        commits.append(1)
        db.session.commit()

    with received(signals.event_reminder) as reminded:
        sent = reminders.send_all(after_batch=commit, limit=3)
    assert sent.reminders == 7
    assert sorted(reminded) == sorted(b.id for b in bookings)
    assert len(commits) >= 3  # 3 + 3 + 1 reminders, then the feedback batch


def test_the_send_reminders_command_reports_and_is_idempotent(runner, schedule):
    first = runner.invoke(args=["events", "send-reminders"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "Sent 1 reminder and 1 feedback request."
    second = runner.invoke(args=["events", "send-reminders"])
    assert second.exit_code == 0
    assert second.output.strip() == "Sent 0 reminders and 0 feedback requests."
    db.session.expire_all()
    assert notifications("event-reminder") == 1


def test_the_expire_offers_command_lapses_unclaimed_seats_for_the_next_person(runner):
    event = make_event(capacity=1, starts_in=timedelta(days=3))
    first, second, third = fill(event, waiting=2)
    booking_services.cancel_booking(first, first.user)
    db.session.commit()
    db.session.refresh(second)
    assert second.status == OFFERED
    second.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    result = runner.invoke(args=["events", "expire-offers"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 seat offer lapsed."
    db.session.expire_all()
    assert db.session.get(Booking, second.id).status == LAPSED
    assert db.session.get(Booking, third.id).status == OFFERED
    again = runner.invoke(args=["events", "expire-offers"])
    assert again.output.strip() == "0 seat offers lapsed."


def test_the_commands_are_listed(runner):
    result = runner.invoke(args=["events", "--help"])
    assert result.exit_code == 0
    assert "send-reminders" in result.output and "expire-offers" in result.output


def test_two_runs_at_once_send_each_reminder_exactly_once(app):
    """Two cron runs overlapping (each in its own thread, session and connection), working
    in small batches through the same due bookings."""
    event = make_event(starts_in=timedelta(hours=4), capacity=24)
    bookings = fill(event)
    barrier = threading.Barrier(2)
    results: list[reminders.Sent] = []
    errors: list[str] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait(30)
                results.append(reminders.send_all(after_batch=db.session.commit, limit=4))
                db.session.remove()
        except Exception:  # noqa: BLE001 — reported below, failing the test
            errors.append(traceback.format_exc())

    with received(signals.event_reminder) as reminded:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    assert sum(r.reminders for r in results) == len(bookings)
    assert sorted(reminded) == sorted(b.id for b in bookings)
    db.session.expire_all()
    assert notifications("event-reminder") == len(bookings)
