"""The pure matcher: every rule, with plain dataclasses and no database."""

from __future__ import annotations

import itertools
import random

import pytest

from app.offers import models
from app.offers.matching import (
    KEY_MAX,
    LEVEL_RANK,
    OfferInfo,
    Person,
    level_reach,
    pair,
    people_two_steps_away,
    suggest_matches,
)
from app.offers.matching.reasons import FORMAT_WORDS

SQL, PYTHON, EXCEL, DESIGN = 10, 20, 30, 40
NAMES = {SQL: "SQL", PYTHON: "Python", EXCEL: "Excel", DESIGN: "Design"}
_ids = itertools.count(1000)


def person(pid, name=None, department="Engineering", *, mentoring=True, mentored=True,
           swaps=True):
    return Person(pid, name or f"P{pid}", department, mentoring, mentored, swaps)


def teach(pid, skill, level="advanced", *, seats=1, capacity=None, formats=("one_to_one",)):
    return OfferInfo(next(_ids), pid, skill, NAMES[skill], "teach", level, frozenset(formats),
                     seats, capacity if capacity is not None else max(seats, 1))


def learn(pid, skill, level="beginner", *, formats=("one_to_one",)):
    return OfferInfo(next(_ids), pid, skill, NAMES[skill], "learn", level, frozenset(formats))


ME = person(1, "Me", "Engineering")


def match(people, offers, viewer=ME, **kwargs):
    return suggest_matches(viewer, [viewer, *people], offers, **kwargs)


def kinds(suggestions):
    return [(s.kind, s.people) for s in suggestions]


# Level fit ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("teacher", "learner", "reach"), [
    ("intermediate", "beginner", 1),
    ("advanced", "beginner", 2),
    ("advanced", "intermediate", 1),
    ("intermediate", "intermediate", None),  # already there: nothing left to teach
    ("beginner", "beginner", 0),  # the bottom of the scale: first steps
    ("beginner", "intermediate", None),
    ("intermediate", "advanced", None),
    ("advanced", "advanced", 0),  # the top of the scale: peers
])
def test_level_reach(teacher, learner, reach):
    assert level_reach(teacher, learner) == reach


def test_a_teacher_must_reach_past_the_learners_level():
    ana = person(2, "Ana")
    assert match([ana], [learn(1, SQL, "intermediate"), teach(2, SQL, "intermediate")]) == []
    found = match([ana], [learn(1, SQL, "beginner"), teach(2, SQL, "intermediate")])
    assert kinds(found) == [("mentor", (2,))]


def test_the_furthest_reaching_teacher_ranks_first():
    far, near = person(2), person(3)
    found = match([far, near], [learn(1, SQL), teach(3, SQL, "intermediate"),
                                teach(2, SQL, "advanced")])
    assert [s.people for s in found] == [(2,), (3,)]


def test_constants_agree_with_the_models():
    assert LEVEL_RANK == models.LEVEL_RANK
    assert set(FORMAT_WORDS) == set(models.FORMATS)


# Seats, switches, who is passed in ---------------------------------------------------------

def test_a_full_teaching_offer_is_not_suggested():
    ana = person(2)
    assert match([ana], [learn(1, SQL), teach(2, SQL, seats=0, capacity=2)]) == []
    assert match([ana], [teach(1, SQL, seats=0, capacity=1), learn(2, SQL)]) == []


def test_offers_of_people_not_passed_in_are_ignored():
    """The caller passes active people and open offers only; anything else is left out."""
    assert match([], [learn(1, SQL), teach(2, SQL)]) == []
    assert match([person(2)], [learn(1, SQL)]) == []  # a paused teaching offer: not passed in


