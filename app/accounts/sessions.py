"""Starting and ending a browser session (Flask-Login glue, kept out of the routes)."""

from urllib.parse import urlsplit

from flask import flash, redirect, request, session, url_for
from flask_login import login_user, logout_user

from app.accounts.models import User
from app.core.htmx import is_htmx_request
from app.core.security import is_safe_next
from app.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The id is "<user id>:<session token>": a rotated token or a deactivated account
    makes every old session cookie and remember-me cookie worthless."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def start_session(user: User, *, remember: bool = False) -> None:
    """A brand-new session for this login: nothing from before it carries over."""
    session.clear()
    login_user(user, remember=remember, fresh=True)


def end_session() -> None:
    """Forget the session; logout_user() runs last so its "delete the remember-me cookie"
    marker survives the clear."""
    session.clear()
    logout_user()


def _return_path() -> str | None:
    """Where to come back to after logging in: the page the person was on."""
    if is_htmx_request():
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        target = current.path + (f"?{current.query}" if current.query else "")
    else:
        target = request.full_path if request.query_string else request.path
    return target if is_safe_next(target) else None


@login_manager.unauthorized_handler
def ask_to_log_in():
    """Send the person to the login page and back. An htmx request (a poll, or a button on a
    page whose session has ended) gets HX-Redirect, so the whole page goes to the login form
    instead of the form being swapped into a corner of the page."""
    login_url = url_for("accounts.login", next=_return_path())
    if is_htmx_request():
        return "", 204, {"HX-Redirect": login_url}
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url)
