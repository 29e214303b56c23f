"""Events: workshops, lunch-and-learns and teach-backs — scheduling, booking with a waitlist
that promotes itself, calendars, attendance, materials, feedback and session proposals."""

from flask import Blueprint

bp = Blueprint("events", __name__)

import app.skills  # noqa: E402, F401  (events point at skills)
from app.events import (  # noqa: E402, F401
    calendar_routes,
    followup_routes,
    listeners,
    models,
    proposal_routes,
    routes,
)
from app.events.models import BOOKING_STATUSES, KINDS  # noqa: E402
from app.events.permissions import TEMPLATE_PREDICATES  # noqa: E402

for _name, _predicate in TEMPLATE_PREDICATES.items():
    bp.add_app_template_global(_predicate, _name)
bp.add_app_template_global({"kinds": KINDS, "booking_statuses": BOOKING_STATUSES},
                           "event_labels")
