"""1:1 exchanges: requests, acceptance by everyone involved, fit checks, hours, ratings."""

from flask import Blueprint

bp = Blueprint("exchanges", __name__, url_prefix="/exchanges")

from app.exchanges import (  # noqa: E402, F401
    models,
    progress_routes,
    routes,
)
from app.exchanges.models import EXPIRE_AFTER_DAYS, KINDS, STATUSES  # noqa: E402
from app.exchanges.permissions import TEMPLATE_PREDICATES  # noqa: E402

for _name, _predicate in TEMPLATE_PREDICATES.items():
    bp.add_app_template_global(_predicate, _name)
bp.add_app_template_global({"kinds": KINDS, "statuses": STATUSES}, "exchange_labels")
bp.add_app_template_global(routes.queries.title_for, "exchange_title")
bp.add_app_template_global(routes.queries.summary_for, "exchange_summary")
bp.add_app_template_global(routes.queries.GROUPS, "exchange_groups")
bp.add_app_template_global(EXPIRE_AFTER_DAYS, "expire_after_days")
