"""The search behind `app.offers.matching`: indexes by skill and person, then candidates.

Every candidate is first a cheap sort key (see `rules.order`) with a way to build it; only
the few that are shown become `Suggestion`s with legs, keys and reasons. Three-way swaps are
searched best teacher first and stop as soon as no later teacher could beat the ones found.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from operator import itemgetter

from app.offers.matching import reasons
from app.offers.matching.reasons import FORMAT_WORDS
from app.offers.matching.rules import (
    CYCLE,
    MENTEE,
    MENTOR,
    PER_ITEM,
    PER_KIND,
    REACH,
    SWAP,
    TEACH,
    Leg,
    OfferInfo,
    Person,
    Suggestion,
    can_learn_one_way,
    can_teach_one_way,
    order,
    pair,
    score,
    suggestion_order,
)

Candidate = tuple[tuple, object, Callable[[], Suggestion]]  # (order, group, build)


class _Index:
    """The inputs arranged for lookups by skill and by person, built once: O(offers)."""

    def __init__(self, viewer: Person, people: Iterable[Person], offers: Iterable[OfferInfo],
                 excluded_pairs: Iterable[frozenset[int]], dismissed: Iterable[str]):
        self.viewer = viewer
        self.people = {p.id: p for p in people}
        self.people[viewer.id] = viewer
        self.departments = {pid: p.department.strip().casefold()
                            for pid, p in self.people.items()}
        self.excluded = frozenset(excluded_pairs)
        self.dismissed = frozenset(dismissed)
        self.offers: dict[int, OfferInfo] = {}
        self.wants: dict[int, OfferInfo] = {}  # skill -> the viewer's learning offer
        self.teaching: dict[int, OfferInfo] = {}  # skill -> the viewer's teaching offer
        self.teachers: dict[int, list[OfferInfo]] = defaultdict(list)  # skill -> others'
        self.learners: dict[int, list[OfferInfo]] = defaultdict(list)
        self.teaches_by_person: dict[int, list[OfferInfo]] = defaultdict(list)
        self.learns_by_person: dict[int, list[OfferInfo]] = defaultdict(list)
        for offer in sorted(offers, key=lambda o: o.id):
            if offer.id in self.offers or offer.person_id not in self.people:
                continue
            self.offers[offer.id] = offer
            teach = offer.kind == TEACH
            if teach and offer.seats_free <= 0:
                continue
            if offer.person_id == viewer.id:
                (self.teaching if teach else self.wants)[offer.skill_id] = offer
            else:
                (self.teachers if teach else self.learners)[offer.skill_id].append(offer)
                by_person = self.teaches_by_person if teach else self.learns_by_person
                by_person[offer.person_id].append(offer)

    def allowed(self, a: int, b: int) -> bool:
        return not self.excluded or pair(a, b) not in self.excluded

    def cross(self, a: int, b: int) -> int:
        """1 when both people name a department and the two differ."""
        one, two = self.departments[a], self.departments[b]
        return int(bool(one and two) and one != two)

    def swap_minded(self, person_id: int) -> bool:
        return self.people[person_id].open_to_swaps and self.allowed(self.viewer.id, person_id)


def _leg(teach: OfferInfo, learn: OfferInfo) -> Leg:
    shared = tuple(f for f in FORMAT_WORDS if f in teach.formats and f in learn.formats)
    return Leg(teach.person_id, learn.person_id, teach.skill_id, teach.skill_name, teach.id,
               learn.id, teach.level, learn.level, REACH[teach.level, learn.level], shared)


def _pick(ix: _Index, candidates: list[Candidate], limit: int) -> list[Suggestion]:
    """Build the `limit` best candidates, skipping dismissed keys and keeping only the best
    per group (None: no grouping)."""
    chosen, groups = [], set()
    for _, group, build in sorted(candidates, key=itemgetter(0)):
        if group is not None and group in groups:
            continue
        suggestion = build()
        if suggestion.key in ix.dismissed:
            continue
        groups.add(group)
        chosen.append(suggestion)
        if len(chosen) == limit:
            break
    return chosen


def _one_way_suggestion(ix: _Index, kind: str, teach: OfferInfo, learn: OfferInfo,
                        other: int) -> Suggestion:
    skill, me, legs = teach.skill_id, ix.viewer.id, (_leg(teach, learn),)
    return Suggestion(kind, f"{kind}:{me}:{other}:{skill}", (other,), legs,
                      score(kind, legs, ix.cross(me, other), teach.seats_free), (skill, other))


def _one_way(ix: _Index, kind: str, per_item: int, covered: set[tuple[int, int]]):
    """Teachers for each of the viewer's wants (MENTOR) or learners for each of the viewer's
    teaching offers (MENTEE), skipping (person, skill) already `covered` by a swap."""
    me, found, mentor = ix.viewer, [], kind == MENTOR
    if not (can_learn_one_way(me) if mentor else can_teach_one_way(me)):
        return []
    willing = can_teach_one_way if mentor else can_learn_one_way
    for skill, mine in sorted((ix.wants if mentor else ix.teaching).items()):
        candidates = []
        for theirs in (ix.teachers if mentor else ix.learners).get(skill, ()):
            other = theirs.person_id
            if (not willing(ix.people[other]) or not ix.allowed(me.id, other)
                    or (other, skill) in covered):
                continue
            teach, learn = (theirs, mine) if mentor else (mine, theirs)
            reach = REACH[teach.level, learn.level]
            if reach is not None:
                candidates.append((order(
                    kind, reach, len(teach.formats & learn.formats), ix.cross(me.id, other),
                    teach.seats_free, skill, other), None,
                    partial(_one_way_suggestion, ix, kind, teach, learn, other)))
        found += _pick(ix, candidates, per_item)
    return found


def _swap_suggestion(ix: _Index, teach: OfferInfo, want: OfferInfo, mine: OfferInfo,
                     their_want: OfferInfo) -> Suggestion:
    me, other = ix.viewer.id, teach.person_id
    legs = (_leg(teach, want), _leg(mine, their_want))
    return Suggestion(SWAP, f"swap:{me}:{other}:{want.skill_id}:{mine.skill_id}", (other,), legs,
                      score(SWAP, legs, ix.cross(me, other),
                            min(teach.seats_free, mine.seats_free)),
                      (other, want.skill_id, mine.skill_id))


def _swaps(ix: _Index, per_item: int) -> dict[int, list[Suggestion]]:
    """want skill -> its best swaps, one per other person; wants without any are left out."""
    if not ix.viewer.open_to_swaps:
        return {}
    found, me = {}, ix.viewer.id
    for skill, want in sorted(ix.wants.items()):
        candidates = []
        for teach in ix.teachers.get(skill, ()):
            other = teach.person_id
            reach = REACH[teach.level, want.level]
            if reach is None or not ix.swap_minded(other):
                continue
            for their_want in ix.learns_by_person.get(other, ()):
                mine = ix.teaching.get(their_want.skill_id)
                if mine is None or their_want.skill_id == skill:
                    continue
                back = REACH[mine.level, their_want.level]
                if back is not None:
                    candidates.append((order(
                        SWAP, min(reach, back), min(len(teach.formats & want.formats),
                                                    len(mine.formats & their_want.formats)),
                        ix.cross(me, other), min(teach.seats_free, mine.seats_free),
                        other, skill, mine.skill_id), other,
                        partial(_swap_suggestion, ix, teach, want, mine, their_want)))
        if picked := _pick(ix, candidates, per_item):
            found[skill] = picked
    return found


def _cycle_starts(ix: _Index) -> dict[int, list[tuple]]:
    """skill c -> (my offer, B's want, B's teaching offer on c, reach, shared formats, cross,
    seats) for everyone B the viewer could teach who is open to swaps: the first two steps
    of every three-way swap."""
    starts: dict[int, list[tuple]] = defaultdict(list)
    for mine in ix.teaching.values():
        for b_wants in ix.learners.get(mine.skill_id, ()):
            b = b_wants.person_id
            reach = REACH[mine.level, b_wants.level]
            if reach is None or not ix.swap_minded(b):
                continue
            shared, cross = len(mine.formats & b_wants.formats), ix.cross(ix.viewer.id, b)
            for b_teach in ix.teaches_by_person.get(b, ()):
                starts[b_teach.skill_id].append(
                    (mine, b_wants, b_teach, reach, shared, cross,
                     min(mine.seats_free, b_teach.seats_free)))
    return starts


def _cycle_key(legs: tuple[Leg, Leg, Leg]) -> str:
    start = min(range(3), key=lambda i: legs[i].teacher_id)
    ordered = legs[start:] + legs[:start]
    people = "-".join(str(leg.teacher_id) for leg in ordered)
    return f"cycle:{people}:" + "-".join(str(leg.skill_id) for leg in ordered)


def _cycle_suggestion(ix: _Index, c_teach, want, mine, b_wants, b_teach, c_wants) -> Suggestion:
    legs = (_leg(c_teach, want), _leg(mine, b_wants), _leg(b_teach, c_wants))
    me, b, c = ix.viewer.id, b_teach.person_id, c_teach.person_id
    cross = ix.cross(c, me) + ix.cross(me, b) + ix.cross(b, c)
    seats = min(c_teach.seats_free, mine.seats_free, b_teach.seats_free)
    return Suggestion(CYCLE, _cycle_key(legs), (b, c), legs, score(CYCLE, legs, cross, seats),
                      (c, b, mine.skill_id, b_teach.skill_id))


def _cycles_for(ix: _Index, want: OfferInfo, starts, per_item: int) -> list[Suggestion]:
    """The best three-way swaps for one want, one per (B, C): teachers C are tried best
    first, and the search stops when even C's own leg ranks below the last one kept."""
    me, teachers = ix.viewer.id, []
    for c_teach in ix.teachers.get(want.skill_id, ()):
        reach = REACH[c_teach.level, want.level]
        if reach is not None and ix.swap_minded(c_teach.person_id):
            bound = order(CYCLE, reach, len(c_teach.formats & want.formats), 3,
                          c_teach.seats_free)
            teachers.append((bound, c_teach, ix.cross(c_teach.person_id, me), reach,
                             len(c_teach.formats & want.formats), c_teach.seats_free))
    teachers.sort(key=itemgetter(0))
    best: dict[tuple[int, int], tuple] = {}  # (B, C) -> (order, build)
    checked = None
    for bound, c_teach, cross_c, reach_c, shared_c, seats_c in teachers:
        if bound != checked and len(best) >= per_item:
            checked = bound
            threshold = heapq.nsmallest(per_item, (o for o, _ in best.values()))[-1]
            if bound[:5] > threshold[:5]:  # every cycle through C ranks below those kept
                break
        c = c_teach.person_id
        for c_wants in ix.learns_by_person.get(c, ()):
            for mine, b_wants, b_teach, reach_b, shared_b, cross_b, seats_b in starts.get(
                    c_wants.skill_id, ()):
                b = b_teach.person_id
                reach = REACH[b_teach.level, c_wants.level]
                if b == c or reach is None or not ix.allowed(b, c):
                    continue
                rank = order(CYCLE, min(reach_c, reach_b, reach),
                             min(shared_c, shared_b, len(b_teach.formats & c_wants.formats)),
                             cross_c + cross_b + ix.cross(b, c), min(seats_c, seats_b),
                             c, b, mine.skill_id, b_teach.skill_id)
                if (b, c) in best and best[b, c][0] <= rank:
                    continue
                build = partial(_cycle_suggestion, ix, c_teach, want, mine, b_wants, b_teach,
                                c_wants)
                if not ix.dismissed or build().key not in ix.dismissed:
                    best[b, c] = (rank, build)
    return [build() for _, build in heapq.nsmallest(per_item, best.values(),
                                                     key=itemgetter(0))]


