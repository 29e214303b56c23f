"""Password hashing and the strength rule."""

from __future__ import annotations

import pytest
from argon2 import Type, extract_parameters

from app import create_app
from app.accounts import passwords
from app.accounts.models import User
from app.config import Config, TestConfig
from app.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user

PRODUCTION_ARGON2 = {
    key: getattr(Config, key)
    for key in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")
}


@pytest.fixture
def config_app():
    """An app for its configuration only: these tests touch no database, so they run once
    rather than once per backend."""
    app = create_app({**TestConfig.as_dict(), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        yield app


def test_production_defaults_are_the_owasp_argon2id_parameters(monkeypatch, tmp_path):
    assert PRODUCTION_ARGON2 == {
        "ARGON2_TIME_COST": 2, "ARGON2_MEMORY_COST": 19456, "ARGON2_PARALLELISM": 1}
    monkeypatch.setenv("SKILLSWAP_INSTANCE_DIR", str(tmp_path))
    for key in (*PRODUCTION_ARGON2, "SKILLSWAP_ENV", "PASSWORD_MIN_LENGTH"):
        monkeypatch.delenv(key, raising=False)
    settings = Config.from_env()
    assert {key: settings[key] for key in PRODUCTION_ARGON2} == PRODUCTION_ARGON2
    assert settings["PASSWORD_MIN_LENGTH"] >= 10


def test_hashes_are_argon2id_with_the_configured_parameters(config_app):
    config_app.config.update(PRODUCTION_ARGON2)
    hashed = passwords.hash_password(DEFAULT_PASSWORD)
    assert hashed.startswith("$argon2id$")
    params = extract_parameters(hashed)
    assert (params.type, params.memory_cost, params.time_cost, params.parallelism) == (
        Type.ID, 19456, 2, 1)
    assert params.salt_len >= 16 and params.hash_len >= 32
    assert passwords.verify_password(hashed, DEFAULT_PASSWORD)
    assert not passwords.needs_rehash(hashed)
    assert passwords.hash_password(DEFAULT_PASSWORD) != hashed  # salted


def test_long_passwords_are_not_truncated(config_app):
    long_password = "".join(chr(ord("a") + i % 26) for i in range(200))
    hashed = passwords.hash_password(long_password)
    assert passwords.verify_password(hashed, long_password)
    assert not passwords.verify_password(hashed, long_password[:-1] + "!")
    assert not passwords.verify_password(hashed, long_password[:72])
    assert not passwords.verify_password(hashed, long_password[:-1])


def test_unicode_passwords_round_trip(config_app):
    hashed = passwords.hash_password("løvetann – 蒲公英 🌼 seeds")
    assert passwords.verify_password(hashed, "løvetann – 蒲公英 🌼 seeds")
    assert not passwords.verify_password(hashed, "lovetann – 蒲公英 🌼 seeds")


@pytest.mark.parametrize("stored", [None, "", "not a hash", "$argon2id$v=19$m=1,t=1,p=1$xx"])
def test_verify_refuses_missing_or_broken_hashes(config_app, stored):
    assert passwords.verify_password(stored, DEFAULT_PASSWORD) is False


def test_needs_rehash_when_the_parameters_change(config_app):
    hashed = passwords.hash_password(DEFAULT_PASSWORD)
    assert not passwords.needs_rehash(hashed)
    config_app.config["ARGON2_TIME_COST"] += 1
    assert passwords.needs_rehash(hashed)
    assert passwords.verify_password(hashed, DEFAULT_PASSWORD)  # old hashes still work


def test_login_upgrades_an_old_hash(app, client, auth):
    user = make_user()
    old_hash = user.password_hash
    app.config.update(ARGON2_TIME_COST=3, ARGON2_MEMORY_COST=2048)

    assert auth.login(user, DEFAULT_PASSWORD + "x").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash  # not on a failed login

    assert auth.login(user).status_code == 303
    db.session.expire_all()
    new_hash = db.session.get(User, user.id).password_hash
    params = extract_parameters(new_hash)
    assert (params.time_cost, params.memory_cost) == (3, 2048)
    assert passwords.verify_password(new_hash, DEFAULT_PASSWORD)


@pytest.mark.parametrize("password", [
    "password1234", "qwertyuiop123", "iloveyou2024", "Password123!", "1234567890",
    "aaaaaaaaaaaa", "abcdefghijk", "qwertyuiop",
])
def test_common_passwords_are_refused(config_app, password):
    problem = passwords.password_problem(password)
    assert problem is not None
    assert problem.endswith("Choose a longer or less common password.")


@pytest.mark.parametrize("password", [
    DEFAULT_PASSWORD, "correct horse battery staple", "amber lanterns drift slowly",
    "Tea at 4 with the llama crew",
])
def test_passphrases_are_accepted(config_app, password):
    assert passwords.password_problem(password) is None


def test_the_minimum_length_and_blank_passwords(config_app):
    assert passwords.password_problem("Zq8#vL1!x") == "Use at least 10 characters."
    assert passwords.password_problem(" " * 12) == "A password can't be only spaces."
    config_app.config["PASSWORD_MIN_LENGTH"] = 16
    assert passwords.password_problem("amber lanterns") == "Use at least 16 characters."


def test_a_password_built_from_the_persons_own_details_is_refused(config_app):
    details = ["Bartholomew Quince", "bquince@example.com", "bquince"]
    assert passwords.password_problem("bquince@example.com", details) is not None
    assert passwords.password_problem("Bartholomew Quince", details) is not None


@pytest.mark.parametrize("length", [72, 73, 101, 1024])
def test_long_passwords_are_judged_without_error(config_app, length):
    words = "amber lanterns drift slowly over quiet harbours where gulls argue "
    password = (words * 20)[:length]
    assert passwords.password_problem(password) is None
    assert passwords.password_problem("a" * length) is not None
