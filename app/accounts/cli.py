"""`flask users …`: account administration from the shell."""

import click
from flask.cli import AppGroup

from app.accounts import services
from app.core.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create-admin")
@click.option("--email", prompt=True, help="Email address to log in with.")
@click.option("--name", prompt="Full name", help="The administrator's name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="SKILLSWAP_ADMIN_PASSWORD",
              help="Password (prompted for if not given; or set SKILLSWAP_ADMIN_PASSWORD).")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator, or make an existing account one.

    There is no default account: run this once after the first `flask db upgrade`.
    """
    try:
        user = services.create_admin(name=name, email=email, password=password)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from err
    db.session.commit()
    click.echo(f"{user.email} (@{user.handle}) is an administrator.")
