"""Which kinds of documents the index holds, declared by the domains that own them.

A domain describes one kind of document with a `DocType` and calls `register(doc_type)` when
its module is imported (the forum does so in `app/forum/search_documents.py`). The outbox
watches the model itself and every model in `watch`, so a change to any of them refreshes
the document it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select


@dataclass(frozen=True)
class DocType:
    """One kind of searchable document.

    - `name`: the doc_type stored in the index and the outbox ("question").
    - `model`: the mapped class whose rows become documents (a change to a row touches it).
    - `to_document(obj)`: the index fields (title, tags, body, created_at, …) for one row.
    - `is_indexable(obj)`: False for rows nobody should find (hidden posts).
    - `load_many(ids)`: the rows for `ids`, in the order given, missing ones left out.
    - `all_ids()`: a SELECT of every candidate id, for reindex and check.
    - `watch`: (other model, fn(obj) -> a doc id, several, or None): a change to such a row
      touches those documents (an answer touches its question).
    - `fields`: {model: attribute names} — for a model listed here, an update touches the
      documents only when one of those attributes changed (a login's `last_login_at` does
      not refresh a person); inserts and deletes always do.
    """

    name: str
    model: type
    to_document: Callable[[Any], dict]
    is_indexable: Callable[[Any], bool]
    load_many: Callable[[Sequence[int]], list]
    all_ids: Callable[[], Select]
    watch: Sequence[tuple[type, Callable[[Any], int | Iterable[int] | None]]] = field(
        default_factory=tuple)
    fields: Mapping[type, frozenset[str]] = field(default_factory=dict)

    def cares_about(self, cls: type, changed: set[str] | None) -> bool:
        """Whether a change to these attributes of a `cls` row matters (None: any change)."""
        if changed is None:
            return True
        for model, names in self.fields.items():
            if issubclass(cls, model):
                return bool(changed & names)
        return True


_doc_types: dict[str, DocType] = {}


def register(doc_type: DocType) -> DocType:
    """Declare a document type (idempotent per name: the last declaration wins)."""
    _doc_types[doc_type.name] = doc_type
    return doc_type


def get(name: str) -> DocType | None:
    return _doc_types.get(name)


def all_doc_types() -> Iterable[DocType]:
    return list(_doc_types.values())


def targets_for(obj: Any, changed: set[str] | None = None) -> list[tuple[str, int]]:
    """The (doc_type, doc_id) pairs that a change to `obj` makes stale (`changed`: the
    attributes an update changed; None for an insert, a delete or an explicit touch)."""
    found: list[tuple[str, int]] = []
    cls = type(obj)
    for doc_type in _doc_types.values():
        if not doc_type.cares_about(cls, changed):
            continue
        if isinstance(obj, doc_type.model):
            if obj.id is not None:
                found.append((doc_type.name, obj.id))
            continue
        for model, doc_id_of in doc_type.watch:
            if issubclass(cls, model):
                ids = doc_id_of(obj)
                if isinstance(ids, int):
                    ids = [ids]
                found.extend((doc_type.name, i) for i in ids or () if i is not None)
    return found


def is_watched(obj: Any) -> bool:
    cls = type(obj)
    return any(issubclass(cls, dt.model) or any(issubclass(cls, m) for m, _ in dt.watch)
               for dt in _doc_types.values())
