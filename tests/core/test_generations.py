"""Which writes move a cache area's generation: a watch limited to some columns ignores
updates of other columns — ORM or bulk, by criteria or by primary key — while association
rows written by a collection change count as changes to their table."""

from __future__ import annotations

from flask import g
from sqlalchemy import bindparam, update

from app.core import generations
from app.events.detail_page import AREA as PAGES  # events, shown columns only
from app.events.list_page import AREA as LIST  # events, any column
from app.events.models import Event
from app.extensions import db
from tests.events.factories import make_event
from tests.factories import make_user
from tests.offers.factories import make_skill
from tests.support.queries import recorded_statements


def seen() -> tuple[int | None, int | None]:
    db.session.remove()
    g.pop(generations._SEEN, None)  # read again, as the next request would
    return generations.current(PAGES), generations.current(LIST)


def test_a_bulk_update_counts_only_for_the_columns_a_watch_names(app):
    event_id = make_event().id
    pages, listed = seen()
    db.session.execute(update(Event).where(Event.id == event_id)
                       .values(seats_taken=Event.seats_taken + 1))
    db.session.commit()
    after = seen()
    assert after[0] == pages and after[1] != listed

    db.session.execute(update(Event).where(Event.id == event_id).values(title="Renamed"))
    db.session.commit()
    assert seen()[0] != after[0]


def test_an_update_by_primary_key_counts_by_its_parameters(app):
    event_id = make_event().id
    pages, _ = seen()
    db.session.execute(update(Event), [{"id": event_id, "waiting_count": 3}])
    db.session.commit()
    assert seen()[0] == pages
    db.session.execute(update(Event), [{"id": event_id, "location": "Atrium"}])
    db.session.commit()
    assert seen()[0] != pages


def test_columns_named_only_in_the_parameters_count_too(app):
    event_id = make_event().id
    pages, _ = seen()
    db.session.execute(update(Event).where(Event.id == bindparam("eid"))
                       .values(seats_taken=Event.seats_taken),
                       {"eid": event_id, "title": "Set by a parameter"})
    db.session.commit()
    assert seen()[0] != pages


def test_an_orm_change_to_an_unshown_column_keeps_the_pages(app):
    event_id = make_event().id
    pages, _ = seen()
    db.session.get(Event, event_id).sequence += 1
    db.session.commit()
    assert seen()[0] == pages


def test_a_changed_collection_counts_as_a_change_to_its_association_table(app):
    event_id = make_event().id
    extra, helper = make_skill("Graphs"), make_user()
    pages, _ = seen()
    loaded = db.session.get(Event, event_id)
    loaded.skills = [*loaded.skills, db.session.merge(extra)]
    db.session.commit()
    moved = seen()[0]
    assert moved != pages

    db.session.get(Event, event_id).cohosts = [db.session.merge(helper)]
    db.session.commit()
    assert seen()[0] != moved


def test_every_area_is_read_in_one_statement_per_request(app):
    make_event()
    db.session.remove()
    with app.test_request_context(), recorded_statements() as statements:
        generations.current(PAGES)
        generations.current(LIST)
        generations.current("marketplace")
    assert len(statements) == 1
