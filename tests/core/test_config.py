"""Config.from_env(): required settings, environment overrides, SQLite pragmas, no I/O."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import text

from app import create_app
from app.config import Config, ConfigError
from app.extensions import db
from tests.conftest import make_test_config

ENV_NAMES = (
    "SKILLSWAP_ENV", "SKILLSWAP_INSTANCE_DIR", "SECRET_KEY", "DATABASE_URL", "SEARCH_INDEX_DIR",
    "MAX_CONTENT_LENGTH", "SQLITE_BUSY_TIMEOUT_MS", "SESSION_COOKIE_SECURE",
    "TRUST_PROXY_HEADERS", "RATELIMIT_ENABLED", "RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX",
    "REDIS_URL", "LOGIN_LIMIT_PER_IP", "LOGIN_LIMIT_PER_ACCOUNT", "REGISTER_LIMIT_PER_IP",
    "REGISTER_LIMIT_PER_ACCOUNT",
    "PASSWORD_MIN_LENGTH",
)
UNREACHABLE_DB = "postgresql+psycopg://nobody@127.0.0.1:1/x"


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment whose instance directory is in tmp_path."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKILLSWAP_INSTANCE_DIR", str(tmp_path / "instance"))
    return monkeypatch


def test_production_refuses_to_start_without_a_secret_key(env):
    env.setenv("SKILLSWAP_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set") as excinfo:
        Config.from_env()
    assert "secrets.token_hex" in str(excinfo.value)  # says how to make one
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_with_a_key_is_secure_by_default(env):
    env.setenv("SKILLSWAP_ENV", "production")
    env.setenv("SECRET_KEY", "k" * 64)
    settings = Config.from_env()
    assert settings["SECRET_KEY"] == "k" * 64
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["PREFERRED_URL_SCHEME"] == "https"
    assert settings["WTF_CSRF_ENABLED"] and settings["RATELIMIT_ENABLED"]
    assert settings["SESSION_COOKIE_HTTPONLY"] and settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_an_unknown_environment_name_is_refused(env):
    env.setenv("SKILLSWAP_ENV", "staging")
    with pytest.raises(ConfigError, match="SKILLSWAP_ENV"):
        Config.from_env()


def test_development_keeps_a_generated_key_in_the_instance_dir(env, tmp_path):
    first = Config.from_env()
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Config.from_env()["SECRET_KEY"] == first["SECRET_KEY"]
    assert first["SESSION_COOKIE_SECURE"] is False
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'skillswap.db'}"


def test_environment_overrides(env):
    env.setenv("SECRET_KEY", "from-the-environment")
    env.setenv("DATABASE_URL", "postgresql+psycopg://app@db.internal/skillswap")
    env.setenv("MAX_CONTENT_LENGTH", "1048576")
    env.setenv("RATELIMIT_STORAGE_URI", "redis://limits.internal:6379/1")
    env.setenv("RATELIMIT_KEY_PREFIX", "skillswap-blue")
    env.setenv("REDIS_URL", "redis://ignored.internal:6379/0")
    env.setenv("LOGIN_LIMIT_PER_ACCOUNT", "3 per minute")
    env.setenv("SESSION_COOKIE_SECURE", "yes")
    env.setenv("PASSWORD_MIN_LENGTH", "4")  # never below the floor of 10
    settings = Config.from_env()
    assert settings["SECRET_KEY"] == "from-the-environment"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.internal/skillswap"
    assert settings["MAX_CONTENT_LENGTH"] == 1048576
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://limits.internal:6379/1"
    assert settings["RATELIMIT_KEY_PREFIX"] == "skillswap-blue"
    assert settings["LOGIN_LIMIT_PER_ACCOUNT"] == "3 per minute"
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["PASSWORD_MIN_LENGTH"] == 10


def test_redis_url_is_the_fallback_for_rate_limit_storage(env):
    env.setenv("SECRET_KEY", "x")
    assert Config.from_env()["RATELIMIT_STORAGE_URI"] == "memory://"
    env.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    assert Config.from_env()["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"


@pytest.mark.parametrize("name", ["MAX_CONTENT_LENGTH", "SQLITE_BUSY_TIMEOUT_MS",
                                  "PASSWORD_MIN_LENGTH"])
def test_a_bad_integer_is_a_config_error_naming_the_variable(env, name):
    env.setenv("SECRET_KEY", "x")
    env.setenv(name, "2MB")
    with pytest.raises(ConfigError, match=f"{name} must be a whole number, got '2MB'"):
        Config.from_env()


@pytest.mark.parametrize("name", ["LOGIN_LIMIT_PER_IP", "LOGIN_LIMIT_PER_ACCOUNT",
                                  "REGISTER_LIMIT_PER_IP"])
def test_a_bad_rate_limit_is_a_config_error_not_a_silently_missing_limit(env, name):
    # Flask-Limiter skips a limit it cannot parse, so a typo would switch the limit off.
    env.setenv("SECRET_KEY", "x")
    env.setenv(name, "5 per fortnight")
    with pytest.raises(ConfigError, match=f"{name} must be a rate limit"):
        Config.from_env()
    env.setenv(name, "5 per minute;50 per day")
    assert Config.from_env()[name] == "5 per minute;50 per day"


def test_sqlite_connections_use_wal_and_a_busy_timeout(tmp_path):
    app = create_app(make_test_config({"name": "sqlite"}, tmp_path,
                                      SQLITE_BUSY_TIMEOUT_MS=4321))
    with app.app_context():
        try:
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 4321
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        finally:
            db.session.remove()
            db.engine.dispose()


def test_create_app_does_no_database_io(tmp_path):
    config = make_test_config({"name": "sqlite"}, tmp_path,
                              SQLALCHEMY_DATABASE_URI=UNREACHABLE_DB,
                              SQLALCHEMY_ENGINE_OPTIONS={})
    app = create_app(config)
    response = app.test_client().get("/static/css/app.css")
    assert response.status_code == 200
    response.close()


def test_create_app_from_the_environment_does_no_database_io(env):
    env.setenv("SECRET_KEY", "x")
    env.setenv("DATABASE_URL", UNREACHABLE_DB)
    env.setenv("TRUST_PROXY_HEADERS", "1")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == UNREACHABLE_DB
    assert type(app.wsgi_app).__name__ == "ProxyFix"


def test_every_plain_setting_can_be_set_by_its_own_name(env):
    env.setenv("NOTIFICATIONS_PER_PAGE", "50")
    env.setenv("ARGON2_MEMORY_COST", "65536")
    env.setenv("REMEMBER_COOKIE_DURATION", "3600")
    env.setenv("WTF_CSRF_TIME_LIMIT", "7200")
    env.setenv("SEARCH_ENABLED", "false")
    settings = Config.from_env()
    assert settings["NOTIFICATIONS_PER_PAGE"] == 50
    assert settings["ARGON2_MEMORY_COST"] == 65536
    assert settings["REMEMBER_COOKIE_DURATION"] == 3600
    assert settings["WTF_CSRF_TIME_LIMIT"] == 7200
    assert settings["SEARCH_ENABLED"] is False
