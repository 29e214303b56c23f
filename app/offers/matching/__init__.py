"""Match suggestions for one person: swaps, three-way swaps, teachers and learners.

Pure: plain frozen dataclasses in, ranked `Suggestion`s out; no database, no Flask.
`app.offers.match_queries` loads the inputs and calls `suggest_matches`. The types and rules
are in `rules`, the search in `search`, the reasons in words in `reasons`.

Inputs
    `viewer`       the person the suggestions are for.
    `people`       every person the offers belong to. Callers pass ACTIVE people only.
    `offers`       OPEN offers only (paused and closed ones are never passed in), the viewer's
                   own among them. An offer whose person is not in `people` is ignored.
    `excluded_pairs`  `frozenset({a, b})` of two person ids never to suggest together again:
                   they declined or completed an exchange. Exchanges don't exist yet, so today
                   the caller passes an empty set.
    `dismissed`    the keys of the suggestions the viewer dismissed.

Rules
    Level fit. Levels rank beginner < intermediate < advanced. A teaching offer's level is how
    far the teacher takes people ("up to"); a learning offer's level is where the learner is
    now. A teacher fits a learner when their level is above the learner's: "up to
    intermediate" can teach a beginner, not someone already intermediate. The two ends of the
    scale are open: an advanced teacher also fits an advanced learner, as a peer, and since
    there is no level below beginner (a beginner may be starting from nothing), a teacher "up
    to beginner" fits a beginner, for the first steps. The *reach* (teacher's rank minus
    learner's: 2, 1, or 0 at either end) is the level-fit score: the further a teacher can
    take the learner, the better.
    Seats. A teaching offer takes part only while it has a free seat (`seats_free > 0`).
    Willingness, from the profile switches. One-way teaching (mentor and mentee suggestions)
    needs a teacher open to mentoring or to swaps, and a learner open to being mentored or
    to swaps: someone open to swaps is open to exchanging skills, and a one-way exchange can
    still become mutual. A swap or a three-way swap needs everyone in it open to swaps.
    Swaps. The viewer learns skill A from someone who learns a different skill B from them;
    per want, the best swap with each other person.
    Three-way swaps (cycles). Only for a want with no direct swap to show (none exists, or
    all were dismissed): the viewer teaches B, B teaches C and C teaches the viewer, three
    different people; per want, the best cycle with each pair B and C.
    Pairs in `excluded_pairs` never appear together in a suggestion; dismissed keys never come
    back. A teacher or learner already in a returned swap or three-way swap on the same skill
    is not repeated as a one-way suggestion.

Ranking (best first): reciprocity (swap > cycle > one-way), then level fit (the smallest
reach of any leg), shared formats (the fewest of any leg), different departments (how many
legs cross one), free seats (the fewest of any teaching offer), then ids for a stable order.
At most `per_item` suggestions per want (swaps, cycles, teachers) or teaching offer
(learners), and at most `per_kind` of each kind overall.

Keys (stable across loads; `DismissedSuggestion.key`, at most 120 characters for any 32-bit
ids — a cycle key is at most 71):
    mentor:<me>:<teacher>:<skill>          swap:<me>:<other>:<skill I learn>:<skill I teach>
    mentee:<me>:<learner>:<skill>          cycle:<p0>-<p1>-<p2>:<s01>-<s12>-<s20>
where in a cycle p0 is the smallest person id and p0 teaches p1 skill s01, and so on round.
"""

from app.offers.matching.rules import (
    CYCLE,
    KEY_MAX,
    LEARN,
    LEVEL_RANK,
    MENTEE,
    MENTOR,
    PER_ITEM,
    PER_KIND,
    SWAP,
    TEACH,
    Leg,
    OfferInfo,
    Person,
    Suggestion,
    can_learn_one_way,
    can_teach_one_way,
    learner_levels_for,
    level_reach,
    pair,
    teacher_levels_for,
)
from app.offers.matching.search import people_two_steps_away, suggest_matches

__all__ = [
    "CYCLE", "KEY_MAX", "LEARN", "LEVEL_RANK", "MENTEE", "MENTOR", "PER_ITEM", "PER_KIND", "SWAP",
    "TEACH", "Leg", "OfferInfo", "Person", "Suggestion", "can_learn_one_way",
    "can_teach_one_way", "learner_levels_for", "level_reach", "pair", "people_two_steps_away",
    "suggest_matches", "teacher_levels_for",
]
