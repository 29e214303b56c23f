"""Read side of exchanges: one person's lists, and an exchange described for one person."""

from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.exchanges.models import (
    ACCEPTED,
    OPEN_STATUSES,
    REQUESTED,
    Exchange,
    ExchangeLeg,
    ExchangeMember,
)

PER_PAGE = 10
# The sections of "My exchanges", in page order, with their headings and empty states.
GROUPS = {
    "waiting": ("Waiting for your answer", "Nobody is waiting for you."),
    "pending": ("Waiting for others", "No requests of yours are waiting for others."),
    "active": ("Active", "No active exchanges."),
    "past": ("Past", "Nothing finished yet."),
}


def _mine(user: User, *conditions, accepted: bool | None = None) -> Select:
    member = select(ExchangeMember).where(ExchangeMember.exchange_id == Exchange.id,
                                          ExchangeMember.user_id == user.id)
    if accepted is not None:
        column = ExchangeMember.accepted_at
        member = member.where(column.is_not(None) if accepted else column.is_(None))
    return (select(Exchange).where(exists(member), *conditions)
            .options(selectinload(Exchange.members).selectinload(ExchangeMember.user),
                     selectinload(Exchange.legs).selectinload(ExchangeLeg.skill)))


def group_select(user: User, group: str) -> Select:
    """My exchanges in one section of the list, newest first."""
    if group == "waiting":
        query = _mine(user, Exchange.status == REQUESTED, accepted=False)
        return query.order_by(Exchange.expires_at, Exchange.id)
    if group == "pending":
        query = _mine(user, Exchange.status == REQUESTED, accepted=True)
        return query.order_by(Exchange.expires_at, Exchange.id)
    if group == "active":
        return _mine(user, Exchange.status == ACCEPTED).order_by(Exchange.accepted_at.desc(),
                                                                 Exchange.id.desc())
    return _mine(user, Exchange.status.not_in(OPEN_STATUSES)).order_by(
        Exchange.created_at.desc(), Exchange.id.desc())


# -- One exchange, for one person -----------------------------------------------------------


def teaches(exchange: Exchange, user_id: int) -> list[ExchangeLeg]:
    return [leg for leg in exchange.legs if leg.teacher_id == user_id]


def learns(exchange: Exchange, user_id: int) -> list[ExchangeLeg]:
    return [leg for leg in exchange.legs if leg.learner_id == user_id]


def others(exchange: Exchange, user_id: int | None) -> list[User]:
    return [m.user for m in exchange.members if m.user_id != user_id]


def waiting_for(exchange: Exchange) -> list[User]:
    """Who hasn't accepted a request yet."""
    return [m.user for m in exchange.members if m.accepted_at is None]


def names(people: list[User]) -> str:
    """“Ana”, “Ana and Bo”, “Ana, Bo and Cy”."""
    words = [p.display_name for p in people]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def skills_of(legs: list[ExchangeLeg]) -> str:
    return names_of_skills([leg.skill.name for leg in legs])


def names_of_skills(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def summary_for(exchange: Exchange, user_id: int) -> str:
    """What the exchange means for one person: “you teach SQL and learn Python”."""
    teach, learn = teaches(exchange, user_id), learns(exchange, user_id)
    parts = []
    if teach:
        parts.append(f"teach {skills_of(teach)}")
    if learn:
        parts.append(f"learn {skills_of(learn)}")
    return "you " + " and ".join(parts) if parts else ""


def title_for(exchange: Exchange, user_id: int | None) -> str:
    """“SQL with Ana” from one member's side; every skill and person for anyone else."""
    skills = names_of_skills(list(dict.fromkeys(leg.skill.name for leg in exchange.legs)))
    return f"{skills} with {names(others(exchange, user_id))}"
