"""Who may do what with accounts: pure predicates, also available in templates."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.accounts.models import User


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def can_see_profile(viewer, person: User) -> bool:
    """Deactivated people disappear for everyone but administrators."""
    return person.active or is_admin(viewer)


def can_edit_profile(viewer, person: User) -> bool:
    return getattr(viewer, "is_authenticated", False) and viewer.id == person.id


def can_manage_users(viewer) -> bool:
    return is_admin(viewer)


def admin_required(view):
    """Logged in and an administrator, or 403."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


TEMPLATE_PREDICATES = {
    "is_admin": is_admin,
    "can_see_profile": can_see_profile,
    "can_edit_profile": can_edit_profile,
    "can_manage_users": can_manage_users,
}
