"""Password hashing (argon2id, OWASP parameters) and the strength rule.

No truncation: the whole password is hashed, whatever its length (bcrypt's 72-byte limit is
one reason we don't use it). Strength is judged by zxcvbn, which knows the common passwords,
keyboard walks, dates and l33t-speak variations of them, and the person's own name and email.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

# zxcvbn score 0-4; 2 means at least ~10^6 guesses are needed even for an online attacker
# who knows common passwords. With the 10-character minimum this refuses "Password123!"
# and "qwertyuiop" while accepting an ordinary passphrase.
MIN_STRENGTH_SCORE = 2
_DUMMY_HASH: str | None = None


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; spends the same work when there is no hash, so response time
    doesn't tell whether an account exists."""
    global _DUMMY_HASH
    hasher = _hasher()
    if password_hash is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hasher.hash("no account has this password")
        password_hash = _DUMMY_HASH
        password = password + "\x00never"
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> str | None:
    """Why `password` is not acceptable, in words for the person, or None when it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"Use at least {minimum} characters."
    if not password.strip():
        return "A password can't be only spaces."
    # zxcvbn's cost grows with length; the first 100 characters are plenty to judge by.
    # (zxcvbn >= 4.5 raises ValueError past its own max_length, 72 by default.)
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u][:10],
                    max_length=100)
    if result["score"] < MIN_STRENGTH_SCORE:
        warning = result["feedback"].get("warning") or "This password is too easy to guess."
        return f"{warning.rstrip('.')}. Choose a longer or less common password."
    return None
