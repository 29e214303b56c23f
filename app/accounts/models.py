"""People who use Skillswap."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import TimestampMixin, UTCDateTime
from app.extensions import db

# Column limits, shared with the forms so both enforce the same numbers.
EMAIL_MAX = 254
NAME_MAX = 80
HANDLE_MIN = 2
HANDLE_MAX = 30
JOB_TITLE_MAX = 100
DEPARTMENT_MAX = 80
LOCATION_MAX = 80
TIMEZONE_MAX = 64
BIO_MAX = 2000
PASSWORD_MAX = 1024  # long passphrases are welcome; this only bounds the work of hashing


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("handle = lower(handle)", name="handle_lowercase"),
        CheckConstraint("length(display_name) > 0", name="display_name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    handle: Mapped[str] = mapped_column(String(HANDLE_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    # None for an account that cannot log in with a password (e.g. demo people).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Part of the Flask-Login id: changing it ends every session and remember-me cookie.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)

    job_title: Mapped[str] = mapped_column(String(JOB_TITLE_MAX), default="")
    department: Mapped[str] = mapped_column(String(DEPARTMENT_MAX), default="", index=True)
    location: Mapped[str] = mapped_column(String(LOCATION_MAX), default="")
    timezone: Mapped[str] = mapped_column(String(TIMEZONE_MAX), default="UTC")
    bio_md: Mapped[str] = mapped_column(String(BIO_MAX), default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")

    open_to_mentoring: Mapped[bool] = mapped_column(Boolean, default=False)
    open_to_being_mentored: Mapped[bool] = mapped_column(Boolean, default=False)
    open_to_swaps: Mapped[bool] = mapped_column(Boolean, default=False)

    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Flask-Login
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_all_sessions(self) -> None:
        """Invalidate every session and remember-me cookie that carries the old token."""
        self.session_token = new_session_token()

    @property
    def open_to(self) -> list[str]:
        labels = []
        if self.open_to_mentoring:
            labels.append("Mentoring others")
        if self.open_to_being_mentored:
            labels.append("Being mentored")
        if self.open_to_swaps:
            labels.append("Peer skill swaps")
        return labels

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.split() if p[:1].isalnum()]
        return ("".join(p[0] for p in parts[:2]) or self.handle[:2]).upper()

    def __repr__(self) -> str:
        return f"<User @{self.handle}>"
