"""Events: workshops, lunch-and-learns and teach-backs — scheduling, booking with a waitlist
that promotes itself, calendars, attendance, materials, feedback and session proposals."""

from flask import Blueprint

bp = Blueprint("events", __name__)

import app.skills  # noqa: E402, F401  (events point at skills)
from app.events import (  # noqa: E402, F401
    calendar_routes,
    followup_routes,
    models,
    proposal_routes,
    routes,
)
