"""How events become search documents.

An event's document holds its title, its kind, its hosts' names, its skills (with their
aliases, so "k8s" finds a Kubernetes workshop), where it happens and its description as
plain text. Its date is stored as the document's `created_at`, so "Newest" lists the latest
events first. Every scheduled event is indexed, past ones too (people look for the
materials of a session they missed); a cancelled one is not. Editing an event, renaming one
of its skills or a host refreshes it through the outbox's `watch`; cancelling (a bulk
UPDATE) through the `event_cancelled` signal. Seat counts are not in the document, so booking
never touches the index.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, union
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.core import signals
from app.core.markdown import to_plain_text
from app.events.models import KINDS, SCHEDULED, Event, EventCohost, EventSkill
from app.extensions import db
from app.search import outbox
from app.search.registry import DocType, register
from app.skills.models import Skill, SkillName
from app.skills.search_documents import skill_ids_of_name

DOC_TYPE = "event"


def event_document(event: Event) -> dict:
    hosts = [event.host.display_name] + [c.display_name for c in event.cohosts]
    parts = [f"{KINDS.get(event.kind, event.kind)} · Hosted by {', '.join(hosts)}"]
    if event.skills:
        names = []
        for skill in event.skills:
            names.append(skill.name)
            names += skill.aliases
        parts.append(", ".join(names))
    if event.location:
        parts.append(event.location)
    parts.append(to_plain_text(event.description_md))
    return {"title": event.title, "body": "\n\n".join(p for p in parts if p),
            "created_at": event.starts_at}


def is_indexable(event: Event) -> bool:
    return event.status == SCHEDULED


def load_events(ids: Sequence[int]) -> list[Event]:
    """The events with these ids, in the order given, with their host, co-hosts and skills
    (and the skills' names, for aliases)."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Event).where(Event.id.in_(list(ids)))
        .options(selectinload(Event.host), selectinload(Event.cohosts),
                 selectinload(Event.skills).selectinload(Skill.names))).all()
    by_id = {e.id: e for e in rows}
    return [by_id[i] for i in ids if i in by_id]


def _ids(*criteria) -> list[int]:
    query = select(EventSkill.event_id).where(*criteria).distinct()
    return list(db.session.connection().scalars(query))


def _events_of_skill(skill: Skill) -> list[int]:
    return [] if skill.id is None else _ids(EventSkill.skill_id == skill.id)


def _events_of_name(name: SkillName) -> list[int]:
    ids = skill_ids_of_name(name)
    return _ids(EventSkill.skill_id.in_(ids)) if ids else []


def _events_of_user(user: User) -> list[int]:
    if user.id is None:
        return []
    hosted = select(Event.id).where(Event.host_id == user.id)
    cohosted = select(EventCohost.event_id).where(EventCohost.user_id == user.id)
    return list(db.session.connection().scalars(union(hosted, cohosted)))


EVENT_DOCS = register(DocType(
    name=DOC_TYPE,
    model=Event,
    to_document=event_document,
    is_indexable=is_indexable,
    load_many=load_events,
    all_ids=lambda: select(Event.id).order_by(Event.id),
    watch=[(EventSkill, lambda row: row.event_id), (EventCohost, lambda row: row.event_id),
           (Skill, _events_of_skill), (SkillName, _events_of_name), (User, _events_of_user)],
    fields={Event: frozenset({"title", "kind", "status", "description_md", "starts_at",
                              "location", "host_id", "host", "skills", "cohosts"}),
            Skill: frozenset({"name"}),
            SkillName: frozenset({"name", "skill_id", "skill", "is_canonical"}),
            User: frozenset({"display_name"})},
))


@signals.event_cancelled.connect
def _cancelled_event_leaves_the_index(event, **extra):
    """Cancelling is a bulk UPDATE, which the flush does not see: mark the document stale
    in the same transaction, so the drain removes it."""
    outbox.touch(DOC_TYPE, event.id)
