"""Who may do what with an exchange: pure predicates, also available in templates.
The services check the same rules and say why when they refuse."""

from __future__ import annotations

from app.accounts.permissions import is_admin
from app.exchanges.models import ACCEPTED, OPEN_STATUSES, REQUESTED
from app.offers.models import OPEN


def _member(user, exchange):
    if not getattr(user, "is_authenticated", False):
        return None
    return next((m for m in exchange.members if m.user_id == user.id), None)


def is_exchange_member(user, exchange) -> bool:
    return _member(user, exchange) is not None


def can_view_exchange(user, exchange) -> bool:
    """Its members, and administrators; for anyone else it doesn't exist."""
    return is_exchange_member(user, exchange) or is_admin(user)


def can_accept_exchange(user, exchange) -> bool:
    member = _member(user, exchange)
    return exchange.status == REQUESTED and member is not None and member.accepted_at is None


can_decline_exchange = can_accept_exchange


def can_cancel_exchange(user, exchange) -> bool:
    """An active exchange, or a request the person made or accepted."""
    member = _member(user, exchange)
    if member is None or exchange.status not in OPEN_STATUSES:
        return False
    return exchange.status == ACCEPTED or member.accepted_at is not None


def can_request_exchange_for(user, offer) -> bool:
    """Someone else's open offer, from an active person."""
    return bool(getattr(user, "is_authenticated", False) and user.id != offer.user_id
                and offer.status == OPEN and offer.user.active)


TEMPLATE_PREDICATES = {
    "is_exchange_member": is_exchange_member,
    "can_view_exchange": can_view_exchange,
    "can_accept_exchange": can_accept_exchange,
    "can_decline_exchange": can_decline_exchange,
    "can_cancel_exchange": can_cancel_exchange,
    "can_request_exchange_for": can_request_exchange_for,
}
