"""The matcher's inputs and outputs, and the rules every suggestion follows: level fit and
willingness (see the package's docstring for the whole set)."""

from __future__ import annotations

from dataclasses import dataclass, field

TEACH, LEARN = "teach", "learn"
SWAP, CYCLE, MENTOR, MENTEE = "swap", "cycle", "mentor", "mentee"
RECIPROCITY = {SWAP: 3, CYCLE: 2, MENTOR: 1, MENTEE: 1}
KIND_ORDER = {SWAP: 0, CYCLE: 1, MENTOR: 2, MENTEE: 3}
LEVEL_RANK = {"beginner": 1, "intermediate": 2, "advanced": 3}  # as in app.offers.models
BOTTOM_RANK, TOP_RANK = min(LEVEL_RANK.values()), max(LEVEL_RANK.values())
PER_ITEM = 5
PER_KIND = 20
KEY_MAX = 120


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    department: str = ""
    open_to_mentoring: bool = False
    open_to_being_mentored: bool = False
    open_to_swaps: bool = False


@dataclass(frozen=True, slots=True)
class OfferInfo:
    """An open offer. `seats_free` (and `capacity`, for "2 of 3 seats free") matter for
    teaching offers only."""

    id: int
    person_id: int
    skill_id: int
    skill_name: str
    kind: str
    level: str
    formats: frozenset[str] = frozenset({"one_to_one"})
    seats_free: int = 0
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class Leg:
    """One direction of teaching inside a suggestion: `teacher_id` teaches `learner_id`."""

    teacher_id: int
    learner_id: int
    skill_id: int
    skill_name: str
    teach_offer_id: int
    learn_offer_id: int
    teach_level: str
    learn_level: str
    reach: int
    shared_formats: tuple[str, ...]


@dataclass(slots=True)
class Suggestion:
    """`legs` start with what the viewer learns (swap, cycle, mentor) or teaches (mentee);
    `people` are the other people, in the order the legs meet them."""

    kind: str
    key: str
    people: tuple[int, ...]
    legs: tuple[Leg, ...]
    score: tuple[int, ...]  # larger is better, compared in order
    tiebreak: tuple[int, ...]
    reasons: list[str] = field(default_factory=list)


def level_reach(teacher_level: str, learner_level: str) -> int | None:
    """How far past the learner's current level the teacher reaches: 1 or 2; 0 at either end
    of the scale (advanced peers, or a first-steps teacher for a beginner); None when the
    teacher cannot take the learner further."""
    teacher, learner = LEVEL_RANK[teacher_level], LEVEL_RANK[learner_level]
    if teacher > learner:
        return teacher - learner
    return 0 if teacher == learner in (BOTTOM_RANK, TOP_RANK) else None


REACH = {(t, lo): level_reach(t, lo) for t in LEVEL_RANK for lo in LEVEL_RANK}


def teacher_levels_for(learner_level: str) -> tuple[str, ...]:
    """The teaching levels that fit a learner at `learner_level`."""
    return tuple(t for t in LEVEL_RANK if REACH[t, learner_level] is not None)


def learner_levels_for(teacher_level: str) -> tuple[str, ...]:
    """The learners' levels a teacher at `teacher_level` fits."""
    return tuple(lo for lo in LEVEL_RANK if REACH[teacher_level, lo] is not None)


def can_teach_one_way(person: Person) -> bool:
    return person.open_to_mentoring or person.open_to_swaps


def can_learn_one_way(person: Person) -> bool:
    return person.open_to_being_mentored or person.open_to_swaps


def pair(a: int, b: int) -> frozenset[int]:
    return frozenset((a, b))


def order(kind: str, reach: int, shared: int, cross: int, seats: int, *tiebreak: int) -> tuple:
    """Where a suggestion ranks, smaller first: its score negated, then the kind and ids."""
    return (-RECIPROCITY[kind], -reach, -shared, -cross, -seats, KIND_ORDER[kind], *tiebreak)


def suggestion_order(suggestion: Suggestion) -> tuple:
    return order(suggestion.kind, *suggestion.score[1:], *suggestion.tiebreak)


def score(kind: str, legs: tuple[Leg, ...], cross: int, seats: int) -> tuple[int, ...]:
    """Reciprocity, the weakest leg's level fit and shared formats, how many legs cross a
    department, the fewest free seats."""
    return (RECIPROCITY[kind], min(leg.reach for leg in legs),
            min(len(leg.shared_formats) for leg in legs), cross, seats)
