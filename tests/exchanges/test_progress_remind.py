"""`flask exchanges remind`: fit-check and feedback reminders, at most once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.exchanges import progress
from app.exchanges.models import ACCEPTED, COMPLETED
from app.extensions import db
from app.notifications.models import Notification
from tests.exchanges.factories import make_exchange
from tests.factories import make_user


def _remind(runner) -> str:
    result = runner.invoke(args=["exchanges", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def _kinds(user) -> list[str]:
    """The person's reminder notifications (not the other exchange news), oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == user.id,
        Notification.kind.in_([progress.FIT_CHECK_KIND, progress.FEEDBACK_KIND]))
        .order_by(Notification.id)))


def _count(kind: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == kind))


@pytest.fixture
def pair(app):
    ana = make_user(display_name="Ana")
    ben = make_user(display_name="Ben")
    return ana, ben


def test_fit_check_reminders_go_once_to_members_who_have_not_answered(runner, pair):
    ana, ben = pair
    due = make_exchange(status=ACCEPTED, people=[ana, ben])
    due.accepted_at = utcnow() - timedelta(days=progress.FIT_CHECK_AFTER_DAYS, minutes=1)
    make_exchange(status=ACCEPTED)  # started today, nothing logged: not due yet
    db.session.commit()
    progress.answer_fit(due, ana, progress.GOOD)
    db.session.commit()
    assert _remind(runner) == "Sent 1 fit-check reminder and 0 feedback reminders.\n"
    assert _kinds(ben) == [progress.FIT_CHECK_KIND] and _kinds(ana) == []
    [note] = db.session.scalars(select(Notification).where(
        Notification.user_id == ben.id, Notification.kind == progress.FIT_CHECK_KIND))
    assert note.url == f"/exchanges/{due.id}#fit-check" and "Ana" in note.text
    assert _remind(runner) == "Sent 0 fit-check reminders and 0 feedback reminders.\n"
    assert _count(progress.FIT_CHECK_KIND) == 1


def test_logged_hours_make_the_fit_check_due_at_once(runner, pair):
    ana, ben = pair
    exchange = make_exchange(status=ACCEPTED, people=[ana, ben])
    progress.log_hours(exchange, ben, leg_id=exchange.legs[0].id, minutes=60,
                       happened_on=progress.local_today(ben))
    db.session.commit()
    assert "Sent 2 fit-check reminders" in _remind(runner)
    assert "Sent 0 fit-check reminders" in _remind(runner)


def test_feedback_is_asked_for_on_completion_and_reminded_once(runner, pair):
    ana, ben = pair
    carl = make_user(display_name="Carl")
    exchange = make_exchange(status=ACCEPTED, people=[ana, ben])
    other = make_exchange(status=ACCEPTED, people=[ana, carl])
    progress.complete_exchange(exchange, ana)  # asks Ben at once
    progress.complete_exchange(other, ana)     # asks Carl at once
    progress.rate_exchange(other, ana, 5)      # Ana rated this one already
    db.session.commit()
    assert _kinds(ben) == [progress.FEEDBACK_KIND]
    assert _remind(runner) == "Sent 0 fit-check reminders and 1 feedback reminder.\n"
    assert _kinds(ana) == [progress.FEEDBACK_KIND]  # for `exchange` only
    assert _kinds(ben) == [progress.FEEDBACK_KIND]  # not twice
    assert "0 feedback reminders" in _remind(runner)
    assert _count(progress.FEEDBACK_KIND) == 3


def test_rated_members_and_closed_exchanges_get_no_reminders(runner, pair):
    ana, ben = pair
    exchange = make_exchange(status=COMPLETED, people=[ana, ben])
    progress.rate_exchange(exchange, ana, 4)
    progress.rate_exchange(exchange, ben, 5)
    db.session.commit()
    assert _remind(runner) == "Sent 0 fit-check reminders and 0 feedback reminders.\n"
