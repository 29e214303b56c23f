"""`flask events …`: housekeeping for events, safe to run from cron as often as you like.

- `flask events send-reminders` — reminders for events starting within a day, feedback
  requests for events that ended; each booking hears each at most once.
- `flask events expire-offers` — seats offered from a waitlist and not claimed in time lapse
  and go to the next person waiting.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.events import booking, reminders
from app.extensions import db

events_cli = AppGroup("events", help="Event housekeeping (reminders, seat offers).")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@events_cli.command("send-reminders")
def send_reminders_command() -> None:
    """Send due event reminders and feedback requests. Idempotent: a second run sends
    nothing, and two runs at once never send the same reminder twice."""
    sent = reminders.send_all(after_batch=db.session.commit)
    click.echo(f"Sent {_count(sent.reminders, 'reminder')} and "
               f"{_count(sent.feedback_requests, 'feedback request')}.")


@events_cli.command("expire-offers")
def expire_offers_command() -> None:
    """Lapse seat offers nobody claimed in time; the seats go to the next people waiting."""
    lapsed = booking.expire_offers()
    db.session.commit()
    click.echo(f"{_count(lapsed, 'seat offer')} lapsed.")
