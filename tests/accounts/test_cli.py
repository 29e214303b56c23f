"""`flask users create-admin`."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user

STRONG = "amber lanterns drift slowly"


def create_admin(runner, *args: str):
    result = runner.invoke(args=["users", "create-admin", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def user_with_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_create_admin_creates_an_admin_who_can_log_in(runner, auth):
    result = create_admin(runner, "--email", "A@B.c", "--name", "A B", "--password", STRONG)
    assert result.exit_code == 0, result.output
    assert "a@b.c (@a-b) is an administrator." in result.output
    admin = user_with_email("a@b.c")
    assert admin.is_admin and admin.active and admin.display_name == "A B"
    response = auth.login("a@b.c", STRONG)
    assert response.status_code == 303


def test_create_admin_twice_is_a_clear_error(runner):
    create_admin(runner, "--email", "a@b.c", "--name", "A B", "--password", STRONG)
    result = create_admin(runner, "--email", "A@B.C", "--name", "A B", "--password", STRONG)
    assert result.exit_code != 0
    assert "Error: a@b.c is already an administrator." in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_create_admin_refuses_a_weak_password(runner):
    result = create_admin(runner, "--email", "a@b.c", "--name", "A B",
                          "--password", "password1234")
    assert result.exit_code != 0
    assert "Error: " in result.output and "less common password" in result.output
    assert "Traceback" not in result.output
    assert user_with_email("a@b.c") is None


def test_create_admin_refuses_a_short_password(runner):
    result = create_admin(runner, "--email", "a@b.c", "--name", "A B", "--password", "short")
    assert result.exit_code != 0
    assert "Use at least 10 characters." in result.output
    assert user_with_email("a@b.c") is None


def test_create_admin_promotes_an_existing_account(runner, auth):
    make_user(email="bo@example.com", display_name="Bo Berg")
    result = create_admin(runner, "--email", "Bo@Example.com", "--name", "ignored",
                          "--password", STRONG)
    assert result.exit_code == 0, result.output
    promoted = user_with_email("bo@example.com")
    assert promoted.is_admin and promoted.display_name == "Bo Berg"
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert auth.login("bo@example.com", DEFAULT_PASSWORD).status_code == 303


def test_create_admin_prompts_for_what_is_missing(runner):
    result = runner.invoke(args=["users", "create-admin"],
                           input=f"a@b.c\nA B\n{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert user_with_email("a@b.c").is_admin


def test_create_admin_reads_the_password_from_the_environment(runner, monkeypatch):
    monkeypatch.setenv("SKILLSWAP_ADMIN_PASSWORD", STRONG)
    result = create_admin(runner, "--email", "a@b.c", "--name", "A B")
    assert result.exit_code == 0, result.output
    assert user_with_email("a@b.c").is_admin
