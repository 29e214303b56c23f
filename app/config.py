"""Every knob Skillswap has, each overridable by an environment variable.

`Config.from_env()` reads the environment once, when the app is created. Tests pass a mapping
of overrides to `create_app` instead (see `TestConfig`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from limits import parse_many

BASE_DIR = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot run; the message tells the operator what to set."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as err:
        raise ConfigError(f"{name} must be a whole number, got {value!r}.") from err


def _env_limit(name: str, default: str) -> str:
    """A Flask-Limiter limit string; checked here because Flask-Limiter skips one it can't
    parse, which would silently switch that limit off."""
    value = _env(name, default)
    try:
        parse_many(value)
    except ValueError as err:
        raise ConfigError(f"{name} must be a rate limit such as '10 per minute' or "
                          f"'20 per minute;200 per hour', got {value!r}.") from err
    return value


def _development_secret_key(instance_dir: Path) -> str:
    """A random key kept in instance/ so sessions survive a restart of the dev server."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Config:
    """Defaults for the embedded setup: SQLite, a local Whoosh index, in-process rate limits."""

    ENV = "development"
    INSTANCE_DIR = BASE_DIR / "instance"

    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{BASE_DIR / 'instance' / 'skillswap.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000

    SEARCH_INDEX_DIR = str(BASE_DIR / "search_index")
    SEARCH_ENABLED = True
    # How long a drain waits for another process's index write lock before leaving its
    # outbox rows for the next drain.
    SEARCH_LOCK_TIMEOUT_MS = 1000
    # Drain the outbox inside the request instead of after the response is sent (tests).
    SEARCH_DRAIN_INLINE = False

    # Requests and cookies
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    PREFERRED_URL_SCHEME = "http"
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8
    WTF_CSRF_ENABLED = True
    TRUST_PROXY_HEADERS = False

    # Rate limits (Flask-Limiter). memory:// is right for one gunicorn worker; give a
    # redis:// URL so several workers or hosts share the counters.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "skillswap"
    LOGIN_LIMIT_PER_IP = "20 per minute;200 per hour"
    LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
    REGISTER_LIMIT_PER_IP = "10 per hour"
    REGISTER_LIMIT_PER_ACCOUNT = "5 per hour"  # failed sign-ups naming one email

    # Passwords: argon2id, OWASP parameters (m=19 MiB, t=2, p=1).
    PASSWORD_MIN_LENGTH = 10
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    # Rendered parts of busy pages (the marketplace's and events list's filters and lists,
    # event pages) kept per worker, until the data they show changes; 0 switches it off.
    PAGE_CACHE_ENTRIES = 2048

    # Events: how long a seat freed from a waitlist stays held for the next person.
    EVENT_CLAIM_WINDOW_HOURS = 24

    PEOPLE_PER_PAGE = 24
    QUESTIONS_PER_PAGE = 20
    OFFERS_PER_PAGE = 20
    EVENTS_PER_PAGE = 20
    SEARCH_PER_PAGE = 20
    NOTIFICATIONS_PER_PAGE = 30
    MAX_PER_PAGE = 100

    @classmethod
    def from_env(cls) -> dict:
        """Read the environment into a plain dict of settings, checking what must be set."""
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        # Any plain whole-number, yes/no or text setting can be set by its own name
        # (NOTIFICATIONS_PER_PAGE=50, ARGON2_MEMORY_COST=…); the ones below need more care.
        for key, default in settings.items():
            if isinstance(default, bool):
                settings[key] = _env_bool(key, default)
            elif isinstance(default, int):
                settings[key] = _env_int(key, default)
            elif isinstance(default, str):
                settings[key] = _env(key, default)
        env = _env("SKILLSWAP_ENV", "development")
        if env not in {"development", "production"}:
            raise ConfigError("SKILLSWAP_ENV must be 'development' or 'production'.")
        settings["ENV"] = env
        instance_dir = Path(_env("SKILLSWAP_INSTANCE_DIR", str(cls.INSTANCE_DIR)))
        settings["INSTANCE_DIR"] = instance_dir
        settings["SQLALCHEMY_DATABASE_URI"] = _env(
            "DATABASE_URL", f"sqlite:///{instance_dir / 'skillswap.db'}"
        )
        secure = _env_bool("SESSION_COOKIE_SECURE", env == "production")
        settings["SESSION_COOKIE_SECURE"] = secure
        settings["REMEMBER_COOKIE_SECURE"] = secure
        settings["PREFERRED_URL_SCHEME"] = "https" if secure else "http"
        settings["RATELIMIT_STORAGE_URI"] = _env(
            "RATELIMIT_STORAGE_URI", _env("REDIS_URL", cls.RATELIMIT_STORAGE_URI)
        )
        for key in ("LOGIN_LIMIT_PER_IP", "LOGIN_LIMIT_PER_ACCOUNT", "REGISTER_LIMIT_PER_IP",
                    "REGISTER_LIMIT_PER_ACCOUNT"):
            settings[key] = _env_limit(key, getattr(cls, key))
        settings["PASSWORD_MIN_LENGTH"] = max(10, _env_int("PASSWORD_MIN_LENGTH", 10))

        secret = _env("SECRET_KEY")
        if secret is None:
            if env == "production":
                raise ConfigError(
                    "SECRET_KEY is not set. Production refuses to start without it: set "
                    "SECRET_KEY to a long random string, for example the output of "
                    "`python -c 'import secrets; print(secrets.token_hex(32))'`."
                )
            secret = _development_secret_key(instance_dir)
        settings["SECRET_KEY"] = secret
        return settings


class TestConfig(Config):
    """Settings for the test suite; fixtures add the database URL and index directory."""

    ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    SEARCH_DRAIN_INLINE = True  # a test reads the index right after the request
    # Cheap hashing in tests; the production parameters are tested on their own.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024

    @classmethod
    def as_dict(cls) -> dict:
        return {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