@pytest.mark.parametrize(("teacher_flags", "learner_flags", "suggested"), [
    ({"mentoring": True, "swaps": False}, {"mentored": True, "swaps": False}, True),
    ({"mentoring": False, "swaps": True}, {"mentored": True, "swaps": False}, True),
    ({"mentoring": True, "swaps": False}, {"mentored": False, "swaps": True}, True),
    ({"mentoring": False, "swaps": False}, {"mentored": True, "swaps": True}, False),
    ({"mentoring": True, "swaps": True}, {"mentored": False, "swaps": False}, False),
])
def test_one_way_needs_both_people_willing(teacher_flags, learner_flags, suggested):
    me = person(1, **learner_flags, mentoring=False)
    ana = person(2, **teacher_flags, mentored=False)
    mentor = match([ana], [learn(1, SQL), teach(2, SQL)], viewer=me)
    assert bool(mentor) is suggested
    # The same pair seen from the teacher's side.
    mentee = suggest_matches(ana, [me, ana], [learn(1, SQL), teach(2, SQL)])
    assert bool(mentee) is suggested
    assert all(s.kind == ("mentor" if s in mentor else "mentee") for s in mentor + mentee)


def test_a_swap_needs_both_open_to_swaps():
    offers = [learn(1, SQL), teach(1, PYTHON), teach(2, SQL), learn(2, PYTHON)]
    assert [s.kind for s in match([person(2)], offers)] == ["swap"]
    one_way = match([person(2, swaps=False)], offers)
    assert sorted(s.kind for s in one_way) == ["mentee", "mentor"]
    me_no_swaps = person(1, swaps=False)
    assert "swap" not in [s.kind for s in match([person(2)], offers, viewer=me_no_swaps)]


# Ranking -----------------------------------------------------------------------------------

def test_cross_department_preferred_and_an_empty_department_does_not_count():
    same, other, unknown = person(2, department="engineering"), person(3, department="Design"), \
        person(4, department="")
    found = match([same, other, unknown], [learn(1, SQL), teach(2, SQL), teach(3, SQL),
                                           teach(4, SQL)])
    assert [s.people for s in found] == [(3,), (2,), (4,)]
    assert "Different departments (Engineering and Design)." in found[0].reasons
    assert not any("department" in r for r in found[1].reasons + found[2].reasons)


def test_shared_formats_rank_above_department_and_below_level():
    group_only = person(2, department="Design")
    same_format = person(3)
    found = match([group_only, same_format], [
        learn(1, SQL, formats=("one_to_one", "async")), teach(2, SQL, formats=("group",)),
        teach(3, SQL, formats=("async",))])
    assert [s.people for s in found] == [(3,), (2,)]
    assert "Formats you share: async Q&A." in found[0].reasons
    assert "No format in common yet, so agree on one together." in found[1].reasons


def test_free_seats_break_ties():
    found = match([person(2), person(3)], [learn(1, SQL), teach(2, SQL, seats=1, capacity=3),
                                           teach(3, SQL, seats=2, capacity=3)])
    assert [s.people for s in found] == [(3,), (2,)]
    assert "2 of 3 seats free." in found[0].reasons
    assert "1 of 3 seats free." in found[1].reasons


def test_swaps_rank_first_and_are_not_repeated_one_way():
    ana, ben = person(2, "Ana", "Finance"), person(3, "Ben", "Design")
    found = match([ana, ben], [
        learn(1, SQL), teach(1, PYTHON, seats=2, capacity=3),
        teach(3, SQL, "advanced"),  # Ben teaches SQL further than Ana, but no swap
        teach(2, SQL, "intermediate"), learn(2, PYTHON),
    ])
    assert kinds(found) == [("swap", (2,)), ("mentor", (3,))]
    swap = found[0]
    assert swap.key == f"swap:1:2:{SQL}:{PYTHON}"
    assert swap.reasons == [
        "You want to learn SQL and are a beginner; Ana teaches it up to intermediate.",
        "Ana wants to learn Python and is a beginner; you teach it up to advanced.",
        "Formats you share: 1:1.",
        "Different departments (Engineering and Finance).",
        "Ana has 1 of 1 seat free for SQL.",
    ]


def test_mentor_and_mentee_reasons_in_words():
    ana = person(2, "Ana", "Design", mentoring=False)
    found = match([ana], [learn(1, SQL, "intermediate"), teach(2, SQL, "advanced", seats=2,
                                                                 capacity=3)])
    assert found[0].key == f"mentor:1:2:{SQL}"
    assert found[0].reasons == [
        "You want to learn SQL and are intermediate; Ana teaches it up to advanced.",
        "Ana is open to swaps, so may ask to learn something in return.",
        "Formats you share: 1:1.",
        "Different departments (Engineering and Design).",
        "2 of 3 seats free.",
    ]
    ben = person(3, "Ben")
    found = match([ben], [teach(1, PYTHON, "advanced", seats=1, capacity=2),
                          learn(3, PYTHON, "advanced")])
    assert found[0].key == f"mentee:1:3:{PYTHON}"
    assert found[0].reasons[:2] == [
        "Ben wants to learn Python and is advanced, like you, so you would learn as peers.",
        "Ben is open to being mentored."]
    assert found[0].reasons[-1] == "You have 1 of 2 seats free."


