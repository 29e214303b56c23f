"""Read side of matching: load what one person's suggestions need and rank them.

Only what can matter is loaded, in at most five statements whatever the size of the site:

1. the keys of the suggestions the person dismissed;
2. the person's own offers (open and paused; only open ones are matched);
3. the complementary open offers of active people, one indexed term per own offer: teaching
   offers with a free seat, at a level that fits, on each skill the person wants; learning
   offers that fit on each skill the person teaches (people whose profile switches rule
   them out of every kind of match are left out here too);
4. only when a three-way swap is possible: the learning offers of the people who could teach
   the person and the teaching offers of the people the person could teach
   (`matching.people_two_steps_away`);
5. with 3, the pairs of people never to suggest together again (`excluded_pairs`).

The pure `app.offers.matching` does the rest. For one person among 5,000 with 20,000 offers
this takes well under 100 ms (`python -m bench.matching`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select

from app.accounts.models import User
from app.extensions import db
from app.offers import matching
from app.offers.matching import CYCLE, MENTEE, MENTOR, SWAP, OfferInfo, Person, Suggestion
from app.offers.models import CLOSED, LEARN, OPEN, PAUSED, TEACH, DismissedSuggestion, Offer
from app.skills.models import Skill


def excluded_pairs() -> frozenset[frozenset[int]]:
    """Pairs never to suggest again: people who declined or completed an exchange with each
    other (one statement over the members of those exchanges)."""
    from sqlalchemy.orm import aliased

    from app.exchanges.models import COMPLETED, DECLINED, Exchange, ExchangeMember

    one, two = aliased(ExchangeMember), aliased(ExchangeMember)
    rows = db.session.execute(
        select(one.user_id, two.user_id).distinct()
        .join(two, and_(two.exchange_id == one.exchange_id, two.user_id > one.user_id))
        .join(Exchange, Exchange.id == one.exchange_id)
        .where(Exchange.status.in_((DECLINED, COMPLETED))))
    return frozenset(frozenset(row) for row in rows)


_COLUMNS = (
    Offer.id, Offer.user_id, Offer.skill_id, Offer.kind, Offer.level, Offer.format_one_to_one,
    Offer.format_group, Offer.format_async, Offer.capacity, Offer.seats_taken, Offer.status,
    Skill.name, Skill.slug, User.display_name, User.handle, User.department,
    User.open_to_mentoring, User.open_to_being_mentored, User.open_to_swaps,
)
_FORMAT_COLUMNS = ("one_to_one", "group", "async")


@dataclass(frozen=True, slots=True)
class PersonCard:
    id: int
    name: str
    handle: str
    department: str


@dataclass(slots=True)
class MatchResults:
    """One person's suggestions with what the page shows about the people and skills in
    them, and what the empty states need to know."""

    suggestions: list[Suggestion] = field(default_factory=list)
    people: dict[int, PersonCard] = field(default_factory=dict)
    skill_slugs: dict[int, str] = field(default_factory=dict)
    open_wants: int = 0
    open_teaching: int = 0
    paused_offers: int = 0
    open_to_anything: bool = False

    @property
    def has_offers(self) -> bool:
        return bool(self.open_wants or self.open_teaching or self.paused_offers)

    @property
    def swaps(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.kind in (SWAP, CYCLE)]

    @property
    def teachers(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.kind == MENTOR]

    @property
    def learners(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.kind == MENTEE]


def person_of(user: User) -> Person:
    return Person(user.id, user.display_name, user.department or "", user.open_to_mentoring,
                  user.open_to_being_mentored, user.open_to_swaps)


def _offer_rows(*conditions) -> list:
    statement = (select(*_COLUMNS)
                 .join(Skill, Skill.id == Offer.skill_id)
                 .join(User, User.id == Offer.user_id)
                 .where(User.active.is_(True), *conditions))
    return db.session.execute(statement).all()


_FORMAT_SETS = {
    flags: frozenset(name for name, on in zip(_FORMAT_COLUMNS, flags, strict=True) if on)
    for flags in itertools.product((False, True), repeat=3)
}


class _Loaded:
    """Rows turned into the matcher's inputs, remembering handles and slugs for the page.
    Rows are unpacked by position: reading a thousand rows by name costs more than ranking
    them."""

    def __init__(self) -> None:
        self.people: dict[int, Person] = {}
        self.handles: dict[int, str] = {}
        self.offers: dict[int, OfferInfo] = {}
        self.slugs: dict[int, str] = {}

    def add(self, rows) -> None:
        people, offers = self.people, self.offers
        for (offer_id, user_id, skill_id, kind, level, one_to_one, group, asynchronous,
             capacity, seats_taken, status, skill_name, skill_slug, name, handle, department,
             mentoring, mentored, swaps) in rows:
            if user_id not in people:
                people[user_id] = Person(user_id, name, department or "", mentoring, mentored,
                                         swaps)
                self.handles[user_id] = handle
            self.slugs[skill_id] = skill_slug
            if status == OPEN:
                offers[offer_id] = OfferInfo(
                    offer_id, user_id, skill_id, skill_name, kind, level,
                    _FORMAT_SETS[bool(one_to_one), bool(group), bool(asynchronous)],
                    (capacity or 0) - seats_taken, capacity)

    def cards(self, ids) -> dict[int, PersonCard]:
        return {pid: PersonCard(pid, self.people[pid].name, self.handles[pid],
                                self.people[pid].department) for pid in ids}


def matches_for(user: User) -> MatchResults:
    """The suggestions for `user` (an active person), best first."""
    me = person_of(user)
    dismissed = frozenset(db.session.scalars(
        select(DismissedSuggestion.key).where(DismissedSuggestion.user_id == user.id)))
    loaded = _Loaded()
    mine = _offer_rows(Offer.user_id == user.id, Offer.status != CLOSED)
    loaded.add(mine)
    loaded.people[me.id], loaded.handles[me.id] = me, user.handle
    results = MatchResults(
        skill_slugs=loaded.slugs,
        open_wants=sum(r.status == OPEN and r.kind == LEARN for r in mine),
        open_teaching=sum(r.status == OPEN and r.kind == TEACH for r in mine),
        paused_offers=sum(r.status == PAUSED for r in mine),
        open_to_anything=me.open_to_mentoring or me.open_to_being_mentored or me.open_to_swaps)
    mine_open = sorted(loaded.offers.values(), key=lambda o: o.id)
    # One indexed term per own offer (status, kind, skill), with the levels that fit.
    complementary = [
        and_(Offer.status == OPEN, Offer.kind == TEACH, Offer.skill_id == o.skill_id,
             Offer.level.in_(matching.teacher_levels_for(o.level)),
             Offer.seats_taken < Offer.capacity, or_(User.open_to_mentoring, User.open_to_swaps))
        for o in mine_open if o.kind == LEARN
    ] + [
        and_(Offer.status == OPEN, Offer.kind == LEARN, Offer.skill_id == o.skill_id,
             Offer.level.in_(matching.learner_levels_for(o.level)),
             or_(User.open_to_being_mentored, User.open_to_swaps))
        for o in mine_open if o.kind == TEACH and o.seats_free > 0
        and matching.learner_levels_for(o.level)
    ]
    if not complementary or not results.open_to_anything:
        results.people = loaded.cards([me.id])
        return results

    loaded.add(_offer_rows(Offer.user_id != me.id, or_(*complementary)))
    excluded = excluded_pairs()
    teachers, learners = matching.people_two_steps_away(
        me, loaded.people.values(), loaded.offers.values(), excluded_pairs=excluded,
        dismissed=dismissed)
    if teachers and learners:
        # By person: the status is checked row by row (`_Loaded.add`), so that SQLite, which
        # keeps no statistics here, walks these people's offers and not every open one.
        loaded.add(_offer_rows(User.open_to_swaps.is_(True),
                               Offer.user_id.in_(sorted(teachers | learners)), or_(
            and_(Offer.kind == LEARN, Offer.user_id.in_(sorted(teachers))),
            and_(Offer.kind == TEACH, Offer.user_id.in_(sorted(learners)),
                 Offer.seats_taken < Offer.capacity),
        )))
    results.suggestions = matching.suggest_matches(
        me, loaded.people.values(), loaded.offers.values(), excluded_pairs=excluded,
        dismissed=dismissed)
    results.people = loaded.cards({me.id} | {pid for s in results.suggestions for pid in s.people})
    return results
