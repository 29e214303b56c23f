"""The time bank: hours taught, hours learned and completed exchanges, on profiles."""

from __future__ import annotations

import re

import pytest

from app.exchanges import progress
from app.exchanges.ledger import Ledger, ledger_for
from app.exchanges.models import ACCEPTED, CANCELLED, COMPLETED, SWAP
from app.extensions import db
from tests.conftest import HTMX
from tests.exchanges.factories import make_exchange
from tests.factories import make_user
from tests.support.queries import count_queries, recorded_statements


def _log(exchange, by, leg, minutes: int) -> None:
    progress.log_hours(exchange, by, leg_id=leg.id, minutes=minutes,
                       happened_on=progress.local_today(by))
    db.session.commit()


@pytest.fixture
def people(app):
    return make_user(handle="ana", display_name="Ana"), make_user(handle="ben",
                                                                   display_name="Ben")


def test_hours_count_for_the_teacher_and_the_learner_of_each_leg(people):
    ana, ben = people
    mentoring = make_exchange(status=ACCEPTED, people=[ana, ben])
    _log(mentoring, ben, mentoring.legs[0], 90)
    _log(mentoring, ana, mentoring.legs[0], 30)
    swap = make_exchange(SWAP, status=COMPLETED, people=[ana, ben])
    ben_teaches = next(leg for leg in swap.legs if leg.teacher_id == ben.id)
    _log(swap, ana, ben_teaches, 45)
    ended = make_exchange(status=ACCEPTED, people=[ben, ana])
    _log(ended, ana, ended.legs[0], 60)  # time spent counts even when it ends early
    ended.status = CANCELLED
    db.session.commit()
    make_exchange(status=COMPLETED, people=[make_user(), make_user()])  # someone else's
    assert ledger_for(ana) == Ledger(minutes_taught=120, minutes_learned=105,
                                     completed_exchanges=1)
    assert ledger_for(ben) == Ledger(minutes_taught=105, minutes_learned=120,
                                     completed_exchanges=1)
    assert ledger_for(make_user()) == Ledger(0, 0, 0)


def test_the_ledger_is_one_query(people):
    ana, ben = people
    exchange = make_exchange(status=ACCEPTED, people=[ana, ben])
    _log(exchange, ben, exchange.legs[0], 60)
    ana_id = ana.id
    db.session.expire_all()
    ana = db.session.get(type(ana), ana_id)
    with recorded_statements() as statements:
        ledger_for(ana)
    assert len(statements) == 1


def _figures(page: str) -> dict[str, str]:
    section = page[page.index('id="ledger-heading"'):]
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", section)[:3])


def test_profiles_show_the_time_bank(client, auth, people):
    ana, ben = people
    exchange = make_exchange(status=ACCEPTED, people=[ana, ben])
    _log(exchange, ben, exchange.legs[0], 90)
    progress.complete_exchange(exchange, ana)
    db.session.commit()
    auth.login(make_user())
    assert _figures(client.get("/people/ana").text) == {
        "Hours taught": "1.5", "Hours learned": "0", "Completed exchanges": "1"}
    assert _figures(client.get("/people/ben", headers=HTMX).text) == {
        "Hours taught": "0", "Hours learned": "1.5", "Completed exchanges": "1"}


def test_the_profile_adds_one_query_whatever_the_history(client, auth, people):
    ana, ben = people
    auth.login(ana)
    few = count_queries(client, "/people/ben")
    for _ in range(3):
        exchange = make_exchange(status=ACCEPTED, people=[make_user(), ben])
        for _ in range(3):
            _log(exchange, ben, exchange.legs[0], 20)
    assert count_queries(client, "/people/ben") == few
