"""Administration: the overview, user management, moderation and the skill taxonomy
(admins only)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import moderation_routes, routes, skill_routes  # noqa: E402, F401
