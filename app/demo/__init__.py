"""`flask seed demo`: a believable organisation to explore Skillswap with.

Reproducible: the same `--seed` gives the same people. `--if-empty` seeds only a database
with no accounts yet, so `make run` seeds on the first run and never again.
"""

import random

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db

seed_cli = AppGroup("seed", help="Fill the database with demo data.")


@seed_cli.command("demo")
@click.option("--people", default=160, show_default=True, type=click.IntRange(10, 20000),
              help="How many people to create.")
@click.option("--seed", "seed_number", default=2026, show_default=True, type=int,
              help="Random seed; the same number gives the same organisation.")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database already has accounts.")
@click.option("--password", default=None, envvar="SKILLSWAP_DEMO_PASSWORD",
              help="Give every demo person this password (default: they cannot log in).")
@click.option("--questions", default=300, show_default=True, type=click.IntRange(0, 200_000),
              help="How many forum questions to create.")
def seed_demo(people: int, seed_number: int, if_empty: bool, password: str | None,
              questions: int) -> None:
    """Create demo people across departments, the skill taxonomy, their offers, a forum
    they use, and the events they host and go to."""
    from app.demo.events import create_events
    from app.demo.forum import create_forum
    from app.demo.offers import create_offers
    from app.demo.people import create_people
    from app.demo.skills import create_taxonomy

    existing = db.session.scalar(select(func.count()).select_from(User)) or 0
    if if_empty and existing:
        click.echo(f"The database already has {existing} accounts; not seeding demo data.")
        return
    rng = random.Random(seed_number)
    with click.progressbar(length=people, label="Creating people") as bar:
        created = create_people(rng, people, password=password, progress=bar.update)
    skills = create_taxonomy()
    # Offers draw from their own generator, so adding them leaves the forum as it was.
    offers = create_offers(random.Random(f"offers-{seed_number}"), created, skills)
    with click.progressbar(length=questions, label="Creating the forum") as bar:
        forum = create_forum(rng, created, questions, progress=bar.update)
    # Events too draw from their own generator, after everything they build on.
    events = create_events(random.Random(f"events-{seed_number}"), created, skills, offers)
    db.session.commit()
    departments = len({p.department for p in created})
    click.echo(f"Created {len(created)} people in {departments} departments "
               f"(seed {seed_number}).")
    categories = len({s.category_id for s in skills if s.category_id is not None})
    click.echo(f"Created {len(skills)} skills in {categories} categories.")
    click.echo(f"Created {len(offers)} offers.")
    click.echo("Created {questions} questions, {answers} answers, {comments} comments and "
               "{votes} votes.".format(**forum))
    if events.get("upcoming") or events.get("past"):
        click.echo("Created {upcoming} upcoming and {past} past events with {bookings} seats "
                   "booked, {waiting} people waiting, {materials} materials, {ratings} ratings "
                   "and {proposals} session proposals.".format(**events))
