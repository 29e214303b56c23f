"""Account operations in domain words. They take the acting user explicitly, flush but
never commit, and raise typed domain errors (`Invalid` names the form field)."""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts import passwords
from app.accounts.models import HANDLE_MAX, HANDLE_MIN, User
from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.markdown import render_markdown
from app.core.text import slug
from app.extensions import db

HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def clean_text(value: str | None) -> str:
    """Collapse runs of whitespace and drop control characters from a one-line field."""
    value = "".join(ch for ch in (value or "") if unicodedata.category(ch) != "Cc" or ch == " ")
    return " ".join(value.split())


def email_taken(email: str, *, except_user: User | None = None) -> bool:
    query = select(User.id).where(User.email == normalise_email(email))
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return db.session.scalar(query) is not None


def handle_taken(handle: str, *, except_user: User | None = None) -> bool:
    query = select(User.id).where(User.handle == normalise_handle(handle))
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return db.session.scalar(query) is not None


def suggest_handle(name: str) -> str:
    """A free handle made from a name: "Ana López" → "ana-lopez", then "ana-lopez-2"…"""
    base = slug(name)[: HANDLE_MAX - 4].strip("-") or "member"
    if len(base) < 2:
        base = f"{base}-member"
    taken = set(
        db.session.scalars(select(User.handle).where(User.handle.like(f"{base}%"))).all()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def register_user(*, name: str, email: str, password: str) -> User:
    name = clean_text(name)
    email = normalise_email(email)
    if not name:
        raise Invalid("name", "Tell us your name.")
    if email_taken(email):
        raise Invalid("email", "An account with this email already exists. Log in instead?")
    problem = passwords.password_problem(
        password, [name, email, email.split("@")[0], *name.split()]
    )
    if problem:
        raise Invalid("password", problem)
    user = User(
        email=email,
        display_name=name,
        handle=suggest_handle(name),
        password_hash=passwords.hash_password(password),
    )
    _insert_new_user(user)
    signals.user_registered.send(user)
    return user


def _insert_new_user(user: User) -> None:
    """Insert, letting the unique constraints settle races the checks above can't see:
    two sign-ups with one email at once → a message; with one suggested handle → another."""
    for _ in range(3):
        try:
            with db.session.begin_nested():
                db.session.add(user)
            return
        except IntegrityError:
            if email_taken(user.email):
                raise Invalid("email", "An account with this email already exists. "
                                       "Log in instead?") from None
            user.handle = f"{user.handle[: HANDLE_MAX - 5]}-{secrets.token_hex(2)}"
    raise Conflict("We couldn't create your account just now. Please try again.")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Upgrades old hashes."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if not passwords.verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_password(user: User, *, current: str, new: str) -> None:
    """Set a new password and end every session of this user (the caller logs this one
    back in)."""
    if not passwords.verify_password(user.password_hash, current):
        raise Invalid("current_password", "That isn't your current password.")
    if current == new:
        raise Invalid("new_password", "Choose a password different from the current one.")
    problem = passwords.password_problem(
        new, [user.display_name, user.email, user.handle, user.email.split("@")[0],
              *user.display_name.split()]
    )
    if problem:
        raise Invalid("new_password", problem)
    user.password_hash = passwords.hash_password(new)
    user.end_all_sessions()
    db.session.flush()
    signals.password_changed.send(user)


def end_sessions(user: User) -> None:
    """Log the user out everywhere: every session and remember-me cookie stops working."""
    user.end_all_sessions()
    db.session.flush()


PROFILE_FIELDS = (
    "display_name", "handle", "job_title", "department", "location", "timezone", "bio_md",
    "open_to_mentoring", "open_to_being_mentored", "open_to_swaps",
)


def update_profile(user: User, **fields) -> User:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    if "handle" in fields:
        handle = normalise_handle(fields["handle"])
        if not HANDLE_MIN <= len(handle) <= HANDLE_MAX:
            raise Invalid("handle", f"Use {HANDLE_MIN} to {HANDLE_MAX} characters.")
        if not HANDLE_RE.match(handle):
            raise Invalid("handle", "Use letters, digits, '-' or '_', starting and ending "
                                    "with a letter or digit.")
        if handle_taken(handle, except_user=user):
            raise Invalid("handle", f"@{handle} is already taken. Try another.")
        fields["handle"] = handle
    for key in ("display_name", "job_title", "department", "location"):
        if key in fields:
            fields[key] = clean_text(fields[key])
    if "bio_md" in fields:
        fields["bio_md"] = fields["bio_md"] or ""
    if "display_name" in fields and not fields["display_name"]:
        raise Invalid("display_name", "Your name can't be empty.")
    for key, value in fields.items():
        setattr(user, key, value)
    if "bio_md" in fields:
        user.bio_html = render_markdown(user.bio_md)
    try:
        db.session.flush()
    except IntegrityError as err:
        if not _violates_unique_handle(err):
            raise
        # Someone took the handle between the check and the save; the caller rolls back,
        # as after any Invalid.
        raise Invalid("handle", f"@{fields.get('handle')} is already taken. "
                                "Try another.") from None
    return user


def _violates_unique_handle(err: IntegrityError) -> bool:
    message = str(err.orig)
    return "uq_users_handle" in message or "users.handle" in message  # PostgreSQL, SQLite


def deactivate_user(admin: User, user: User) -> None:
    if not admin.is_admin:
        raise NotAllowed("Only administrators can deactivate accounts.")
    if admin.id == user.id:
        raise Conflict("You can't deactivate your own account.")
    if not user.active:
        raise Conflict(f"{user.display_name} is already deactivated.")
    user.active = False
    user.deactivated_at = utcnow()
    user.end_all_sessions()
    db.session.flush()
    signals.user_deactivated.send(user, by=admin)


def reactivate_user(admin: User, user: User) -> None:
    if not admin.is_admin:
        raise NotAllowed("Only administrators can reactivate accounts.")
    if user.active:
        raise Conflict(f"{user.display_name} is already active.")
    user.active = True
    user.deactivated_at = None
    db.session.flush()
    signals.user_reactivated.send(user, by=admin)


def create_admin(*, name: str, email: str, password: str) -> User:
    """Used by `flask users create-admin`: a new administrator, or promote an existing one."""
    existing = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if existing is not None:
        if existing.is_admin:
            raise Conflict(f"{existing.email} is already an administrator.")
        existing.is_admin = True
        db.session.flush()
        return existing
    user = register_user(name=name, email=email, password=password)
    user.is_admin = True
    db.session.flush()
    return user


def count_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.is_admin)) or 0
