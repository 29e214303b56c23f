"""Demo offers: believable, within the rules, with swaps and cycles for matching to find."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict

from sqlalchemy import select

from app.accounts.models import User
from app.demo.offers import create_offers
from app.demo.people import create_people
from app.demo.skills import create_taxonomy
from app.extensions import db
from app.offers.models import CLOSED, LEARN, OPEN, TEACH, Offer


def _open_offers_by_person():
    """{user: (skills taught, skills wanted)} from open offers of active people."""
    rows = db.session.execute(
        select(Offer.user_id, Offer.kind, Offer.skill_id, User.department)
        .join(User, User.id == Offer.user_id).where(Offer.status == OPEN, User.active))
    teaches, wants, department = defaultdict(set), defaultdict(set), {}
    for user_id, kind, skill_id, dept in rows:
        (teaches if kind == TEACH else wants)[user_id].add(skill_id)
        department[user_id] = dept
    return teaches, wants, department


def _pairs(teaches, wants, department) -> set[frozenset]:
    found = set()
    for a in teaches:
        for b in teaches:
            if (a < b and department[a] != department[b] and teaches[a] & wants[b]
                    and teaches[b] & wants[a]):
                found.add(frozenset((a, b)))
    return found


def _cycles(teaches, wants, department) -> set[frozenset]:
    """a teaches what b wants, b what c wants, c what a wants; three departments."""
    helps = {a: {b for b in wants if b != a and teaches[a] & wants[b]} for a in teaches}
    found = set()
    for a, bs in helps.items():
        for b in bs:
            for c in helps.get(b, ()):
                if c not in (a, b) and a in helps.get(c, ()) and len(
                        {department[a], department[b], department[c]}) == 3:
                    found.add(frozenset((a, b, c)))
    return found


def test_demo_offers_have_swaps_and_cycles(app):
    people = create_people(random.Random(5), 160)
    skills = create_taxonomy()
    offers = create_offers(random.Random(6), people, skills)
    db.session.commit()
    assert len(offers) > 300
    teaches, wants, department = _open_offers_by_person()
    assert len(_pairs(teaches, wants, department)) >= 8
    assert len(_cycles(teaches, wants, department)) >= 4

    # The rules hold: one not-closed offer per person, kind and skill; capacities 1–5.
    keys = Counter((o.user_id, o.kind, o.skill_id) for o in offers if o.status != CLOSED)
    assert max(keys.values()) == 1
    assert all(1 <= o.capacity <= 5 for o in offers if o.kind == TEACH)
    assert all(o.capacity is None for o in offers if o.kind == LEARN)
    assert all(o.formats for o in offers)
    assert all("<script" not in o.description_html for o in offers)

    # Most active people have both kinds; teaching goes mostly to willing teachers.
    active = [p for p in people if p.active]
    assert not {o.user_id for o in offers} - {p.id for p in active}
    both = [p for p in active if teaches.get(p.id) and wants.get(p.id)]
    assert len(both) > len(active) / 2
    by_id = {p.id: p for p in people}
    teachers = [by_id[o.user_id] for o in offers if o.kind == TEACH]
    willing = sum(1 for p in teachers if p.open_to_mentoring or p.open_to_swaps)
    assert willing > 0.75 * len(teachers)
    assert len({o.level for o in offers}) == 3 and len({o.availability for o in offers}) > 10
    assert any(o.status != OPEN for o in offers)


def test_few_people_or_no_skills_make_no_fuss(app):
    people = create_people(random.Random(1), 10)
    assert create_offers(random.Random(2), people, []) == []
    assert create_offers(random.Random(2), people[:1], create_taxonomy()) == []


def test_seed_demo_reports_the_offers(app, runner):
    result = runner.invoke(args=["seed", "demo", "--people", "40", "--questions", "0"])
    assert result.exit_code == 0, result.output
    created = int(re.search(r"Created (\d+) offers\.", result.output).group(1))
    assert created > 0
    assert len(db.session.scalars(select(Offer)).all()) == created
