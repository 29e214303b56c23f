"""Who may do what with offers: pure predicates, also available in templates."""

from __future__ import annotations

from app.accounts.permissions import is_admin
from app.offers.models import CLOSED


def owns_offer(user, offer) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.id == offer.user_id)


def can_see_offer(user, offer) -> bool:
    """A closed offer is its owner's alone; a deactivated person's offers vanish for everyone
    but administrators (as their profile does). Paused offers stay visible, marked paused."""
    if owns_offer(user, offer):
        return True
    if offer.status == CLOSED:
        return False
    return offer.user.active or is_admin(user)


def can_manage_offer(user, offer) -> bool:
    """Edit, pause, reopen and close: the owner only."""
    return owns_offer(user, offer)


TEMPLATE_PREDICATES = {
    "owns_offer": owns_offer,
    "can_see_offer": can_see_offer,
    "can_manage_offer": can_manage_offer,
}
