"""Merging a duplicate skill: offers and names move, duplicate open offers are closed, the
duplicate is deleted; admins only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import Invalid, NotAllowed
from app.extensions import db
from app.offers.models import CLOSED, LEARN, OPEN, PAUSED, TEACH, Offer
from app.skills import merging
from app.skills.models import Skill
from app.skills.services import find_skill
from tests.factories import make_admin, make_user
from tests.skills.factories import make_category, make_offer, make_skill


@pytest.fixture
def admin(app):
    return make_admin()


@pytest.fixture
def pair(app):
    """A skill and its duplicate, each with an alias."""
    return (make_skill("JavaScript", aliases=("ECMAScript",)),
            make_skill("Javascrpt", aliases=("JS",)))


def _offers_of(skill_id: int) -> list[Offer]:
    return list(db.session.scalars(select(Offer).where(Offer.skill_id == skill_id)
                                   .order_by(Offer.id)))


def test_merge_moves_offers_and_names_and_deletes_the_duplicate(app, admin, pair):
    target, duplicate = pair
    duplicate_id = duplicate.id
    teacher, learner, former = make_user(), make_user(), make_user()
    moving = [make_offer(duplicate, teacher),
              make_offer(duplicate, learner, kind=LEARN, capacity=None),
              make_offer(duplicate, former, status=CLOSED),
              make_offer(duplicate, make_user(), status=PAUSED)]
    staying = make_offer(target, make_user())

    plan = merging.merge_skills(admin, duplicate, target)
    db.session.commit()

    assert db.session.get(Skill, duplicate_id) is None
    assert plan.offers_moving == 4 and plan.closing == []
    assert [o.id for o in _offers_of(target.id)] == sorted([staying.id, *(o.id for o in moving)])
    assert {o.id: o.status for o in _offers_of(target.id)} == {
        staying.id: OPEN, moving[0].id: OPEN, moving[1].id: OPEN, moving[2].id: CLOSED,
        moving[3].id: PAUSED}
    db.session.expire_all()
    names = {n.name: n.is_canonical for n in db.session.get(Skill, target.id).names}
    assert names == {"JavaScript": True, "ECMAScript": False, "Javascrpt": False, "JS": False}
    for name in ("Javascrpt", "JS", "javascript", "ecmascript"):
        assert find_skill(name).id == target.id


def test_a_person_with_offers_of_one_kind_on_both_keeps_one(app, admin, pair):
    target, duplicate = pair
    both, paused_on_target, other_kind = make_user(), make_user(), make_user()
    kept = make_offer(target, both)
    closed_dup = make_offer(duplicate, both)
    # An open offer on the duplicate beats a paused one on the target.
    paused = make_offer(target, paused_on_target, status=PAUSED)
    open_dup = make_offer(duplicate, paused_on_target)
    # Different kinds never clash.
    teach = make_offer(target, other_kind, kind=TEACH)
    learn = make_offer(duplicate, other_kind, kind=LEARN, capacity=None)

    preview = merging.merge_plan(duplicate, target)
    assert sorted(o.id for o in preview.closing) == sorted([closed_dup.id, paused.id])

    merging.merge_skills(admin, duplicate, target)
    db.session.commit()

    statuses = {o.id: o.status for o in _offers_of(target.id)}
    assert statuses == {kept.id: OPEN, closed_dup.id: CLOSED, paused.id: CLOSED,
                        open_dup.id: OPEN, teach.id: OPEN, learn.id: OPEN}


def test_the_category_comes_along_when_the_target_has_none(app, admin):
    data = make_category("Data")
    target, duplicate = make_skill("SQL"), make_skill("Sequel", category=data)
    merging.merge_skills(admin, duplicate, target)
    db.session.commit()
    assert target.category.name == "Data"


def test_merge_target_is_found_by_any_name(app, pair):
    target, duplicate = pair
    assert merging.find_merge_target(duplicate, " ecmascript ").id == target.id
    with pytest.raises(Invalid) as err:
        merging.find_merge_target(duplicate, "Cobol")
    assert err.value.field == "into" and "Cobol" in err.value.message
    with pytest.raises(Invalid, match="is this skill"):
        merging.find_merge_target(duplicate, "JS")


def test_only_admins_merge(app, pair):
    target, duplicate = pair
    offer = make_offer(duplicate)
    with pytest.raises(NotAllowed):
        merging.merge_skills(make_user(), duplicate, target)
    db.session.rollback()
    assert db.session.get(Skill, duplicate.id) is not None
    assert db.session.get(Offer, offer.id).skill_id == duplicate.id


def test_a_skill_is_not_merged_into_itself(app, admin, pair):
    target, _ = pair
    with pytest.raises(Invalid):
        merging.merge_skills(admin, target, target)


def test_an_offer_posted_during_the_merge_is_a_conflict_not_a_crash(app, admin, pair,
                                                                    monkeypatch):
    from app.core.errors import Conflict

    target, duplicate = pair
    person = make_user()
    make_offer(target, person)
    make_offer(duplicate, person)
    # As if the clashing offer had been posted after the plan was read.
    monkeypatch.setattr(merging, "_offers_to_close", lambda duplicate, target: [])
    with pytest.raises(Conflict):
        merging.merge_skills(admin, duplicate, target)
    db.session.rollback()
    assert db.session.get(Skill, duplicate.id) is not None
