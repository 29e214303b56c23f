"""Exchanges in domain words: request one, accept, decline, cancel, expire, end it.

They take the acting user explicitly, flush but never commit, and raise typed domain errors.
The database settles races: an answer first takes the exchange's row (a conditional UPDATE,
which on PostgreSQL locks it and on SQLite takes the write lock), so two members accepting
at once can't both see the other still missing; activation takes each teacher's seat with
`UPDATE offers … WHERE seats_taken < capacity AND status = 'open'` inside a savepoint, so two
exchanges can't both win a teacher's last seat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.accounts.models import User
from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.validators import has_control_characters
from app.exchanges.models import (
    ACCEPTED,
    CANCELLED,
    CLOSE_REASON_MAX,
    COMPLETED,
    CYCLE,
    DECLINED,
    EXPIRE_AFTER_DAYS,
    EXPIRED,
    MENTORING,
    MESSAGE_MAX,
    OPEN_STATUSES,
    REQUESTED,
    SWAP,
    Exchange,
    ExchangeLeg,
    ExchangeMember,
)
from app.extensions import db
from app.offers.models import OPEN, PAUSED, TEACH, Offer
from app.skills.models import Skill

NOT_A_FIT = "not a fit"

# What a closed or running exchange says when someone tries to answer it.
STATE_MESSAGES = {
    ACCEPTED: "This exchange is already active.",
    COMPLETED: "This exchange is already completed.",
    DECLINED: "This request was declined, so it is closed.",
    CANCELLED: "This exchange was cancelled, so it is closed.",
    EXPIRED: "This request expired without everyone's answer, so it is closed.",
    REQUESTED: "This exchange hasn't started yet: not everyone has accepted it.",
}


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    """One leg of an exchange about to be requested: `teacher` teaches `learner` `skill`,
    from `teach_offer` when the teacher has an open teaching offer for it."""

    teacher: User
    learner: User
    skill: Skill
    teach_offer: Offer | None = None


# -- Checks ----------------------------------------------------------------------------------


def _clean_text(field: str, text: str | None, limit: int, what: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > limit:
        raise Invalid(field, f"Keep the {what} to {limit:,} characters at most.")
    if has_control_characters(text, allow_newlines=True):
        raise Invalid(field, "Remove the invisible control characters from this field.")
    return text


def member_of(user: User, exchange: Exchange) -> ExchangeMember | None:
    uid = getattr(user, "id", None)
    return next((m for m in exchange.members if m.user_id == uid), None)


def _require_member(user: User, exchange: Exchange) -> ExchangeMember:
    member = member_of(user, exchange)
    if member is None:
        raise NotAllowed("Only the people in this exchange can answer it.")
    return member


def _require_status(exchange: Exchange, *allowed: str) -> None:
    if exchange.status not in allowed:
        raise Conflict(STATE_MESSAGES[exchange.status])


def _take_row(exchange: Exchange) -> None:
    """Queue behind anyone else answering this exchange, then re-read it as they left it."""
    db.session.flush()
    db.session.execute(update(Exchange).where(Exchange.id == exchange.id)
                       .values(status=Exchange.status))
    db.session.refresh(exchange)
    for member in exchange.members:
        db.session.refresh(member)
    for leg in exchange.legs:
        db.session.refresh(leg)


def _offer_words(offer: Offer) -> str:
    return f"{offer.user.display_name}'s offer to teach {offer.skill.name}"


def _check_teach_offer(leg: PlannedLeg) -> None:
    offer = leg.teach_offer
    if offer is None:
        return
    if (offer.kind != TEACH or offer.user_id != leg.teacher.id
            or offer.skill_id != leg.skill.id):
        raise Conflict("That offer doesn't match the exchange any more. Reload and try again.")
    if offer.status != OPEN:
        state = "paused for now" if offer.status == PAUSED else "closed"
        raise Conflict(f"{_offer_words(offer)} is {state}, so it isn't taking requests.")
    if (offer.seats_free or 0) <= 0:
        raise Conflict(f"{offer.user.display_name} has no free seat for {offer.skill.name} "
                       "right now. Try again when a seat frees up.")


def _check_people_active(people: Sequence[User]) -> None:
    for person in people:
        if not person.active:
            raise Conflict(f"{person.display_name}'s account is deactivated, so this exchange "
                           "can't go ahead.")


def _leg_key(teacher_id: int, learner_id: int, skill_id: int) -> tuple[int, int, int]:
    return (teacher_id, learner_id, skill_id)


def open_duplicate(legs: Sequence[PlannedLeg]) -> Exchange | None:
    """A requested or active exchange with exactly these legs, if there is one."""
    wanted = {_leg_key(leg.teacher.id, leg.learner.id, leg.skill.id) for leg in legs}
    first = legs[0]
    candidates = (select(ExchangeLeg.exchange_id).join(Exchange)
                  .where(Exchange.status.in_(OPEN_STATUSES),
                         ExchangeLeg.teacher_id == first.teacher.id,
                         ExchangeLeg.learner_id == first.learner.id,
                         ExchangeLeg.skill_id == first.skill.id))
    rows = db.session.execute(
        select(ExchangeLeg.exchange_id, ExchangeLeg.teacher_id, ExchangeLeg.learner_id,
               ExchangeLeg.skill_id).where(ExchangeLeg.exchange_id.in_(candidates)))
    found: dict[int, set] = {}
    for exchange_id, teacher_id, learner_id, skill_id in rows:
        found.setdefault(exchange_id, set()).add(_leg_key(teacher_id, learner_id, skill_id))
    for exchange_id, keys in sorted(found.items()):
        if keys == wanted:
            return db.session.get(Exchange, exchange_id)
    return None


def _queue_behind_same_requests(legs: Sequence[PlannedLeg]) -> None:
    """Take the teaching offers' rows (a no-op UPDATE) so that two identical requests made
    at once — a double click — are checked for duplicates one after the other."""
    offer_ids = sorted({leg.teach_offer.id for leg in legs if leg.teach_offer is not None})
    if offer_ids:
        db.session.execute(update(Offer).where(Offer.id.in_(offer_ids))
                           .values(seats_taken=Offer.seats_taken)
                           .execution_options(synchronize_session=False))


def _kind_for(legs: Sequence[PlannedLeg], people: list[User]) -> str:
    if len(legs) == 1:
        return MENTORING
    if len(legs) == 2 and len(people) == 2:
        return SWAP
    if len(legs) == 3 and len(people) == 3:
        return CYCLE
    raise Invalid("legs", "An exchange is one person teaching another, a swap between two "
                          "people or a three-way swap.")


# -- Requesting ------------------------------------------------------------------------------


def request_exchange(requester: User, legs: Sequence[PlannedLeg], message: str = "", *,
                     now: datetime | None = None) -> Exchange:
    """Ask the other people in `legs` for an exchange: mentoring (one leg), a swap (two legs
    between two people) or a three-way swap (three legs, three people). The requester counts
    as having accepted. Every teaching offer must be open with a free seat, everyone active,
    and no requested or active exchange may have the same legs."""
    legs = list(legs)
    if not legs:
        raise Invalid("legs", "Choose what the exchange is about.")
    people: list[User] = []
    for leg in legs:
        if leg.teacher.id == leg.learner.id:
            raise NotAllowed("You can't request an exchange with yourself.")
        for person in (leg.teacher, leg.learner):
            if person not in people:
                people.append(person)
    if requester not in people:
        raise NotAllowed("You can only request an exchange you take part in.")
    kind = _kind_for(legs, people)
    message = _clean_text("message", message, MESSAGE_MAX, "message")
    _check_people_active(people)
    for leg in legs:
        _check_teach_offer(leg)
    _queue_behind_same_requests(legs)
    if open_duplicate(legs) is not None:
        raise Conflict("You already have an open request or active exchange for exactly this. "
                       "Look in My exchanges.")
    now = now or utcnow()
    exchange = Exchange(kind=kind, status=REQUESTED, requested_by=requester, message=message,
                        created_at=now, expires_at=now + timedelta(days=EXPIRE_AFTER_DAYS))
    for person in people:
        exchange.members.append(ExchangeMember(
            user=person, accepted_at=now if person.id == requester.id else None))
    for leg in legs:
        exchange.legs.append(ExchangeLeg(teacher=leg.teacher, learner=leg.learner,
                                         skill=leg.skill, teach_offer=leg.teach_offer,
                                         holds_seat=False))
    db.session.add(exchange)
    db.session.flush()
    signals.exchange_requested.send(exchange, by=requester)
    return exchange


# -- Answering -------------------------------------------------------------------------------


class _NoSeat(Exception):
    def __init__(self, leg: ExchangeLeg):
        self.leg = leg


def _no_seat_message(leg: ExchangeLeg) -> str:
    offer = leg.teach_offer
    db.session.refresh(offer)
    teacher = leg.teacher.display_name
    if offer.status != OPEN:
        state = "paused" if offer.status == PAUSED else "closed"
        return (f"{teacher} has {state} their offer to teach {leg.skill.name}, so this "
                "exchange can't start now.")
    return (f"{teacher}'s last seat for {leg.skill.name} was just taken, so this exchange "
            "can't start now. It stays requested: try again when a seat frees up.")


def _take_seats(exchange: Exchange) -> None:
    """One seat on every leg's teaching offer, all or none."""
    try:
        with db.session.begin_nested():
            for leg in exchange.legs:
                if leg.teach_offer_id is None:
                    continue
                taken = db.session.execute(
                    update(Offer)
                    .where(Offer.id == leg.teach_offer_id,
                           Offer.seats_taken < Offer.capacity, Offer.status == OPEN)
                    .values(seats_taken=Offer.seats_taken + 1)
                    .execution_options(synchronize_session=False)).rowcount
                if not taken:
                    raise _NoSeat(leg)
                leg.holds_seat = True
            db.session.flush()
    except _NoSeat as err:
        raise Conflict(_no_seat_message(err.leg)) from None
    for leg in exchange.legs:
        if leg.teach_offer is not None:
            db.session.refresh(leg.teach_offer)