# Three-way swaps ---------------------------------------------------------------------------

def _triangle():
    """Me teaches Ben Python, Ben teaches Cara Excel, Cara teaches me SQL."""
    people = [person(2, "Ben", "Design"), person(3, "Cara", "Sales")]
    offers = [learn(1, SQL), teach(1, PYTHON), learn(2, PYTHON), teach(2, EXCEL),
              learn(3, EXCEL), teach(3, SQL)]
    return people, offers


def test_a_cycle_when_there_is_no_swap():
    people, offers = _triangle()
    found = match(people, offers)
    assert kinds(found) == [("cycle", (2, 3))]  # and not repeated as mentor or mentee
    cycle = found[0]
    assert cycle.key == f"cycle:1-2-3:{PYTHON}-{EXCEL}-{SQL}"
    assert cycle.reasons == [
        "A three-way swap: nobody offers you a direct swap for SQL.",
        "Cara teaches you SQL, up to advanced.",
        "You teach Ben Python, up to advanced.",
        "Ben teaches Cara Excel, up to advanced.",
        "Formats all three of you share: 1:1.",
        "Different departments (Engineering, Design and Sales).",
    ]
    # Everyone in the cycle sees it under the same key.
    everyone = {p.id: p for p in [ME, *people]}
    for viewer in people:
        keys = [s.key for s in suggest_matches(viewer, everyone.values(), offers)
                if s.kind == "cycle"]
        assert keys == [cycle.key]


def test_no_cycle_for_a_want_that_has_a_swap():
    people, offers = _triangle()
    dan = person(4, "Dan")
    found = match([*people, dan], [*offers, teach(4, SQL), learn(4, PYTHON)])
    assert [s.kind for s in found] == ["swap", "mentor", "mentee"]
    assert found[0].people == (4,)


def test_a_cycle_needs_everyone_open_to_swaps_and_three_people():
    people, offers = _triangle()
    people[1] = person(3, "Cara", "Sales", swaps=False)
    assert "cycle" not in [s.kind for s in match(people, offers)]
    ben_both = [learn(1, SQL), teach(1, PYTHON), learn(2, PYTHON), teach(2, SQL)]
    assert [s.kind for s in match([person(2)], ben_both)] == ["swap"]


def test_people_two_steps_away():
    people, offers = _triangle()
    first_step = [o for o in offers if o.person_id == 1 or (o.skill_id in (SQL, PYTHON))]
    assert people_two_steps_away(ME, [ME, *people], first_step) == ({3}, {2})
    assert people_two_steps_away(person(1, swaps=False), [ME, *people], first_step) == \
        (frozenset(), frozenset())
    with_swap = [*first_step, learn(3, PYTHON)]
    assert people_two_steps_away(ME, [ME, *people], with_swap) == (frozenset(), frozenset())


# Excluded pairs, dismissed keys, keys, order, limits ---------------------------------------

def test_excluded_pairs_are_never_suggested():
    people, offers = _triangle()
    found = match(people, offers, excluded_pairs={pair(2, 3)})  # Ben and Cara
    assert sorted(s.kind for s in found) == ["mentee", "mentor"]
    for other in (2, 3):
        found = match(people, offers, excluded_pairs={pair(1, other)})
        assert found and all(other not in s.people for s in found)
    swap_offers = [learn(1, SQL), teach(1, PYTHON), teach(2, SQL), learn(2, PYTHON)]
    assert match([person(2)], swap_offers, excluded_pairs={pair(1, 2)}) == []


def test_dismissed_keys_are_never_returned():
    people, offers = _triangle()
    cycle_key = match(people, offers)[0].key
    found = match(people, offers, dismissed={cycle_key})
    assert cycle_key not in [s.key for s in found]
    assert sorted(s.kind for s in found) == ["mentee", "mentor"]  # one-way comes back
    all_keys = [s.key for s in found]
    assert match(people, offers, dismissed={cycle_key, *all_keys}) == []


