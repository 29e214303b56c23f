"""Full-text search: the Whoosh index, its transactional outbox, the CLI and the search page."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from app.search import models  # noqa: E402, F401