def _cycles(ix: _Index, wants: Iterable[int], per_item: int) -> list[Suggestion]:
    if not ix.viewer.open_to_swaps or not ix.teaching:
        return []
    starts = _cycle_starts(ix)
    return [s for skill in wants for s in _cycles_for(ix, ix.wants[skill], starts, per_item)]


def _best(suggestions: list[Suggestion], limit: int) -> list[Suggestion]:
    return sorted(suggestions, key=suggestion_order)[:limit]


def suggest_matches(viewer: Person, people: Iterable[Person], offers: Iterable[OfferInfo], *,
                    excluded_pairs: Iterable[frozenset[int]] = frozenset(),
                    dismissed: Iterable[str] = frozenset(), per_item: int = PER_ITEM,
                    per_kind: int = PER_KIND) -> list[Suggestion]:
    """The viewer's suggestions, best first (see `app.offers.matching` for every rule)."""
    ix = _Index(viewer, people, offers, excluded_pairs, dismissed)
    swaps_by_want = _swaps(ix, per_item)
    swaps = _best([s for group in swaps_by_want.values() for s in group], per_kind)
    lonely_wants = [skill for skill in sorted(ix.wants) if skill not in swaps_by_want]
    cycles = _best(_cycles(ix, lonely_wants, per_item), per_kind)
    legs = [leg for s in swaps + cycles for leg in s.legs]
    learned = {(leg.teacher_id, leg.skill_id) for leg in legs if leg.learner_id == viewer.id}
    taught = {(leg.learner_id, leg.skill_id) for leg in legs if leg.teacher_id == viewer.id}
    mentors = _best(_one_way(ix, MENTOR, per_item, learned), per_kind)
    mentees = _best(_one_way(ix, MENTEE, per_item, taught), per_kind)
    chosen = sorted(swaps + cycles + mentors + mentees, key=suggestion_order)
    for suggestion in chosen:
        suggestion.reasons = reasons.explain(ix, suggestion)
    return chosen


