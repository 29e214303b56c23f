"""What an exchange request would propose, built from what the person clicked: an offer on
the marketplace or a suggestion on /matches/.

The legs are rebuilt from the current offers, never from what the page showed: a suggestion
key names people and skills (`app.offers.matching`), and each leg needs its teacher's open
teaching offer and its learner's open learning offer on that skill now. The services check
seats, people and duplicates when the request is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from app.accounts.models import User
from app.core.errors import Conflict, NotAllowed, NotFound
from app.exchanges.models import CYCLE, KINDS, MENTORING, SWAP
from app.exchanges.services import PlannedLeg
from app.extensions import db
from app.offers.models import CLOSED, LEARN, OPEN, PAUSED, SUGGESTION_KEY_MAX, TEACH, Offer
from app.skills.models import Skill

_ID = r"(\d{1,10})"
KEY_PATTERNS = {
    "mentor": re.compile(rf"mentor:{_ID}:{_ID}:{_ID}"),
    "mentee": re.compile(rf"mentee:{_ID}:{_ID}:{_ID}"),
    "swap": re.compile(rf"swap:{_ID}:{_ID}:{_ID}:{_ID}"),
    "cycle": re.compile(rf"cycle:{_ID}-{_ID}-{_ID}:{_ID}-{_ID}-{_ID}"),
}
GONE = "That suggestion doesn't exist any more. Look at your matches for fresh ones."


@dataclass(frozen=True, slots=True)
class Proposal:
    """Legs to request, with what the confirm page says about them."""

    kind: str
    legs: list[PlannedLeg]
    offer_id: int | None = None
    suggestion_key: str = ""

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def others(self) -> list[User]:
        people: list[User] = []
        for leg in self.legs:
            for person in (leg.teacher, leg.learner):
                if person not in people:
                    people.append(person)
        return people

    def teaches(self, user: User) -> list[PlannedLeg]:
        return [leg for leg in self.legs if leg.teacher.id == user.id]

    def learns(self, user: User) -> list[PlannedLeg]:
        return [leg for leg in self.legs if leg.learner.id == user.id]


def from_offer(requester: User, offer: Offer) -> Proposal:
    """"I want to learn this from you" (a teaching offer) or "I can teach you" (a learning
    offer, taught from the requester's own open teaching offer on the skill if there is
    one)."""
    if offer.user_id == requester.id:
        raise NotAllowed("This is your own offer: you can't request an exchange with yourself.")
    if offer.status != OPEN:
        state = "paused for now" if offer.status == PAUSED else "closed"
        raise Conflict(f"{offer.user.display_name}'s offer is {state}, so it isn't taking "
                       "requests.")
    if offer.kind == TEACH:
        leg = PlannedLeg(teacher=offer.user, learner=requester, skill=offer.skill,
                         teach_offer=offer)
    else:
        mine = db.session.scalar(select(Offer).where(
            Offer.user_id == requester.id, Offer.kind == TEACH, Offer.skill_id == offer.skill_id,
            Offer.status == OPEN))
        leg = PlannedLeg(teacher=requester, learner=offer.user, skill=offer.skill,
                         teach_offer=mine)
    return Proposal(MENTORING, [leg], offer_id=offer.id)


def _legs_in_key(key: str) -> tuple[int | None, list[tuple[int, int, int]]] | None:
    """Whose suggestion it is (None for a cycle: any of its three) and (teacher, learner,
    skill) for each leg the key names."""
    for kind, pattern in KEY_PATTERNS.items():
        match = pattern.fullmatch(key)
        if not match:
            continue
        ids = [int(n) for n in match.groups()]
        if kind == "mentor":
            me, teacher, skill = ids
            return me, [(teacher, me, skill)]
        if kind == "mentee":
            me, learner, skill = ids
            return me, [(me, learner, skill)]
        if kind == "swap":
            me, other, learn_skill, teach_skill = ids
            return me, [(other, me, learn_skill), (me, other, teach_skill)]
        p0, p1, p2, s01, s12, s20 = ids
        return None, [(p0, p1, s01), (p1, p2, s12), (p2, p0, s20)]
    return None


def from_suggestion(requester: User, key: str | None) -> Proposal:
    """The exchange a match suggestion describes, as it stands now."""
    key = (key or "").strip()
    parsed = _legs_in_key(key) if len(key) <= SUGGESTION_KEY_MAX else None
    if parsed is None:
        raise NotFound(GONE)
    viewer, triples = parsed
    people_ids = {pid for teacher, learner, _ in triples for pid in (teacher, learner)}
    if (requester.id not in people_ids or viewer not in (None, requester.id)
            or len(people_ids) != max(2, len(triples))):
        raise NotFound(GONE)  # someone else's suggestion, or not one the matcher makes
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(people_ids)))}
    skills = {s.id: s for s in db.session.scalars(
        select(Skill).where(Skill.id.in_({skill for _, _, skill in triples})))}
    if len(people) != len(people_ids) or len(skills) != len({s for _, _, s in triples}):
        raise NotFound(GONE)
    wanted = [and_(Offer.user_id == uid, Offer.kind == kind, Offer.skill_id == sid)
              for teacher, learner, sid in triples
              for uid, kind in ((teacher, TEACH), (learner, LEARN))]
    offers = {(o.user_id, o.kind, o.skill_id): o for o in db.session.scalars(
        select(Offer).where(Offer.status != CLOSED, or_(*wanted)))}
    legs = []
    for teacher_id, learner_id, skill_id in triples:
        teacher, learner, skill = people[teacher_id], people[learner_id], skills[skill_id]
        teach = offers.get((teacher_id, TEACH, skill_id))
        learn = offers.get((learner_id, LEARN, skill_id))
        if teach is None or teach.status != OPEN:
            raise Conflict(f"This suggestion is out of date: {teacher.display_name} isn't "
                           f"offering to teach {skill.name} right now.")
        if learn is None or learn.status != OPEN:
            raise Conflict(f"This suggestion is out of date: {learner.display_name} isn't "
                           f"looking to learn {skill.name} right now.")
        legs.append(PlannedLeg(teacher=teacher, learner=learner, skill=skill,
                               teach_offer=teach))
    kind = {1: MENTORING, 2: SWAP, 3: CYCLE}[len(legs)]
    return Proposal(kind, legs, suggestion_key=key)
