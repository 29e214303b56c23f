"""Races between real processes on the same database (SQLite file or PostgreSQL schema):
each child builds its own app, waits at a barrier so all act at once, and reports back."""

from __future__ import annotations

import multiprocessing
import traceback

from sqlalchemy import select

from app import create_app
from app.accounts.models import User
from app.core.errors import Conflict
from app.exchanges import services
from app.exchanges.models import ACCEPTED, CYCLE, REQUESTED, Exchange
from app.exchanges.services import PlannedLeg
from app.extensions import db
from app.offers.models import Offer
from tests.exchanges.factories import make_exchange
from tests.factories import make_user
from tests.offers.factories import make_offer

TIMEOUT_S = 60


def _accept(config: dict, barrier, results, user_id: int, exchange_id: int) -> None:
    try:
        app = create_app(config)
        with app.app_context():
            user = db.session.get(User, user_id)
            exchange = db.session.get(Exchange, exchange_id)
            barrier.wait(TIMEOUT_S)
            try:
                services.accept(user, exchange)
            except Conflict as err:
                db.session.rollback()
                results.put(("conflict", exchange_id, str(err)))
            else:
                db.session.commit()
                results.put(("accepted", exchange_id, exchange.status))
    except Exception:  # noqa: BLE001 — reported to the parent, which fails the test
        results.put(("error", exchange_id, traceback.format_exc()))


def _request(config: dict, barrier, results, user_id: int, offer_id: int) -> None:
    """What "Send the request" does for a teaching offer."""
    try:
        app = create_app(config)
        with app.app_context():
            user = db.session.get(User, user_id)
            offer = db.session.get(Offer, offer_id)
            legs = [PlannedLeg(offer.user, user, offer.skill, offer)]
            barrier.wait(TIMEOUT_S)
            try:
                exchange = services.request_exchange(user, legs, "Hello")
            except Conflict as err:
                db.session.rollback()
                results.put(("conflict", offer_id, str(err)))
            else:
                db.session.commit()
                results.put(("requested", exchange.id, exchange.status))
    except Exception:  # noqa: BLE001 — reported to the parent, which fails the test
        results.put(("error", offer_id, traceback.format_exc()))


def _run_all(config: dict, runs: list[tuple[int, int]], target=_accept) -> list[tuple]:
    """One spawned process per (user id, exchange or offer id), released together by a
    barrier."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(runs))
    results = ctx.Queue()
    processes = [ctx.Process(target=target, args=(config, barrier, results, *run))
                 for run in runs]
    for process in processes:
        process.start()
    found = [results.get(timeout=TIMEOUT_S * 2) for _ in processes]
    for process in processes:
        process.join(TIMEOUT_S)
        if process.is_alive():
            process.kill()
    return found


def test_two_exchanges_racing_for_a_teachers_last_seat_only_one_wins(app, app_config):
    teacher = make_user()
    offer = make_offer(teacher, capacity=2, seats_taken=1)  # one seat left
    exchanges = [make_exchange(legs=[PlannedLeg(teacher, make_user(), offer.skill, offer)])
                 for _ in range(2)]

    results = _run_all(app_config, [(teacher.id, e.id) for e in exchanges])

    assert [r for r in results if r[0] == "error"] == []
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["accepted", "conflict"]
    [conflict] = [r for r in results if r[0] == "conflict"]
    assert "last seat" in conflict[2]
    db.session.expire_all()
    statuses = sorted(db.session.get(Exchange, e.id).status for e in exchanges)
    assert statuses == sorted([ACCEPTED, REQUESTED])
    assert db.session.get(Offer, offer.id).seats_taken == offer.capacity == 2


def test_the_last_two_members_of_a_cycle_accepting_at_once_make_it_active(app, app_config):
    exchange = make_exchange(CYCLE)
    waiting = [m.user_id for m in exchange.members if m.accepted_at is None]

    results = _run_all(app_config, [(uid, exchange.id) for uid in waiting])

    assert [r for r in results if r[0] != "accepted"] == []
    db.session.expire_all()
    exchange = db.session.get(Exchange, exchange.id)
    assert exchange.status == ACCEPTED
    assert all(leg.holds_seat for leg in exchange.legs)
    assert [db.session.get(Offer, leg.teach_offer_id).seats_taken
            for leg in exchange.legs] == [1, 1, 1]


def test_a_double_clicked_request_makes_one_exchange(app, app_config):
    learner = make_user()
    offer = make_offer(make_user())

    results = _run_all(app_config, [(learner.id, offer.id)] * 2, target=_request)

    assert sorted(r[0] for r in results) == ["conflict", "requested"]
    db.session.expire_all()
    assert len(db.session.scalars(select(Exchange)).all()) == 1
