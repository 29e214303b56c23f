"""In-app notifications: rows written by listeners, a list page and an unread badge."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from app.notifications import event_listeners, listeners, routes  # noqa: E402, F401