def people_two_steps_away(viewer: Person, people: Iterable[Person], offers: Iterable[OfferInfo],
                          *, excluded_pairs: Iterable[frozenset[int]] = frozenset(),
                          dismissed: Iterable[str] = frozenset(),
                          per_item: int = PER_ITEM) -> tuple[frozenset[int], frozenset[int]]:
    """Whose other offers a three-way swap could use, given the viewer's offers and the
    complementary ones (teachers of what the viewer wants, learners of what they teach):
    (people who could teach the viewer a want that has no swap — their learning offers are
    needed; people the viewer could teach — their teaching offers are needed). Both empty
    when no three-way swap can be proposed."""
    ix = _Index(viewer, people, offers, excluded_pairs, dismissed)
    if not viewer.open_to_swaps or not ix.teaching:
        return frozenset(), frozenset()
    swaps = _swaps(ix, per_item)
    teachers = frozenset(
        t.person_id for skill, want in ix.wants.items() if skill not in swaps
        for t in ix.teachers.get(skill, ())
        if REACH[t.level, want.level] is not None and ix.swap_minded(t.person_id))
    learners = frozenset(
        lo.person_id for mine in ix.teaching.values() for lo in ix.learners.get(mine.skill_id, ())
        if REACH[mine.level, lo.level] is not None and ix.swap_minded(lo.person_id))
    if not (teachers and learners):
        return frozenset(), frozenset()
    return teachers, learners
