"""The marketplace: can-teach and want-to-learn offers, and the matches they make."""

from flask import Blueprint

bp = Blueprint("offers", __name__)

# The skills package first: offers point at skills, and skill pages import offer constants,
# so loading it before our models keeps `import app.offers` from starting an import cycle.
import app.skills  # noqa: E402, F401
from app.offers import (  # noqa: E402, F401
    match_routes,
    models,
    routes,
)
from app.offers.models import FORMATS, KINDS, LEVELS, STATUSES  # noqa: E402
from app.offers.permissions import TEMPLATE_PREDICATES  # noqa: E402

for _name, _predicate in TEMPLATE_PREDICATES.items():
    bp.add_app_template_global(_predicate, _name)
bp.add_app_template_global(
    {"kinds": KINDS, "levels": LEVELS, "formats": FORMATS, "statuses": STATUSES}, "offer_labels")
