"""Offer services without HTTP: posting, duplicates (also when two requests race), capacity,
pausing, reopening, closing, and who may do it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, Invalid, NotAllowed
from app.extensions import db
from app.offers import services
from app.offers.models import CLOSED, LEARN, OPEN, PAUSED, TEACH, Offer
from app.skills.models import Skill
from tests.factories import make_user
from tests.offers.factories import make_offer, make_skill

DETAILS = {"level": "beginner", "formats": ["one_to_one", "async"],
           "availability": "  Tuesday   afternoons, CET ", "description": "I can **help**.",
           "capacity": "4"}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Offer))


def test_create_a_teaching_offer(app):
    me = make_user()
    offer = services.create_offer(me, kind=TEACH, skill_name="  python ", **DETAILS)
    db.session.commit()
    assert offer.user == me and offer.kind == TEACH and offer.status == OPEN
    assert offer.skill.name == "python"  # a new skill, named as typed (spacing tidied)
    assert offer.formats == ["one_to_one", "async"]
    assert offer.availability == "Tuesday afternoons, CET"
    assert offer.capacity == 4 and offer.seats_taken == 0 and offer.seats_free == 4
    assert "<strong>help</strong>" in offer.description_html


def test_an_existing_skill_is_found_by_any_spelling(app):
    skill = make_skill("Node.js")
    offer = services.create_offer(make_user(), kind=LEARN, skill_name="node JS", **DETAILS)
    assert offer.skill_id == skill.id
    assert db.session.scalar(select(func.count()).select_from(Skill)) == 1


def test_learning_offers_have_no_capacity(app):
    offer = services.create_offer(make_user(), kind=LEARN, skill_name="SQL",
                                  **{**DETAILS, "capacity": "999"})
    db.session.commit()
    assert offer.capacity is None and offer.seats_free is None


@pytest.mark.parametrize("capacity", [0, 51, -1, "", None, "abc", "2.5", "1e3"])
def test_teaching_capacity_is_1_to_50(app, capacity):
    with pytest.raises(Invalid) as err:
        services.create_offer(make_user(), kind=TEACH, skill_name="SQL",
                              **{**DETAILS, "capacity": capacity})
    assert err.value.field == "capacity"


@pytest.mark.parametrize("capacity", [1, 50, " 7 "])
def test_capacity_bounds_are_inclusive(app, capacity):
    offer = services.create_offer(make_user(), kind=TEACH, skill_name="SQL",
                                  **{**DETAILS, "capacity": capacity})
    assert 1 <= offer.capacity <= 50


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "mentor"}, "kind"),
    ({"skill_name": "   "}, "skill"),
    ({"skill_name": "x" * 61}, "skill"),
    ({"skill_name": "<script>"}, "skill"),
    ({"level": "guru"}, "level"),
    ({"formats": []}, "formats"),
    ({"formats": ["telepathy"]}, "formats"),
    ({"availability": "a" * 201}, "availability"),
    ({"availability": "Mondays\x00"}, "availability"),
    ({"description": "d" * 4001}, "description"),
    ({"description": "bell\x07"}, "description"),
])
def test_bad_input_names_the_field(app, changes, field):
    arguments = {"kind": TEACH, "skill_name": "SQL", **DETAILS, **changes}
    with pytest.raises(Invalid) as err:
        services.create_offer(make_user(), **arguments)
    assert err.value.field == field
    db.session.rollback()
    assert _count() == 0


def test_one_open_offer_per_kind_and_skill(app):
    me = make_user()
    make_offer(me, kind=TEACH, skill="SQL")
    with pytest.raises(Invalid) as err:
        services.create_offer(me, kind=TEACH, skill_name="sql", **DETAILS)
    assert err.value.field == "skill"
    assert str(err.value) == "You already have an open offer to teach SQL — edit it instead."
    # Learning the same skill, or someone else teaching it, is fine.
    services.create_offer(me, kind=LEARN, skill_name="SQL", **DETAILS)
    services.create_offer(make_user(), kind=TEACH, skill_name="SQL", **DETAILS)
    db.session.commit()
    assert _count() == 3


def test_a_paused_offer_also_counts_but_a_closed_one_does_not(app):
    me = make_user()
    paused = make_offer(me, kind=LEARN, skill="Excel", status=PAUSED)
    with pytest.raises(Invalid, match="paused offer to learn Excel — reopen or edit"):
        services.create_offer(me, kind=LEARN, skill_name="Excel", **DETAILS)
    services.close_offer(me, paused)
    again = services.create_offer(me, kind=LEARN, skill_name="Excel", **DETAILS)
    db.session.commit()
    assert again.id != paused.id


def test_a_race_is_settled_by_the_unique_index(app, monkeypatch):
    """Two requests both pass the friendly check; the second insert hits the partial unique
    index inside a savepoint and becomes the same friendly message, with the rest of the
    transaction intact."""
    me = make_user()
    make_offer(me, kind=TEACH, skill="SQL")
    other_work = make_skill("Kotlin", commit=False)  # earlier work in the same transaction
    real_lookup = services.not_closed_offer
    calls = []

    def first_check_misses(user, kind, skill, *, exclude=None):
        calls.append(exclude)
        if len(calls) == 1:
            return None  # the other request hadn't committed yet when we looked
        return real_lookup(user, kind, skill, exclude=exclude)

    monkeypatch.setattr(services, "not_closed_offer", first_check_misses)
    with pytest.raises(Invalid) as err:
        services.create_offer(me, kind=TEACH, skill_name="SQL", **DETAILS)
    assert err.value.field == "skill"
    assert "already have an open offer to teach SQL" in str(err.value)
    assert len(calls) == 2
    db.session.commit()  # the savepoint rolled back alone
    assert _count() == 1
    assert db.session.get(Skill, other_work.id) is not None


def test_edit_an_offer(app):
    offer = make_offer(kind=TEACH, capacity=3)
    services.edit_offer(offer.user, offer, level="advanced", formats=["group"],
                        availability="Fridays", description="New *text*", capacity="10")
    db.session.commit()
    assert (offer.level, offer.formats, offer.availability, offer.capacity) == (
        "advanced", ["group"], "Fridays", 10)
    assert "<em>text</em>" in offer.description_html


def test_edit_cannot_lower_capacity_below_taken_seats(app):
    offer = make_offer(kind=TEACH, capacity=5, seats_taken=3)
    with pytest.raises(Invalid) as err:
        services.edit_offer(offer.user, offer, level="advanced", formats=["group"],
                            capacity=2)
    assert err.value.field == "capacity"
    assert "3 learners have a seat already" in str(err.value)
    services.edit_offer(offer.user, offer, level="advanced", formats=["group"], capacity=3)
    db.session.commit()
    assert offer.capacity == 3


def test_a_seat_taken_meanwhile_is_caught_by_the_check_constraint(app):
    offer = make_offer(kind=TEACH, capacity=5, seats_taken=1)
    # Another request accepted two more learners after this one loaded the offer.
    db.session.execute(Offer.__table__.update().where(Offer.id == offer.id)
                       .values(seats_taken=3))
    with pytest.raises(Invalid, match="3 learners"):
        services.edit_offer(offer.user, offer, level="beginner", formats=["group"],
                            capacity=2)
    db.session.rollback()


def test_only_the_owner_changes_an_offer(app):
    offer = make_offer()
    stranger = make_user()
    for change in (services.pause_offer, services.reopen_offer, services.close_offer):
        with pytest.raises(NotAllowed):
            change(stranger, offer)
    with pytest.raises(NotAllowed):
        services.edit_offer(stranger, offer, level="beginner", formats=["group"], capacity=1)
    assert offer.status == OPEN


def test_pause_reopen_close(app):
    offer = make_offer()
    me = offer.user
    services.pause_offer(me, offer)
    assert offer.status == PAUSED
    services.pause_offer(me, offer)  # twice changes nothing
    services.reopen_offer(me, offer)
    assert offer.status == OPEN
    services.close_offer(me, offer)
    assert offer.status == CLOSED
    with pytest.raises(Conflict):
        services.pause_offer(me, offer)
    with pytest.raises(Conflict):
        services.edit_offer(me, offer, level="beginner", formats=["group"], capacity=1)
    services.reopen_offer(me, offer)
    db.session.commit()
    assert offer.status == OPEN


def test_reopen_fails_when_another_offer_took_its_place(app):
    me = make_user()
    old = make_offer(me, kind=TEACH, skill="SQL", status=CLOSED)
    make_offer(me, kind=TEACH, skill="SQL")
    with pytest.raises(Conflict, match="already have an open offer to teach SQL"):
        services.reopen_offer(me, old)
    assert old.status == CLOSED


def test_reopen_race_is_settled_by_the_unique_index(app, monkeypatch):
    me = make_user()
    old = make_offer(me, kind=LEARN, skill="SQL", status=CLOSED)
    make_offer(me, kind=LEARN, skill="SQL", status=PAUSED)
    monkeypatch.setattr(services, "not_closed_offer", lambda *a, **k: None)
    with pytest.raises(Conflict, match="can't be reopened"):
        services.reopen_offer(me, old)
    db.session.rollback()
    assert db.session.get(Offer, old.id).status == CLOSED
