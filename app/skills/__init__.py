"""The skill taxonomy and skill hubs: the pages that join offers, questions and people."""

from flask import Blueprint

bp = Blueprint("skills", __name__, url_prefix="/skills")

from app.skills import models, routes  # noqa: E402, F401
from app.skills.permissions import TEMPLATE_PREDICATES  # noqa: E402

for _name, _predicate in TEMPLATE_PREDICATES.items():
    bp.add_app_template_global(_predicate, _name)
