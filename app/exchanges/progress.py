"""After acceptance: the fit check, completion, double-blind ratings and logged hours.

Services take the acting member explicitly, flush but never commit, and raise typed domain
errors (`Invalid` names the form field).

The fit check is *due* once the members have met: as soon as any hours are logged on the
exchange, or `FIT_CHECK_AFTER_DAYS` days after it became active, whichever comes first. Each
member answers once; "not sure yet" may later change to another answer. "Not a fit" ends the
exchange kindly (`services.end_with_not_a_fit`).

Ratings are double-blind: a member sees the others' ratings only once everyone has rated, or
`RATINGS_VISIBLE_AFTER_DAYS` days after completion. Writes that must happen once (an answer,
a rating, completing) are conditional UPDATEs, so a double submit cannot overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.validators import has_control_characters
from app.exchanges.models import (
    ACCEPTED,
    COMMENT_MAX,
    COMPLETED,
    FITS,
    HOURS_NOTE_MAX,
    MINUTES_MAX,
    RATINGS_VISIBLE_AFTER_DAYS,
    Exchange,
    ExchangeLeg,
    ExchangeMember,
    HoursLog,
)
from app.extensions import db

FIT_CHECK_AFTER_DAYS = 7
GOOD, UNSURE, NOT_FIT = "good", "unsure", "not_fit"
RATINGS = range(1, 6)
HOURS_STATUSES = (ACCEPTED, COMPLETED)
EXCHANGE_ENDPOINT = "exchanges.exchange"  # the exchange page, /exchanges/<id>


# -- Reading the state ---------------------------------------------------------------------


def membership(exchange: Exchange, user: User | None) -> ExchangeMember | None:
    """The person's row in the exchange, or None when they are not in it."""
    user_id = getattr(user, "id", None)
    return next((m for m in exchange.members if m.user_id == user_id), None)


def is_member(user: User | None, exchange: Exchange) -> bool:
    return membership(exchange, user) is not None


def has_logged_hours(exchange: Exchange) -> bool:
    return bool(db.session.scalar(select(exists().where(HoursLog.exchange_id == exchange.id))))


def fit_check_opens_at(exchange: Exchange) -> datetime | None:
    """When the fit check opens by time alone (it opens earlier once hours are logged)."""
    if exchange.accepted_at is None:
        return None
    return exchange.accepted_at + timedelta(days=FIT_CHECK_AFTER_DAYS)


def fit_check_is_due(exchange: Exchange, now: datetime | None = None) -> bool:
    if exchange.status != ACCEPTED or exchange.accepted_at is None:
        return False
    return (now or utcnow()) >= fit_check_opens_at(exchange) or has_logged_hours(exchange)


def ratings_reveal_at(exchange: Exchange) -> datetime | None:
    if exchange.completed_at is None:
        return None
    return exchange.completed_at + timedelta(days=RATINGS_VISIBLE_AFTER_DAYS)


def ratings_are_visible(exchange: Exchange, now: datetime | None = None) -> bool:
    """Everyone has rated, or the waiting time after completion is over."""
    if exchange.status != COMPLETED or exchange.completed_at is None:
        return False
    if all(m.rated_at is not None for m in exchange.members):
        return True
    return (now or utcnow()) >= ratings_reveal_at(exchange)


def local_today(user: User, now: datetime | None = None) -> date:
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return (now or utcnow()).astimezone(zone).date()


def leg_label(leg: ExchangeLeg, viewer: User) -> str:
    """ "Ana teaches you SQL", "You teach Ana SQL" or "Ana teaches Ben SQL"."""
    if leg.learner_id == viewer.id:
        return f"{leg.teacher.display_name} teaches you {leg.skill.name}"
    if leg.teacher_id == viewer.id:
        return f"You teach {leg.learner.display_name} {leg.skill.name}"
    return f"{leg.teacher.display_name} teaches {leg.learner.display_name} {leg.skill.name}"


def own_legs(exchange: Exchange, user: User) -> list[ExchangeLeg]:
    """The legs a member teaches or learns on: the ones they may log hours for."""
    return [leg for leg in exchange.legs if user.id in (leg.teacher_id, leg.learner_id)]


