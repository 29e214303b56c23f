"""Offers in domain words: post one, edit it, pause, reopen and close it.

They take the acting user explicitly, flush but never commit, and raise typed domain errors
(`Invalid` names the form field). A person has at most one offer per kind and skill that is
not closed: checked first for a friendly message, and settled by the database's partial
unique index when two requests race.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.markdown import render_markdown
from app.core.validators import has_control_characters
from app.extensions import db
from app.offers import permissions
from app.offers.models import (
    AVAILABILITY_MAX,
    CAPACITY_MAX,
    CAPACITY_MIN,
    CLOSED,
    DESCRIPTION_MAX,
    FORMATS,
    KINDS,
    LEVELS,
    OPEN,
    PAUSED,
    TEACH,
    Offer,
)
from app.skills.models import Skill
from app.skills.services import get_or_create_skill

VERBS = {TEACH: "teach", "learn": "learn"}

# -- Checking what people typed ------------------------------------------------------------


def _require_owner(actor: User, offer: Offer) -> None:
    if not permissions.can_manage_offer(actor, offer):
        raise NotAllowed("Only the person who posted this offer can change it.")


def _clean_kind(kind: str | None) -> str:
    if kind not in KINDS:
        raise Invalid("kind", "Choose whether you can teach this skill or want to learn it.")
    return kind


def _clean_level(level: str | None) -> str:
    if level not in LEVELS:
        raise Invalid("level", "Choose a level: beginner, intermediate or advanced.")
    return level


def _clean_formats(formats: Iterable[str] | None) -> set[str]:
    chosen = set(formats or ())
    if not chosen:
        raise Invalid("formats", "Choose at least one format.")
    unknown = chosen - set(FORMATS)
    if unknown:
        raise Invalid("formats", "Choose formats from the list.")
    return chosen


def _clean_availability(text: str | None) -> str:
    text = " ".join((text or "").split())
    if len(text) > AVAILABILITY_MAX:
        raise Invalid("availability", f"Keep availability to {AVAILABILITY_MAX} characters "
                                      "at most.")
    if has_control_characters(text):
        raise Invalid("availability", "Remove the invisible control characters from this "
                                      "field.")
    return text


def _clean_description(text: str | None) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > DESCRIPTION_MAX:
        raise Invalid("description", f"Keep the description to {DESCRIPTION_MAX:,} characters "
                                     "at most.")
    if has_control_characters(text, allow_newlines=True):
        raise Invalid("description", "Remove the invisible control characters from this "
                                     "field.")
    return text


def _clean_capacity(kind: str, capacity) -> int | None:
    """How many learners a teacher takes at once; learning offers have none."""
    if kind != TEACH:
        return None
    if isinstance(capacity, str):
        capacity = capacity.strip()
    try:
        number = int(capacity)
    except (TypeError, ValueError):
        raise Invalid("capacity", f"Enter how many learners you can take at once, "
                                  f"a number from {CAPACITY_MIN} to {CAPACITY_MAX}.") from None
    if not CAPACITY_MIN <= number <= CAPACITY_MAX:
        raise Invalid("capacity", f"Choose from {CAPACITY_MIN} to {CAPACITY_MAX} learners.")
    return number


def _set_formats(offer: Offer, formats: set[str]) -> None:
    for key in FORMATS:
        setattr(offer, f"format_{key}", key in formats)


# -- One not-closed offer per person, kind and skill ---------------------------------------


def not_closed_offer(user: User, kind: str, skill: Skill, *,
                     exclude: Offer | None = None) -> Offer | None:
    """The person's open or paused offer of this kind for this skill, if any."""
    query = select(Offer).where(Offer.user_id == user.id, Offer.kind == kind,
                                Offer.skill_id == skill.id, Offer.status != CLOSED)
    if exclude is not None and exclude.id is not None:
        query = query.where(Offer.id != exclude.id)
    return db.session.scalar(query.limit(1))


def duplicate_message(kind: str, skill: Skill, existing: Offer | None) -> str:
    verb = VERBS[kind]
    if existing is not None and existing.status == PAUSED:
        return (f"You already have a paused offer to {verb} {skill.name} — "
                "reopen or edit it instead.")
    return f"You already have an open offer to {verb} {skill.name} — edit it instead."


def _save_checking_duplicates(offer: Offer) -> None:
    """Flush the offer in a savepoint. If another request saved a not-closed offer of the
    same kind and skill since we checked, the unique index refuses it: say so."""
    try:
        with db.session.begin_nested():
            db.session.add(offer)
    except IntegrityError:
        existing = not_closed_offer(offer.user, offer.kind, offer.skill, exclude=offer)
        if existing is None:
            raise Conflict("We couldn't save your offer just now. Please try again.") from None
        raise Invalid("skill", duplicate_message(offer.kind, offer.skill, existing)) from None


