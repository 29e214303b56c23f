"""Administration: the overview, user management and moderation (admins only)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import moderation_routes, routes  # noqa: E402, F401
