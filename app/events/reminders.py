"""Reminders before an event and feedback requests after it, sent by `flask events
send-reminders` (cron, e.g. every 15 minutes).

- A confirmed booking of a scheduled event that starts within `REMIND_BEFORE` (and hasn't
  started) gets one `signals.event_reminder`.
- A confirmed booking of a scheduled event that ended within `FEEDBACK_WITHIN` gets one
  `signals.event_feedback_due` — unless the hosts marked attendance and this person wasn't
  there (nobody is asked how an event they missed went).

Each booking is claimed with a conditional UPDATE (`… WHERE reminded_at IS NULL`) before its
signal is sent, so two runs at once never send the same reminder twice, and a run after a
crash sends what the crashed run didn't commit. The functions work in batches of
`BATCH_SIZE`; they flush but never commit — the caller commits after each batch, so the
claims and the notification rows the listeners write land together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.core import signals
from app.core.db import utcnow
from app.events.models import CONFIRMED, SCHEDULED, Booking, Event
from app.extensions import db

REMIND_BEFORE = timedelta(hours=24)
FEEDBACK_WITHIN = timedelta(days=7)
BATCH_SIZE = 200


@dataclass(frozen=True)
class Sent:
    reminders: int = 0
    feedback_requests: int = 0


def _reminder_due(now: datetime) -> list[ColumnElement[bool]]:
    return [Booking.reminded_at.is_(None), Event.starts_at > now,
            Event.starts_at <= now + REMIND_BEFORE]


def _feedback_due(now: datetime) -> list[ColumnElement[bool]]:
    other = aliased(Booking)
    attendance_taken = exists().where(other.event_id == Booking.event_id,
                                      other.checked_in_at.is_not(None))
    return [Booking.feedback_requested_at.is_(None), Event.ends_at <= now,
            Event.ends_at > now - FEEDBACK_WITHIN,
            or_(Booking.checked_in_at.is_not(None), ~attendance_taken)]


def _send_batch(due: list[ColumnElement[bool]], stamp: str, signal, now: datetime,
                limit: int) -> tuple[int, int]:
    """Claim and signal up to `limit` due bookings: (how many were due, how many sent)."""
    column = getattr(Booking, stamp)
    candidates = list(db.session.scalars(
        select(Booking).join(Event, Event.id == Booking.event_id)
        .where(Booking.status == CONFIRMED, Event.status == SCHEDULED, *due)
        .options(joinedload(Booking.event).joinedload(Event.host), joinedload(Booking.user))
        .order_by(Booking.id).limit(limit)))
    sent = 0
    for booking in candidates:
        claimed = db.session.execute(
            update(Booking).where(Booking.id == booking.id, Booking.status == CONFIRMED,
                                  column.is_(None))
            .values({stamp: now}).execution_options(synchronize_session=False)).rowcount
        if not claimed:
            continue  # another run got there first
        set_committed_value(booking, stamp, now)
        signal.send(booking)
        sent += 1
    db.session.flush()
    return len(candidates), sent


def send_reminder_batch(now: datetime | None = None, limit: int = BATCH_SIZE) -> tuple[int, int]:
    """One batch of reminders: (how many were due, how many this call sent)."""
    now = now or utcnow()
    return _send_batch(_reminder_due(now), "reminded_at", signals.event_reminder, now, limit)


def send_feedback_batch(now: datetime | None = None, limit: int = BATCH_SIZE) -> tuple[int, int]:
    """One batch of feedback requests: (how many were due, how many this call sent)."""
    now = now or utcnow()
    return _send_batch(_feedback_due(now), "feedback_requested_at",
                       signals.event_feedback_due, now, limit)


def send_all(now: datetime | None = None, *, after_batch: Callable[[], None] = lambda: None,
             limit: int = BATCH_SIZE) -> Sent:
    """Every reminder and feedback request due at `now`, batch by batch; `after_batch` (the
    CLI's commit) runs after each one. Running it again at once sends nothing."""
    now = now or utcnow()
    totals = []
    for batch in (send_reminder_batch, send_feedback_batch):
        total = 0
        while True:
            due, sent = batch(now, limit)
            after_batch()
            total += sent
            if due < limit or not sent:  # done, or another run is working through the rest
                break
        totals.append(total)
    return Sent(*totals)
