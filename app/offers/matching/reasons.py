"""Why a match is suggested, in words a person reads on the matches page.

Pure text helpers for the matcher: each takes the matcher's index (anything with a
`viewer` Person and a `people` dict by id) and the suggestion's legs, and returns sentences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.offers.matching.rules import Leg, OfferInfo, Suggestion

LEVEL_WORDS = {"beginner": "a beginner", "intermediate": "intermediate", "advanced": "advanced"}
FORMAT_WORDS = {"one_to_one": "1:1", "group": "group sessions", "async": "async Q&A"}


def words_list(items: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _name(ix, person_id: int) -> str:
    return ix.people[person_id].name


def seats_text(offer: OfferInfo) -> str:
    noun = "seat" if (offer.capacity or offer.seats_free) == 1 else "seats"
    if offer.capacity:
        return f"{offer.seats_free} of {offer.capacity} {noun} free"
    return f"{offer.seats_free} {noun} free"


def you_want(ix, leg: Leg) -> str:
    """"You want to learn SQL and are a beginner; Ana teaches it up to advanced.\""""
    teacher = _name(ix, leg.teacher_id)
    start = f"You want to learn {leg.skill_name} and are {LEVEL_WORDS[leg.learn_level]}"
    if leg.reach == 0 and leg.teach_level == "advanced":
        return f"{start}; {teacher} is advanced too, so you would learn as peers."
    if leg.reach == 0:
        return f"{start}; {teacher} teaches the first steps."
    return f"{start}; {teacher} teaches it up to {leg.teach_level}."


def they_want(ix, leg: Leg) -> str:
    """"Ben wants to learn Python and is a beginner; you teach it up to advanced.\""""
    learner = _name(ix, leg.learner_id)
    start = f"{learner} wants to learn {leg.skill_name} and is {LEVEL_WORDS[leg.learn_level]}"
    if leg.reach == 0 and leg.teach_level == "advanced":
        return f"{start}, like you, so you would learn as peers."
    if leg.reach == 0:
        return f"{start}; you teach the first steps."
    return f"{start}; you teach it up to {leg.teach_level}."


def formats_text(legs: tuple[Leg, ...]) -> str:
    shared = [f for f in FORMAT_WORDS if all(f in leg.shared_formats for leg in legs)]
    if shared:
        who = "all three of you" if len(legs) == 3 else "you"
        return f"Formats {who} share: {words_list([FORMAT_WORDS[f] for f in shared])}."
    if all(leg.shared_formats for leg in legs):
        return "Each pair shares a format."
    if len(legs) == 3 and any(leg.shared_formats for leg in legs):
        return "Not every pair shares a format yet, so agree on one together."
    return "No format in common yet, so agree on one together."


def departments_text(ix, person_ids: tuple[int, ...], cross: int) -> str | None:
    if not cross:
        return None
    names: list[str] = []
    for person_id in person_ids:
        department = ix.people[person_id].department.strip()
        if department and department.casefold() not in {n.casefold() for n in names}:
            names.append(department)
    return f"Different departments ({words_list(names)})."


def explain(ix, suggestion: Suggestion) -> list[str]:
    """The reasons for one chosen suggestion. `ix` also maps offer ids to offers (`offers`)
    and tells whether two people are in different departments (`cross`)."""
    legs, me = suggestion.legs, ix.viewer.id
    if suggestion.kind == "cycle":
        c_id, b_id = legs[0].teacher_id, legs[1].learner_id
        return cycle(ix, legs, ix.cross(c_id, me) + ix.cross(me, b_id) + ix.cross(b_id, c_id))
    other = suggestion.people[0]
    teach = ix.offers[legs[0].teach_offer_id]
    if suggestion.kind == "swap":
        return swap(ix, legs, teach, ix.cross(me, other))
    return one_way(ix, suggestion.kind, legs[0], teach, ix.cross(me, other))


def one_way(ix, kind: str, leg: Leg, teach: OfferInfo, cross: int) -> list[str]:
    me = ix.viewer.id
    if kind == "mentor":
        other = ix.people[leg.teacher_id]
        reasons = [you_want(ix, leg)]
        reasons.append(f"{other.name} is open to mentoring." if other.open_to_mentoring else
                       f"{other.name} is open to swaps, so may ask to learn something in return.")
        seats = f"{seats_text(teach)}."
    else:
        other = ix.people[leg.learner_id]
        reasons = [they_want(ix, leg)]
        reasons.append(f"{other.name} is open to being mentored."
                       if other.open_to_being_mentored else
                       f"{other.name} is open to swaps, so may offer to teach you something.")
        seats = f"You have {seats_text(teach)}."
    reasons.append(formats_text((leg,)))
    department = departments_text(ix, (me, other.id), cross)
    if department:
        reasons.append(department)
    reasons.append(seats[0].upper() + seats[1:])
    return reasons


def swap(ix, legs: tuple[Leg, Leg], their_teach: OfferInfo, cross: int) -> list[str]:
    i_learn, i_teach = legs
    other = _name(ix, i_learn.teacher_id)
    reasons = [you_want(ix, i_learn), they_want(ix, i_teach), formats_text(legs)]
    department = departments_text(ix, (ix.viewer.id, i_learn.teacher_id), cross)
    if department:
        reasons.append(department)
    reasons.append(f"{other} has {seats_text(their_teach)} for {i_learn.skill_name}.")
    return reasons


def cycle(ix, legs: tuple[Leg, Leg, Leg], cross: int) -> list[str]:
    """Legs: C teaches the viewer, the viewer teaches B, B teaches C."""
    c_teaches_me, i_teach, b_teaches_c = legs
    c, b = _name(ix, c_teaches_me.teacher_id), _name(ix, i_teach.learner_id)
    reasons = [
        f"A three-way swap: nobody offers you a direct swap for {c_teaches_me.skill_name}.",
        f"{c} teaches you {c_teaches_me.skill_name}, up to {c_teaches_me.teach_level}.",
        f"You teach {b} {i_teach.skill_name}, up to {i_teach.teach_level}.",
        f"{b} teaches {c} {b_teaches_c.skill_name}, up to {b_teaches_c.teach_level}.",
        formats_text(legs),
    ]
    department = departments_text(
        ix, (ix.viewer.id, i_teach.learner_id, c_teaches_me.teacher_id), cross)
    if department:
        reasons.append(department)
    return reasons
