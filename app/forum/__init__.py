"""The knowledge forum: questions, answers, comments, votes, tags, follows, moderation."""

from flask import Blueprint

bp = Blueprint("forum", __name__)

from app.forum import models  # noqa: E402, F401
