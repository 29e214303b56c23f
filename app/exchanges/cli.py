"""`flask exchanges …`: housekeeping for exchanges, safe to run from cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.exchanges import services
from app.extensions import db

exchanges_cli = AppGroup("exchanges", help="Exchange housekeeping.")


@exchanges_cli.command("expire")
def expire_command() -> None:
    """Expire requests nobody answered in time. Idempotent: run it as often as you like."""
    count = services.expire_overdue()
    db.session.commit()
    click.echo(f"Expired {count} request{'' if count == 1 else 's'}.")