def accept(user: User, exchange: Exchange, *, now: datetime | None = None) -> Exchange:
    """`user` says yes. When that makes everyone, the exchange becomes active and takes a
    seat on each leg's teaching offer — or, when a seat is gone, nothing changes and
    Conflict says whose."""
    member = _require_member(user, exchange)
    _take_row(exchange)
    _require_status(exchange, REQUESTED)
    now = now or utcnow()
    if exchange.expires_at <= now:
        raise Conflict(STATE_MESSAGES[EXPIRED])
    if member.accepted_at is not None:
        raise Conflict("You have already accepted this request; it starts when everyone has.")
    _check_people_active([m.user for m in exchange.members])
    member.accepted_at = now
    if all(m.accepted_at is not None for m in exchange.members):
        _take_seats(exchange)
        exchange.status, exchange.accepted_at = ACCEPTED, now
    db.session.flush()
    if exchange.status == ACCEPTED:
        signals.exchange_accepted.send(exchange, by=user)
    return exchange


def decline(user: User, exchange: Exchange, reason: str = "", *,
            now: datetime | None = None) -> Exchange:
    """`user`, who hasn't accepted yet, says no: the request is closed for everyone."""
    member = _require_member(user, exchange)
    reason = _clean_text("reason", reason, CLOSE_REASON_MAX, "reason")
    _take_row(exchange)
    _require_status(exchange, REQUESTED)
    if member.accepted_at is not None:
        what = ("You asked for this exchange" if exchange.requested_by_id == user.id
                else "You have already accepted this request")
        raise Conflict(f"{what}: cancel it instead if you've changed your mind.")
    _close(exchange, DECLINED, user, reason, now)
    signals.exchange_declined.send(exchange, by=user, reason=reason)
    return exchange


