"""After acceptance, in domain words: fit check, completing, ratings, hours."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.exchanges import progress
from app.exchanges.models import (
    ACCEPTED,
    CANCELLED,
    COMMENT_MAX,
    COMPLETED,
    CYCLE,
    HOURS_NOTE_MAX,
    MINUTES_MAX,
    REQUESTED,
    ExchangeMember,
    HoursLog,
)
from app.exchanges.progress_forms import hours_to_minutes, parse_date
from app.extensions import db
from app.notifications.models import Notification
from tests.exchanges.factories import make_exchange
from tests.factories import make_user


def _people(exchange):
    """(teacher, learner) of a mentoring exchange's one leg."""
    leg = exchange.legs[0]
    return leg.teacher, leg.learner


def _started_days_ago(exchange, days: int) -> None:
    exchange.accepted_at = utcnow() - timedelta(days=days)
    db.session.commit()


def _log(exchange, by, minutes: int = 60, happened_on: date | None = None, leg=None):
    leg = leg or progress.own_legs(exchange, by)[0]
    return progress.log_hours(exchange, by, leg_id=leg.id, minutes=minutes,
                              happened_on=happened_on or progress.local_today(by), note="")


def _notes(user, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind)))


# -- Fit check -------------------------------------------------------------------------------


def test_the_fit_check_opens_after_a_week_or_once_hours_are_logged(app):
    exchange = make_exchange(status=ACCEPTED)
    teacher, learner = _people(exchange)
    assert not progress.fit_check_is_due(exchange)
    with pytest.raises(Conflict, match="first meeting"):
        progress.answer_fit(exchange, learner, progress.GOOD)
    _log(exchange, teacher)
    assert progress.fit_check_is_due(exchange)
    other = make_exchange(status=ACCEPTED)
    _started_days_ago(other, progress.FIT_CHECK_AFTER_DAYS)
    assert progress.fit_check_is_due(other)


def test_each_member_answers_once_but_may_change_not_sure_yet(app):
    exchange = make_exchange(status=ACCEPTED)
    teacher, learner = _people(exchange)
    _started_days_ago(exchange, 8)
    progress.answer_fit(exchange, teacher, progress.UNSURE)
    progress.answer_fit(exchange, teacher, progress.GOOD)
    db.session.commit()
    with pytest.raises(Conflict, match="already answered"):
        progress.answer_fit(exchange, teacher, progress.UNSURE)
    assert progress.membership(exchange, teacher).fit == progress.GOOD
    assert progress.membership(exchange, learner).fit is None


def test_fit_answers_are_checked(app):
    exchange = make_exchange(status=ACCEPTED)
    _started_days_ago(exchange, 8)
    with pytest.raises(Invalid) as err:
        progress.answer_fit(exchange, exchange.legs[0].learner, "meh")
    assert err.value.field == "fit"
    with pytest.raises(NotAllowed):
        progress.answer_fit(exchange, make_user(), progress.GOOD)
    requested = make_exchange(status=REQUESTED)
    with pytest.raises(Conflict, match="active exchanges"):
        progress.answer_fit(requested, requested.legs[0].learner, progress.GOOD)


def test_not_a_fit_ends_the_exchange_kindly_and_frees_the_seat(app):
    exchange = make_exchange(status=ACCEPTED)
    teacher, learner = _people(exchange)
    offer = exchange.legs[0].teach_offer
    assert offer.seats_taken == 1
    _started_days_ago(exchange, 8)
    progress.answer_fit(exchange, learner, progress.NOT_FIT)
    db.session.commit()
    db.session.refresh(offer)
    assert exchange.status == CANCELLED and exchange.close_reason == "not a fit"
    assert offer.seats_taken == 0


# -- Completing ------------------------------------------------------------------------------


def test_a_member_completes_an_active_exchange_and_the_others_are_asked_to_rate(app):
    exchange = make_exchange(status=ACCEPTED)
    teacher, learner = _people(exchange)
    offer = exchange.legs[0].teach_offer
    progress.complete_exchange(exchange, learner)
    db.session.commit()
    db.session.refresh(offer)
    assert exchange.status == COMPLETED and exchange.completed_at is not None
    assert offer.seats_taken == 0 and not exchange.legs[0].holds_seat
    [note] = _notes(teacher, progress.FEEDBACK_KIND)
    assert note.url == f"/exchanges/{exchange.id}#ratings" and note.actor_id == learner.id
    assert not _notes(learner, progress.FEEDBACK_KIND)


def test_only_members_complete_only_active_exchanges(app):
    exchange = make_exchange(status=ACCEPTED)
    with pytest.raises(NotAllowed):
        progress.complete_exchange(exchange, make_user())
    progress.complete_exchange(exchange, exchange.legs[0].teacher)
    db.session.commit()
    with pytest.raises(Conflict, match="already completed"):
        progress.complete_exchange(exchange, exchange.legs[0].learner)
    requested = make_exchange(status=REQUESTED)
    with pytest.raises(Conflict, match="Only an active"):
        progress.complete_exchange(requested, requested.legs[0].learner)
    assert requested.status == REQUESTED


# -- Ratings ---------------------------------------------------------------------------------


def test_ratings_need_a_completed_exchange_and_a_value_from_1_to_5(app):
    exchange = make_exchange(status=ACCEPTED)
    teacher, _ = _people(exchange)
    with pytest.raises(Conflict, match="once it is completed"):
        progress.rate_exchange(exchange, teacher, 5)
    progress.complete_exchange(exchange, teacher)
    for bad in (0, 6, "x", None, "4.5"):
        with pytest.raises(Invalid) as err:
            progress.rate_exchange(exchange, teacher, bad)
        assert err.value.field == "rating"
    with pytest.raises(Invalid) as err:
        progress.rate_exchange(exchange, teacher, 4, "x" * (COMMENT_MAX + 1))
    assert err.value.field == "comment"
    with pytest.raises(NotAllowed):
        progress.rate_exchange(exchange, make_user(), 4)


