"""How people become search documents.

A person's document holds their display name (weighted as a title), job title, department,
location and the text of their bio, so colleagues find them by team or place. Deactivated
people are not indexed; a change to one of those fields (or to `active`) refreshes the
document through the outbox, while a login or a new session does not.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from app.accounts.models import User
from app.core.markdown import to_plain_text
from app.extensions import db
from app.search.registry import DocType, register

DOC_TYPE = "person"
# What a person's document (and their offers' documents) is built from.
SEARCHED_USER_FIELDS = frozenset({"display_name", "job_title", "department", "location",
                                  "bio_md", "active", "handle"})


def person_document(user: User) -> dict:
    details = [user.job_title, user.department, user.location]
    parts = [" · ".join(d for d in details if d), to_plain_text(user.bio_md)]
    return {"title": user.display_name, "body": "\n\n".join(p for p in parts if p),
            "created_at": user.created_at}


def is_indexable(user: User) -> bool:
    return bool(user.active)


def load_people(ids: Sequence[int]) -> list[User]:
    """The people with these ids, in the order given (missing ones left out)."""
    if not ids:
        return []
    by_id = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(ids))))}
    return [by_id[i] for i in ids if i in by_id]


PERSON_DOCS = register(DocType(
    name=DOC_TYPE,
    model=User,
    to_document=person_document,
    is_indexable=is_indexable,
    load_many=load_people,
    all_ids=lambda: select(User.id).order_by(User.id),
    fields={User: SEARCHED_USER_FIELDS},
))