# -- Operations ----------------------------------------------------------------------------


def create_offer(actor: User, *, kind: str, skill_name: str, level: str,
                 formats: Iterable[str], availability: str = "", description: str = "",
                 capacity=None) -> Offer:
    """Post an offer to teach or learn a skill, adding the skill when nobody has named it
    yet. `capacity` matters for teaching offers only."""
    kind = _clean_kind(kind)
    level = _clean_level(level)
    chosen = _clean_formats(formats)
    availability = _clean_availability(availability)
    description = _clean_description(description)
    capacity = _clean_capacity(kind, capacity)
    skill = get_or_create_skill(actor, skill_name, field="skill")
    existing = not_closed_offer(actor, kind, skill)
    if existing is not None:
        raise Invalid("skill", duplicate_message(kind, skill, existing))
    now = utcnow()
    offer = Offer(user=actor, skill=skill, kind=kind, level=level, availability=availability,
                  description_md=description, description_html=render_markdown(description),
                  capacity=capacity, seats_taken=0, status=OPEN, created_at=now,
                  updated_at=now)
    _set_formats(offer, chosen)
    _save_checking_duplicates(offer)
    return offer


def edit_offer(actor: User, offer: Offer, *, level: str, formats: Iterable[str],
               availability: str = "", description: str = "", capacity=None) -> Offer:
    """Change an offer's details. Its kind and skill stay: those make a different offer.
    A teacher can't take fewer learners than already have a seat."""
    _require_owner(actor, offer)
    if offer.status == CLOSED:
        raise Conflict("This offer is closed. Reopen it before you edit it.")
    level = _clean_level(level)
    chosen = _clean_formats(formats)
    availability = _clean_availability(availability)
    description = _clean_description(description)
    capacity = _clean_capacity(offer.kind, capacity)
    if capacity is not None and capacity < offer.seats_taken:
        raise Invalid("capacity", _seats_message(offer.seats_taken))
    html = (render_markdown(description) if description != offer.description_md
            else offer.description_html)
    try:  # an exchange accepted meanwhile may have taken a seat: the CHECK decides
        with db.session.begin_nested():  # changes inside, so only they roll back
            offer.level, offer.availability, offer.capacity = level, availability, capacity
            offer.description_md, offer.description_html = description, html
            _set_formats(offer, chosen)
            offer.updated_at = utcnow()
    except IntegrityError:
        db.session.refresh(offer)
        raise Invalid("capacity", _seats_message(offer.seats_taken)) from None
    return offer


def _seats_message(seats_taken: int) -> str:
    learners = "learner has" if seats_taken == 1 else "learners have"
    return (f"{seats_taken} {learners} a seat already, so the capacity can't be lower "
            f"than {seats_taken}.")


def pause_offer(actor: User, offer: Offer) -> Offer:
    """Stop showing an open offer on the marketplace for now; it still holds its place."""
    _require_owner(actor, offer)
    if offer.status == CLOSED:
        raise Conflict("This offer is closed. Reopen it instead of pausing it.")
    if offer.status != PAUSED:
        offer.status, offer.updated_at = PAUSED, utcnow()
        db.session.flush()
    return offer


def reopen_offer(actor: User, offer: Offer) -> Offer:
    """Put a paused or closed offer back on the marketplace — unless the person has posted
    another offer of the same kind for the same skill since."""
    _require_owner(actor, offer)
    if offer.status == OPEN:
        return offer
    other = not_closed_offer(actor, offer.kind, offer.skill, exclude=offer)
    if other is not None:
        raise Conflict(_other_offer_message(offer, other))
    try:
        with db.session.begin_nested():
            offer.status, offer.updated_at = OPEN, utcnow()
    except IntegrityError:
        db.session.refresh(offer)
        raise Conflict(f"You have another offer to {VERBS[offer.kind]} {offer.skill.name} "
                       "now; this one can't be reopened.") from None
    return offer


def _other_offer_message(offer: Offer, other: Offer) -> str:
    state = "a paused" if other.status == PAUSED else "an open"
    return (f"You already have {state} offer to {VERBS[offer.kind]} {offer.skill.name}, "
            "so this one can't be reopened. Edit that one instead, or close it first.")


def close_offer(actor: User, offer: Offer) -> Offer:
    """Take an offer off the marketplace for good (it can still be reopened later)."""
    _require_owner(actor, offer)
    if offer.status != CLOSED:
        offer.status, offer.updated_at = CLOSED, utcnow()
        db.session.flush()
    return offer
