"""Merging a skill keeps its events and session proposals, on the surviving skill."""

from __future__ import annotations

from sqlalchemy import select

from app.events.models import EventSkill, SessionProposal
from app.extensions import db
from app.skills.merging import merge_skills
from tests.events.factories import make_event
from tests.factories import make_admin, make_user
from tests.offers.factories import make_skill


def test_events_and_proposals_move_to_the_surviving_skill(app):
    admin = make_admin()
    duplicate, target = make_skill("Postgres DB"), make_skill("PostgreSQL")
    only_duplicate = make_event(skills=[duplicate])
    both = make_event(skills=[duplicate, target])
    proposal = SessionProposal(user=make_user(), skill=duplicate, text="Query plans, please")
    db.session.add(proposal)
    db.session.commit()

    merge_skills(admin, duplicate, target)
    db.session.commit()

    links = db.session.execute(select(EventSkill.event_id, EventSkill.skill_id)
                               .order_by(EventSkill.event_id)).all()
    assert links == [(only_duplicate.id, target.id), (both.id, target.id)]
    assert db.session.get(SessionProposal, proposal.id).skill_id == target.id
    assert [s.name for s in db.session.get(type(both), both.id).skills] == ["PostgreSQL"]