def cancel(user: User, exchange: Exchange, reason: str = "", *,
           now: datetime | None = None) -> Exchange:
    """`user` calls off a request they accepted (or made), or an active exchange; any seats it
    held go back to the teachers."""
    member = _require_member(user, exchange)
    reason = _clean_text("reason", reason, CLOSE_REASON_MAX, "reason")
    _take_row(exchange)
    _require_status(exchange, *OPEN_STATUSES)
    if exchange.status == REQUESTED and member.accepted_at is None:
        raise Conflict("You haven't accepted this request: decline it instead.")
    _close(exchange, CANCELLED, user, reason, now)
    signals.exchange_cancelled.send(exchange, by=user, reason=reason)
    return exchange


def end_with_not_a_fit(exchange: Exchange, by: User, *, now: datetime | None = None) -> Exchange:
    """Someone in an active exchange answered "not a fit": close it kindly (cancelled, reason
    "not a fit") and give its seats back. Only members of an active exchange."""
    _require_member(by, exchange)
    _take_row(exchange)
    _require_status(exchange, ACCEPTED)
    _close(exchange, CANCELLED, by, NOT_A_FIT, now)
    signals.exchange_cancelled.send(exchange, by=by, reason=NOT_A_FIT)
    return exchange


def _close(exchange: Exchange, status: str, by: User | None, reason: str,
           now: datetime | None) -> None:
    give_back_seats(exchange)
    exchange.status = status
    exchange.closed_at = now or utcnow()
    exchange.closed_by_id = by.id if by is not None else None
    exchange.close_reason = reason[:CLOSE_REASON_MAX]
    db.session.flush()


def give_back_seats(exchange: Exchange) -> int:
    """Give back every seat the exchange holds (on completion or when it closes early);
    returns how many. Safe to call twice: a leg gives its seat back once."""
    given = 0
    for leg in exchange.legs:
        if not leg.holds_seat:
            continue
        if leg.teach_offer_id is not None:
            db.session.execute(
                update(Offer).where(Offer.id == leg.teach_offer_id, Offer.seats_taken > 0)
                .values(seats_taken=Offer.seats_taken - 1)
                .execution_options(synchronize_session=False))
            if leg.teach_offer is not None:
                db.session.expire(leg.teach_offer, ["seats_taken"])
        leg.holds_seat = False
        given += 1
    db.session.flush()
    return given


# -- Expiry ----------------------------------------------------------------------------------


def expire_overdue(now: datetime | None = None) -> int:
    """Expire every request still unanswered at its `expires_at`; returns how many. Running
    it again (or at the same time as an answer) expires nothing twice."""
    now = now or utcnow()
    overdue = db.session.scalars(
        select(Exchange.id).where(Exchange.status == REQUESTED, Exchange.expires_at <= now)
        .order_by(Exchange.id)).all()
    count = 0
    for exchange_id in overdue:
        changed = db.session.execute(
            update(Exchange).where(Exchange.id == exchange_id, Exchange.status == REQUESTED)
            .values(status=EXPIRED, closed_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if changed:
            count += 1
            exchange = db.session.get(Exchange, exchange_id)
            db.session.refresh(exchange)
            signals.exchange_expired.send(exchange)
    db.session.flush()
    return count
