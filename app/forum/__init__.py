"""The knowledge forum: questions, answers, comments, votes, tags, follows, moderation."""

from flask import Blueprint

bp = Blueprint("forum", __name__)

from app.forum import (  # noqa: E402, F401
    models,
    moderation_routes,
    post_routes,
    question_routes,
    tag_routes,
)
from app.forum.permissions import TEMPLATE_PREDICATES  # noqa: E402

for _name, _predicate in TEMPLATE_PREDICATES.items():
    bp.add_app_template_global(_predicate, _name)