def test_keys_are_stable_and_short():
    big = 2**31 - 1  # the largest id an INTEGER column holds
    viewer = person(big - 3)
    people = [person(big - 2, swaps=True), person(big - 1)]
    offers = [learn(big - 3, SQL), teach(big - 3, PYTHON), learn(big - 2, PYTHON),
              teach(big - 2, EXCEL), learn(big - 1, EXCEL), teach(big - 1, SQL)]
    offers = [OfferInfo(o.id, o.person_id, o.skill_id + big - 100, o.skill_name, o.kind, o.level,
                        o.formats, o.seats_free, o.capacity) for o in offers]
    first = suggest_matches(viewer, [viewer, *people], offers)
    again = suggest_matches(viewer, [viewer, *people], list(reversed(offers)))
    assert [s.key for s in first] == [s.key for s in again] != []
    assert all(len(s.key) <= KEY_MAX for s in first)


def test_order_is_deterministic_whatever_the_input_order():
    rng = random.Random(7)
    people = [person(i, department=rng.choice(["A", "B", "C"])) for i in range(2, 40)]
    offers = [learn(1, SQL), learn(1, DESIGN), teach(1, PYTHON, seats=3, capacity=3)]
    for p in people:
        offers.append(teach(p.id, rng.choice([SQL, EXCEL, DESIGN]),
                            rng.choice(["intermediate", "advanced"]), seats=rng.randint(1, 3),
                            capacity=3))
        offers.append(learn(p.id, rng.choice([PYTHON, EXCEL, SQL])))
    expected = [s.key for s in match(people, offers)]
    for _ in range(5):
        rng.shuffle(offers)
        rng.shuffle(people)
        assert [s.key for s in match(people, offers)] == expected


def test_limits_per_want_and_per_kind():
    people = [person(i) for i in range(2, 12)]
    offers = [learn(1, SQL), learn(1, EXCEL)] + [teach(p.id, s) for p in people
                                                for s in (SQL, EXCEL)]
    found = match(people, offers)
    assert len(found) == 10  # 5 per want
    assert len({s.key for s in found}) == 10
    assert len(match(people, offers, per_item=3)) == 6
    assert len(match(people, offers, per_kind=4)) == 4


def test_the_best_cycles_are_kept_whatever_order_the_teachers_come_in():
    """Teachers of the want are searched best first and the search stops early; the result
    is the same as ranking every cycle."""
    people, offers = [], [learn(1, SQL, "beginner"), teach(1, PYTHON, seats=3, capacity=3)]
    for n in range(8):  # B(n) learns Python and teaches Excel; C(n) wants Excel, teaches SQL
        b, c = 100 + n, 200 + n
        people += [person(b, department=f"B{n}"), person(c, department=f"C{n}")]
        level = "advanced" if n == 7 else "intermediate"  # the last teacher reaches furthest
        offers += [learn(b, PYTHON), teach(b, EXCEL, seats=1 + n % 3, capacity=3),
                   learn(c, EXCEL), teach(c, SQL, level, seats=1, capacity=1)]
    found = match(people, offers, per_item=3)
    cycles = [s for s in found if s.kind == "cycle"]
    assert len(cycles) == 3
    assert cycles[0].legs[0].teacher_id == 207  # C(7) teaches SQL up to advanced
    scores = [s.score for s in cycles]
    assert scores == sorted(scores, reverse=True)
    everything = match(people, offers, per_item=64, per_kind=64)
    best = sorted((s for s in everything if s.kind == "cycle"),
                  key=lambda s: (tuple(-x for x in s.score), s.tiebreak))
    assert [s.key for s in cycles] == [s.key for s in best[:3]]


def test_a_first_steps_teacher_fits_a_beginner():
    found = match([person(2, "Ana")], [learn(1, SQL, "beginner"), teach(2, SQL, "beginner")])
    assert found[0].reasons[0] == ("You want to learn SQL and are a beginner; Ana teaches the "
                                   "first steps.")
    assert match([person(2)], [learn(1, SQL, "intermediate"), teach(2, SQL, "beginner")]) == []
