"""Full-text search: the Whoosh index, its transactional outbox, the CLI and the search page.

Public API for other domains:
- `app.search.registry.register(DocType(...))` declares a kind of document;
- `app.search.outbox.touch(doc_type, doc_id)` marks a document stale in the current
  transaction (only needed after bulk UPDATEs: ORM changes are seen by the flush);
- `app.search.queries.similar_questions(text, limit=5, exclude_id=None)`.
"""

from flask import Blueprint

bp = Blueprint("search", __name__)


def init_app(app) -> None:
    """Wire the outbox and the (lazily opened) index; no I/O here."""
    from app.search import index, outbox

    index.init_app(app)
    outbox.init_app(app)


from app.search import models, routes  # noqa: E402, F401
