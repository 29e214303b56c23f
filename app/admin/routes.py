"""Admin pages. Every view is `admin_required`."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.accounts import services as account_services
from app.accounts.models import User
from app.accounts.permissions import admin_required
from app.admin import bp
from app.admin.queries import USER_STATES, people_overview, users_select
from app.core.errors import DomainError
from app.core.htmx import render_page_or_fragment
from app.core.pagination import paginate
from app.core.security import safe_next
from app.extensions import db


@bp.get("/")
@admin_required
def index():
    return render_page_or_fragment("admin/overview.html", "admin/_overview.html",
                                   stats=people_overview())


@bp.get("/users")
@admin_required
def users():
    q = request.args.get("q", "")[:100]
    state = request.args.get("state", "active")
    if state not in USER_STATES:
        state = "active"
    page = paginate(users_select(q=q, state=state), default_per_page=50)
    return render_page_or_fragment("admin/user_list.html", "admin/_user_rows.html",
                                   page=page, q=q, state=state, states=USER_STATES)


def _change_state(user_id: int, action, done: str):
    user = db.get_or_404(User, user_id)
    try:
        action(current_user, user)
    except DomainError as err:
        db.session.rollback()
        flash(str(err), "error")
    else:
        db.session.commit()
        flash(done.format(name=user.display_name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("admin.users")), 303)


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def deactivate(user_id: int):
    return _change_state(user_id, account_services.deactivate_user,
                         "{name} is deactivated: they can't log in and are hidden from lists.")


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def reactivate(user_id: int):
    return _change_state(user_id, account_services.reactivate_user,
                         "{name} is active again.")
