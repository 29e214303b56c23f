"""The time bank: how much a person has taught and learned through exchanges.

Hours count on every exchange they were logged on (time spent is time spent, even when an
exchange later ended as not a fit); a leg's hours go to its teacher as taught and to its
learner as learned. Read-only queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.accounts.models import User
from app.exchanges.models import COMPLETED, Exchange, ExchangeLeg, ExchangeMember, HoursLog
from app.extensions import db


@dataclass(frozen=True, slots=True)
class Ledger:
    minutes_taught: int = 0
    minutes_learned: int = 0
    completed_exchanges: int = 0


def _minutes_where(condition):
    return (select(func.coalesce(func.sum(HoursLog.minutes), 0))
            .join(ExchangeLeg, ExchangeLeg.id == HoursLog.leg_id)
            .where(condition).scalar_subquery())


def ledger_for(user: User) -> Ledger:
    """The person's time-bank figures, in one query."""
    completed = (select(func.count()).select_from(ExchangeMember)
                 .join(Exchange, Exchange.id == ExchangeMember.exchange_id)
                 .where(ExchangeMember.user_id == user.id, Exchange.status == COMPLETED)
                 .scalar_subquery())
    row = db.session.execute(select(
        _minutes_where(ExchangeLeg.teacher_id == user.id),
        _minutes_where(ExchangeLeg.learner_id == user.id),
        completed)).one()
    return Ledger(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))