def hours_logged(exchange: Exchange) -> list[HoursLog]:
    return list(db.session.scalars(
        select(HoursLog).where(HoursLog.exchange_id == exchange.id)
        .order_by(HoursLog.happened_on.desc(), HoursLog.id.desc())))


# -- Changing it ---------------------------------------------------------------------------


def _require_member(exchange: Exchange, user: User) -> ExchangeMember:
    member = membership(exchange, user)
    if member is None:
        raise NotAllowed("Only the people in this exchange can do that.")
    return member


def answer_fit(exchange: Exchange, by: User, fit: str | None,
               now: datetime | None = None) -> ExchangeMember:
    """Record the member's fit-check answer; "not a fit" ends the exchange."""
    member = _require_member(exchange, by)
    if fit not in FITS:
        raise Invalid("fit", "Choose good fit, not sure yet or not a fit.")
    if exchange.status != ACCEPTED:
        raise Conflict("The fit check is only for active exchanges.")
    now = now or utcnow()
    if not fit_check_is_due(exchange, now):
        raise Conflict("The fit check opens after your first meeting: once hours are logged, "
                       f"or {FIT_CHECK_AFTER_DAYS} days after the exchange started.")
    changed = db.session.execute(
        update(ExchangeMember)
        .where(ExchangeMember.exchange_id == exchange.id, ExchangeMember.user_id == by.id,
               or_(ExchangeMember.fit.is_(None), ExchangeMember.fit == UNSURE))
        .values(fit=fit, fit_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(member)
    if not changed:
        raise Conflict(f"You already answered “{FITS[member.fit]}”.")
    if fit == NOT_FIT:
        from app.exchanges.services import end_with_not_a_fit

        end_with_not_a_fit(exchange, by)
    db.session.flush()
    return member


def complete_exchange(exchange: Exchange, by: User, now: datetime | None = None) -> Exchange:
    """Mark an active exchange completed, give its seats back and ask the others to rate."""
    _require_member(exchange, by)
    now = now or utcnow()
    done = db.session.execute(
        update(Exchange).where(Exchange.id == exchange.id, Exchange.status == ACCEPTED)
        .values(status=COMPLETED, completed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(exchange)
    if not done:
        if exchange.status == COMPLETED:
            raise Conflict("This exchange is already completed.")
        raise Conflict("Only an active exchange can be marked completed.")
    from app.exchanges.services import give_back_seats

    give_back_seats(exchange)
    db.session.flush()
    others = [m.user for m in exchange.members if m.user_id != by.id]
    signals.feedback_due.send(exchange, to=others, by=by)
    return exchange


def _clean_rating(rating) -> int:
    try:
        number = int(rating)
    except (TypeError, ValueError):
        raise Invalid("rating", "Choose a rating from 1 to 5.") from None
    if number not in RATINGS:
        raise Invalid("rating", "Choose a rating from 1 to 5.")
    return number


def _clean_text(value: str | None, field_name: str, limit: int, what: str, *,
                newlines: bool) -> str:
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not newlines:
        text = " ".join(text.split())
    if len(text) > limit:
        raise Invalid(field_name, f"Keep the {what} to {limit:,} characters at most.")
    if has_control_characters(text, allow_newlines=newlines):
        raise Invalid(field_name, "Remove the invisible control characters from this field.")
    return text


def rate_exchange(exchange: Exchange, by: User, rating, comment: str | None = "",
                  now: datetime | None = None) -> ExchangeMember:
    """The member's one rating (1–5, optional comment) of a completed exchange."""
    member = _require_member(exchange, by)
    if exchange.status != COMPLETED:
        raise Conflict("You can rate an exchange once it is completed.")
    rating = _clean_rating(rating)
    comment = _clean_text(comment, "comment", COMMENT_MAX, "comment", newlines=True)
    try:
        with db.session.begin_nested():
            rated = db.session.execute(
                update(ExchangeMember)
                .where(ExchangeMember.exchange_id == exchange.id,
                       ExchangeMember.user_id == by.id, ExchangeMember.rated_at.is_(None))
                .values(rating=rating, rating_comment=comment, rated_at=now or utcnow())
                .execution_options(synchronize_session=False)).rowcount
    except IntegrityError:  # the database's CHECK backs the range
        raise Invalid("rating", "Choose a rating from 1 to 5.") from None
    db.session.refresh(member)
    if not rated:
        raise Conflict("You've already rated this exchange; a rating can't be changed.")
    return member


def log_hours(exchange: Exchange, by: User, *, leg_id, minutes, happened_on: date | None,
              note: str | None = "", now: datetime | None = None) -> HoursLog:
    """Log time spent on one of the member's own legs of an active or completed exchange."""
    _require_member(exchange, by)
    if exchange.status not in HOURS_STATUSES:
        raise Conflict("Hours can only be logged on active or completed exchanges.")
    leg = next((leg for leg in own_legs(exchange, by) if str(leg.id) == str(leg_id)), None)
    if leg is None:
        raise Invalid("leg", "Choose who taught whom, from the list.")
    if not isinstance(minutes, int) or not 1 <= minutes <= MINUTES_MAX:
        raise Invalid("hours", f"Enter the time in hours, more than 0 and at most "
                               f"{MINUTES_MAX // 60}.")
    if happened_on is None:
        raise Invalid("happened_on", "Enter the date of the session.")
    if happened_on > local_today(by, now):
        raise Invalid("happened_on", "The date can't be in the future.")
    started = exchange.accepted_at and local_today(by, exchange.accepted_at)
    if started and happened_on < started:
        raise Invalid("happened_on", "The date can't be before the exchange started "
                                     f"({started:%-d %b %Y}).")
    note = _clean_text(note, "note", HOURS_NOTE_MAX, "note", newlines=False)
    entry = HoursLog(exchange_id=exchange.id, leg=leg, logged_by=by, minutes=minutes,
                     happened_on=happened_on, note=note)
    db.session.add(entry)
    db.session.flush()
    return entry


# -- Reminders (flask exchanges remind) ----------------------------------------------------

FIT_CHECK_KIND = "exchange-fit-check"
FEEDBACK_KIND = "exchange-feedback"
_ANCHORS = {FIT_CHECK_KIND: "fit-check", FEEDBACK_KIND: "ratings"}


def exchange_path(exchange_id: int) -> str:
    """The exchange page's path; built without a request, so CLI commands can use it."""
    return current_app.url_map.bind("localhost").build(EXCHANGE_ENDPOINT,
                                                       {"exchange_id": exchange_id})


def reminder_link(kind: str, exchange_id: int) -> str:
    """The link a fit-check or feedback notification carries. With the kind and the person
    it is also the record that the reminder went out (no extra table needed)."""
    return f"{exchange_path(exchange_id)}#{_ANCHORS[kind]}"


@dataclass
class Reminders:
    fit_checks: int = 0
    feedback: int = 0


def _already_reminded(kind: str, member: ExchangeMember) -> bool:
    from app.notifications.models import Notification

    return bool(db.session.scalar(select(exists().where(
        Notification.user_id == member.user_id, Notification.kind == kind,
        Notification.url == reminder_link(kind, member.exchange_id)))))


def send_reminders(now: datetime | None = None) -> Reminders:
    """Send `fit_check_due` to members who haven't answered a due fit check, and
    `feedback_due` to members who haven't rated a completed exchange — at most once each
    (the completion notice counts as the feedback reminder)."""
    now = now or utcnow()
    sent = Reminders()
    has_hours = exists().where(HoursLog.exchange_id == Exchange.id)
    fit_rows = db.session.scalars(
        select(ExchangeMember).join(Exchange)
        .where(Exchange.status == ACCEPTED, ExchangeMember.fit.is_(None),
               or_(Exchange.accepted_at <= now - timedelta(days=FIT_CHECK_AFTER_DAYS),
                   has_hours))
        .order_by(ExchangeMember.exchange_id, ExchangeMember.user_id)).all()
    for member in fit_rows:
        if not _already_reminded(FIT_CHECK_KIND, member):
            signals.fit_check_due.send(member.exchange, to=[member.user])
            sent.fit_checks += 1
    feedback_rows = db.session.scalars(
        select(ExchangeMember).join(Exchange)
        .where(Exchange.status == COMPLETED, ExchangeMember.rated_at.is_(None))
        .order_by(ExchangeMember.exchange_id, ExchangeMember.user_id)).all()
    for member in feedback_rows:
        if not _already_reminded(FEEDBACK_KIND, member):
            signals.feedback_due.send(member.exchange, to=[member.user], by=None)
            sent.feedback += 1
    db.session.flush()
    return sent