def test_rating_twice_keeps_the_first_rating(app):
    exchange = make_exchange(status=COMPLETED)
    teacher, _ = _people(exchange)
    progress.rate_exchange(exchange, teacher, 4, "  Clear and patient.  ")
    db.session.commit()
    with pytest.raises(Conflict, match="already rated"):
        progress.rate_exchange(exchange, teacher, 1, "Changed my mind")
    db.session.rollback()
    member = progress.membership(exchange, teacher)
    db.session.refresh(member)
    assert (member.rating, member.rating_comment) == (4, "Clear and patient.")


def test_the_database_refuses_a_rating_outside_1_to_5(app):
    exchange = make_exchange(status=COMPLETED)
    with pytest.raises(IntegrityError):
        db.session.execute(update(ExchangeMember)
                           .where(ExchangeMember.exchange_id == exchange.id).values(rating=6))
        db.session.flush()
    db.session.rollback()


def test_ratings_are_double_blind_until_everyone_rated_or_two_weeks_passed(app):
    exchange = make_exchange(status=COMPLETED)
    teacher, learner = _people(exchange)
    assert not progress.ratings_are_visible(exchange)
    progress.rate_exchange(exchange, teacher, 5)
    assert not progress.ratings_are_visible(exchange)
    later = exchange.completed_at + timedelta(days=14)
    assert progress.ratings_are_visible(exchange, now=later)
    assert not progress.ratings_are_visible(exchange, now=later - timedelta(minutes=1))
    progress.rate_exchange(exchange, learner, 3)
    assert progress.ratings_are_visible(exchange)


# -- Hours -----------------------------------------------------------------------------------


def test_a_member_logs_hours_on_their_own_legs(app):
    exchange = make_exchange(status=ACCEPTED)
    teacher, learner = _people(exchange)
    entry = progress.log_hours(exchange, learner, leg_id=str(exchange.legs[0].id),
                               minutes=90, happened_on=progress.local_today(learner),
                               note="  Joins   and indexes ")
    db.session.commit()
    assert (entry.minutes, entry.note, entry.logged_by_id) == (90, "Joins and indexes",
                                                               learner.id)
    assert progress.hours_logged(exchange) == [entry]
    assert progress.leg_label(exchange.legs[0], learner).startswith(
        f"{teacher.display_name} teaches you ")
    assert progress.leg_label(exchange.legs[0], teacher).startswith(
        f"You teach {learner.display_name} ")


@pytest.mark.parametrize(("changes", "field"), [
    ({"minutes": 0}, "hours"),
    ({"minutes": MINUTES_MAX + 1}, "hours"),
    ({"minutes": None}, "hours"),
    ({"happened_on": None}, "happened_on"),
    ({"happened_on": date.today() + timedelta(days=2)}, "happened_on"),
    ({"happened_on": date.today() - timedelta(days=30)}, "happened_on"),
    ({"note": "x" * (HOURS_NOTE_MAX + 1)}, "note"),
    ({"note": "bell\x07"}, "note"),
    ({"leg_id": 999999}, "leg"),
])
def test_hours_are_checked(app, changes, field):
    exchange = make_exchange(status=ACCEPTED)
    _, learner = _people(exchange)
    values = {"leg_id": exchange.legs[0].id, "minutes": 60,
              "happened_on": progress.local_today(learner), "note": ""}
    values.update(changes)
    with pytest.raises(Invalid) as err:
        progress.log_hours(exchange, learner, **values)
    assert err.value.field == field


def test_hours_only_on_running_or_finished_exchanges_and_own_legs(app):
    requested = make_exchange(status=REQUESTED)
    with pytest.raises(Conflict):
        _log(requested, requested.legs[0].learner, leg=requested.legs[0])
    cycle = make_exchange(CYCLE, status=ACCEPTED)
    a = cycle.legs[0].teacher
    not_mine = next(leg for leg in cycle.legs if a.id not in (leg.teacher_id, leg.learner_id))
    with pytest.raises(Invalid) as err:
        _log(cycle, a, leg=not_mine)
    assert err.value.field == "leg"
    assert len(progress.own_legs(cycle, a)) == 2
    done = make_exchange(status=COMPLETED)
    _log(done, done.legs[0].teacher)
    with pytest.raises(NotAllowed):
        _log(done, make_user(), leg=done.legs[0])


def test_the_database_refuses_minutes_out_of_range(app):
    exchange = make_exchange(status=ACCEPTED)
    entry = _log(exchange, exchange.legs[0].teacher)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(HoursLog).where(HoursLog.id == entry.id)
                           .values(minutes=MINUTES_MAX + 1))
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(("text", "minutes"), [
    ("1", 60), ("1.5", 90), ("1,5", 90), (" 0.25 ", 15), ("12", MINUTES_MAX), ("0.01", 1),
    ("0", None), ("-1", None), ("12.5", None), ("abc", None), ("", None), ("nan", None),
    ("inf", None), ("1e999999", None), ("0.001", None),
])
def test_hours_are_typed_as_decimal_hours(text, minutes):
    assert hours_to_minutes(text) == minutes


def test_dates_are_typed_as_iso_dates():
    assert parse_date("2026-03-14") == date(2026, 3, 14)
    assert parse_date("14/03/2026") is None and parse_date("") is None
