"""Starting and ending a browser session (Flask-Login glue, kept out of the routes)."""

from flask import session
from flask_login import login_user, logout_user

from app.accounts.models import User
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
    logout_user()
    session.clear()
