"""`flask exchanges remind`: fit-check and feedback reminders, safe to run from cron."""

from __future__ import annotations

import click

from app.exchanges import progress
from app.exchanges.cli import exchanges_cli
from app.extensions import db


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@exchanges_cli.command("remind")
def remind_command() -> None:
    """Ask members to answer a due fit check, or to rate a completed exchange. Idempotent:
    each person gets each reminder at most once, however often it runs."""
    sent = progress.send_reminders()
    db.session.commit()
    click.echo(f"Sent {_plural(sent.fit_checks, 'fit-check reminder')} and "
               f"{_plural(sent.feedback, 'feedback reminder')}.")
