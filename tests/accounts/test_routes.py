"""Register, log in, log out, sessions and password change, through HTTP."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from app.accounts import passwords
from app.accounts.models import User
from app.extensions import db
from tests.conftest import AuthActions
from tests.factories import DEFAULT_PASSWORD, make_user

STRONG = "amber lanterns drift slowly"
NEW_PASSWORD = "copper kettles hum at dawn"




def field_error(body: str, field_id: str) -> str:
    """The text of a field's error block (`id="<field>-error"`), or "" when it has none."""
    match = re.search(rf'<div class="field-errors" id="{re.escape(field_id)}-error">(.*?)</div>',
                      body, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def input_value(body: str, field_id: str) -> str | None:
    """The value attribute of the input with this id, unescaped."""
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', body)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def logged_in(client) -> bool:
    return client.get("/settings").status_code == 200


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


# --- register -----------------------------------------------------------------------------

def test_register_creates_an_account_and_logs_in(client):
    response = client.post("/register", data={
        "name": "Ana López", "email": "Ana@Example.com", "password": STRONG})
    assert response.status_code == 303
    assert response.headers["Location"] == "/settings"
    page = client.get("/settings")
    assert page.status_code == 200
    assert 'value="ana-lopez"' in page.text
    user = db.session.scalar(select(User))
    assert (user.email, user.display_name) == ("ana@example.com", "Ana López")


def test_register_accepts_a_long_passphrase(client, auth):
    long_password = ("amber lanterns drift slowly over quiet harbours " * 5)[:200]
    response = client.post("/register", data={
        "name": "Ana", "email": "ana@example.com", "password": long_password})
    assert response.status_code == 303
    auth.logout()
    assert auth.login("ana@example.com", long_password).status_code == 303
    auth.logout()
    assert auth.login("ana@example.com", long_password[:-1] + "!").status_code == 200


def test_spaces_around_an_email_address_are_ignored(client, auth):
    response = client.post("/register", data={
        "name": "Ana", "email": " Ana@Example.com\t", "password": STRONG})
    assert response.status_code == 303
    auth.logout()
    assert auth.login(" ana@example.COM ", STRONG).status_code == 303


def test_register_page_and_a_logged_in_visitor(client, auth):
    assert client.get("/register").status_code == 200
    auth.login(make_user())
    assert client.get("/register").status_code == 302


REGISTER_PROBLEMS = [  # name, email, password, the field with the message, the message
    ("Ana", "TAKEN@example.COM", STRONG, "email", "already exists"),
    ("Ana", "not-an-email", STRONG, "email", "Enter a valid email address"),
    ("Ana", "", STRONG, "email", "Enter your email address"),
    ("Ana", "ana@example.com", "password1234", "password", "less common password"),
    ("Ana", "ana@example.com", "short", "password", "at least 10 characters"),
    ("Ana", "ana@example.com", "x" * 1025, "password", "at most 1024"),
    ("A" * 81, "ana@example.com", STRONG, "name", "longer than 80"),
    ("Ana\x00Bell", "ana@example.com", STRONG, "name", "control characters"),
    ("Ana \x1b[31mBell", "ana@example.com", STRONG, "name", "control characters"),
    ("   ", "ana@example.com", STRONG, "name", "Tell us your name"),
]


def test_register_shows_each_problem_next_to_its_field(client, subtests):
    make_user(email="taken@example.com")
    for name, email, password, field, message in REGISTER_PROBLEMS:
        with subtests.test(field=field, message=message):
            response = client.post("/register", data={"name": name, "email": email,
                                                      "password": password})
            assert response.status_code == 200
            assert message in field_error(response.text, field)
            assert input_value(response.text, "name") == name
            assert input_value(response.text, "email") == email
            assert password not in response.text  # never echoed back
            assert count_users() == 1
            assert not logged_in(client)


# --- login --------------------------------------------------------------------------------

def test_login_goes_home_and_logs_in(client, auth):
    make_user(email="bo@example.com")
    response = auth.login("BO@Example.com")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert logged_in(client)
    assert client.get_cookie("remember_token") is None


def test_login_refuses_wrong_password_unknown_email_and_deactivated(client, auth, subtests):
    make_user(email="bo@example.com")
    make_user(email="gone@example.com", active=False)
    make_user(email="demo@example.com", password=None)
    for email, password in [("bo@example.com", DEFAULT_PASSWORD + "!"),
                            ("nobody@example.com", DEFAULT_PASSWORD),
                            ("gone@example.com", DEFAULT_PASSWORD),
                            ("demo@example.com", DEFAULT_PASSWORD)]:
        with subtests.test(email=email):
            response = auth.login(email, password)
            assert response.status_code == 200
            assert "don't match an active account" in field_error(response.text, "password")
            assert input_value(response.text, "email") == email
            assert not logged_in(client)


def test_remember_me_sets_a_remember_cookie(client, auth):
    user = make_user()
    auth.login(user, remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.value
    assert cookie.http_only


def test_login_follows_only_local_next_urls(app, subtests):
    user = make_user()
    for next_url, expected in [("/people/", "/people/"),
                               ("/people/?q=ana", "/people/?q=ana"),
                               ("https://evil.example", "/"),
                               ("//evil.example", "/"),
                               ("/\\evil.example", "/"),
                               ("/%2F%2Fevil.example", "/"),
                               ("javascript:alert(1)", "/")]:
        with subtests.test(next=next_url):
            client = app.test_client()
            assert client.get("/login", query_string={"next": next_url}).status_code == 200
            response = client.post("/login", query_string={"next": next_url},
                                   data={"email": user.email, "password": DEFAULT_PASSWORD})
            assert response.status_code == 303
            assert response.headers["Location"] == expected
            # and once logged in, /login?next= sends you on the same way
            again = client.get("/login", query_string={"next": next_url})
            assert again.headers["Location"] == expected


def test_login_starts_a_new_session(client, auth):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["x"] = 1
    auth.login(user)
    with client.session_transaction() as session:
        assert "x" not in session
        assert session["_user_id"] == user.get_id()


# --- logout -------------------------------------------------------------------------------

def test_logout_is_post_only(client, auth):
    auth.login(make_user())
    assert client.get("/logout").status_code == 405
    assert logged_in(client)
    response = auth.logout()
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert not logged_in(client)


def test_logout_ends_every_session_and_remember_me_cookie(app, client, auth):
    user = make_user()
    auth.login(user, remember=True)
    other = app.test_client()
    AuthActions(other).login(user)
    remember_value = client.get_cookie("remember_token").value
    restored = _only_cookie(app, "remember_token", remember_value)
    assert logged_in(other) and logged_in(restored)

    auth.logout()

    assert not logged_in(client)
    assert not logged_in(other)
    assert not logged_in(restored)
    assert not logged_in(_only_cookie(app, "remember_token", remember_value))


def _only_cookie(app, key, value):
    fresh = app.test_client()
    fresh.set_cookie(key, value)
    return fresh


def test_deactivation_ends_existing_sessions(app, client, auth):
    from app.accounts import services

    user, admin = make_user(), make_user(is_admin=True)
    auth.login(user, remember=True)
    assert logged_in(client)
    services.deactivate_user(admin, user)
    db.session.commit()
    assert not logged_in(client)
    assert not logged_in(_only_cookie(app, "remember_token",
                                      client.get_cookie("remember_token").value))


# --- change password ----------------------------------------------------------------------

def change(client, current=DEFAULT_PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/settings/password", data={
        "current_password": current, "new_password": new,
        "confirm_password": new if confirm is None else confirm})


def test_change_password_keeps_this_session_and_ends_the_others(app, client, auth):
    user = make_user()
    auth.login(user)
    other = app.test_client()
    AuthActions(other).login(user, remember=True)
    response = change(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/settings"
    assert logged_in(client)
    assert not logged_in(other)
    assert not logged_in(_only_cookie(app, "remember_token",
                                      other.get_cookie("remember_token").value))
    db.session.refresh(user)
    assert passwords.verify_password(user.password_hash, NEW_PASSWORD)
    assert auth.logout().status_code == 303
    assert auth.login(user, DEFAULT_PASSWORD).status_code == 200
    assert auth.login(user, NEW_PASSWORD).status_code == 303


PASSWORD_PROBLEMS = [  # current, new, confirm, the field with the message, the message
    ("wrong password here", NEW_PASSWORD, None, "current_password", "isn't your current"),
    (DEFAULT_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "confirm_password", "don't match"),
    (DEFAULT_PASSWORD, "password1234", None, "new_password", "less common password"),
    (DEFAULT_PASSWORD, "short", None, "new_password", "at least 10"),
    (DEFAULT_PASSWORD, DEFAULT_PASSWORD, None, "new_password", "different from the current"),
]


def test_change_password_problems_are_shown_next_to_the_field(client, auth, subtests):
    user = make_user()
    old_hash, old_token = user.password_hash, user.session_token
    auth.login(user)
    for current, new, confirm, field, message in PASSWORD_PROBLEMS:
        with subtests.test(field=field, message=message):
            response = change(client, current, new, confirm)
            assert response.status_code == 200
            assert message in field_error(response.text, field)
            db.session.refresh(user)
            assert (user.password_hash, user.session_token) == (old_hash, old_token)
            assert logged_in(client)


def test_a_failed_password_change_does_not_blank_the_profile_form(client, auth):
    make_user(open_to_swaps=True, job_title="Welder", email="w@example.com")
    auth.login("w@example.com")
    response = change(client, current="wrong password here")
    assert input_value(response.text, "job_title") == "Welder"
    assert re.search(r'<input[^>]*checked[^>]*id="open_to_swaps"|'
                     r'<input[^>]*id="open_to_swaps"[^>]*checked', response.text)


def test_change_password_needs_a_fresh_login(app, client, auth):
    user = make_user()
    auth.login(user, remember=True)
    restored = _only_cookie(app, "remember_token", client.get_cookie("remember_token").value)
    assert logged_in(restored)  # from the remember-me cookie: logged in, but not fresh

    response = change(restored)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    db.session.refresh(user)
    assert passwords.verify_password(user.password_hash, DEFAULT_PASSWORD)

    # Re-authenticating must be possible from that stale session.
    login_page = restored.get(response.headers["Location"])
    assert login_page.status_code == 200
    assert 'name="password"' in login_page.text
    assert AuthActions(restored).login(user).status_code == 303
    assert change(restored).status_code == 303
    db.session.refresh(user)
    assert passwords.verify_password(user.password_hash, NEW_PASSWORD)


def test_settings_need_a_login(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/settings"
    assert client.post("/settings", data={}).status_code == 302
    assert client.post("/settings/password", data={}).status_code == 302
