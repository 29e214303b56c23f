"""Security headers, cookie flags, CSRF on every state change, safe `?next=`, body size."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from flask import g
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.security import is_safe_next
from app.extensions import db
from app.notifications.models import Notification
from tests.conftest import HTMX, shared_path
from tests.factories import DEFAULT_PASSWORD, make_admin, make_notification, make_user

TOKEN_IN_FORM = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN_IN_HX_HEADERS = re.compile(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""")
CSRF_MESSAGE = "Your form expired or came from somewhere else"


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    """The `app` fixture holds one app context for the whole test, so Flask's `g` (Flask-Login's
    user, Flask-WTF's token) would leak between requests and clients; real requests never
    share it."""
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.__dict__.clear())


class _PageInspector(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower(): value for name, value in attrs}
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("inline <style>")
        for name in names:
            if name.startswith("on") or name.startswith("hx-on") or name == "style":
                self.problems.append(f"<{tag} {name}=…>")
            if name.startswith("data-hx-on"):
                self.problems.append(f"<{tag} {name}=…>")


def inline_code(html: str) -> list[str]:
    inspector = _PageInspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_headers(response) -> None:
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    for values in csp.values():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def form_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = TOKEN_IN_FORM.search(html)
    assert match, f"no csrf_token field on {path}"
    return match.group(1)


def login_with_token(client, user) -> str:
    """Log in through the CSRF-protected form; returns the token of the new session."""
    token = form_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303
    return form_token(client, "/settings")


FORM_EXPIRED = "Your form expired. Check what you entered and submit it again."


def assert_form_came_back(response, *typed: str) -> None:
    """A form page refuses a missing token with a message on the form, keeping the input."""
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert FORM_EXPIRED in body
    for value in typed:
        assert f'value="{value}"' in body, value


def assert_csrf_refused(response) -> None:
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)


# --- Headers and markup -----------------------------------------------------------------


def test_every_page_we_render_has_strict_headers_and_no_inline_code(app, client, auth):
    admin = make_admin(department="Sales")
    member = make_user(bio_md="**Hi** — see [my notes](https://example.com/notes).",
                       department="Sales")
    make_notification(admin, text="Someone booked your session")
    pages = {}
    for path in ("/", "/login", "/register", "/no-such-page"):
        pages[path] = client.get(path)
    pages["GET /logout"] = client.get("/logout")
    auth.login(admin)
    for path in ("/", "/people/", f"/people/{member.handle}", "/settings", "/notifications/",
                 "/admin/", "/admin/users", "/no-such-page"):
        pages[f"admin {path}"] = client.get(path)
    pages["htmx /people/"] = client.get("/people/?q=Person", headers=HTMX)
    pages["htmx /notifications/badge"] = client.get("/notifications/badge", headers=HTMX)
    auth.logout()
    auth.login(member)
    pages["member /admin/"] = client.get("/admin/")

    expected = {"GET /logout": 405, "/no-such-page": 404, "admin /no-such-page": 404,
                "member /admin/": 403}
    for name, response in pages.items():
        assert response.status_code == expected.get(name, 200), name
        assert response.mimetype == "text/html", name
        assert_strict_headers(response)
        assert inline_code(response.get_data(as_text=True)) == [], name


def test_the_inspector_would_notice_inline_code():
    html = ('<script>alert(1)</script><p style="color:red" onclick="x()">'
            '<b hx-on:click="y()"></b><script src="/static/js/app.js"></script>')
    assert inline_code(html) == ["inline <script>", "<p style=…>", "<p onclick=…>",
                                 "<b hx-on:click=…>"]


# --- Cookies ----------------------------------------------------------------------------


def _cookie(response, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie set")


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(app, auth):
    user = make_user()
    response = auth.login(user, remember=True)
    assert response.status_code == 303
    for name in ("session", "remember_token"):
        cookie = _cookie(response, name)
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # plain http in development
    assert "Strict-Transport-Security" not in response.headers


class TestOverHttps:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}

    def test_cookies_are_secure(self, app, auth):
        response = auth.login(make_user(), remember=True)
        assert response.status_code == 303
        for name in ("session", "remember_token"):
            cookie = _cookie(response, name)
            assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# --- CSRF -------------------------------------------------------------------------------


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_state_changes_without_a_token_are_refused(self, app, client):
        admin = make_admin(display_name="Ada Admin")
        member = make_user()
        note = make_notification(admin)

        assert_form_came_back(client.post("/login", data={
            "email": admin.email, "password": DEFAULT_PASSWORD}), admin.email)
        assert client.get("/settings").status_code == 302  # still logged out
        assert_form_came_back(client.post("/register", data={
            "name": "Eve", "email": "eve@example.com", "password": DEFAULT_PASSWORD}),
            "Eve", "eve@example.com")

        login_with_token(client, admin)
        assert_form_came_back(client.post("/settings", data={
            "display_name": "Changed", "handle": admin.handle, "timezone": "UTC"}), "Changed")
        assert_form_came_back(client.post("/settings", data={
            "display_name": "Changed", "handle": admin.handle, "timezone": "UTC",
            "csrf_token": "forged-token"}), "Changed")
        for path, data in [
            ("/notifications/read-all", {}),
            (f"/admin/users/{member.id}/deactivate", {}),
            ("/logout", {}),
            ("/logout", {"csrf_token": "forged-token"}),
        ]:
            assert_csrf_refused(client.post(path, data=data))
        htmx_response = client.post("/notifications/read-all", headers=HTMX)
        assert_csrf_refused(htmx_response)
        assert "<html" not in htmx_response.get_data(as_text=True)

        db.session.rollback()
        assert client.get("/settings").status_code == 200  # the logout never happened
        assert db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.email == "eve@example.com")) == 0
        assert db.session.get(User, admin.id).display_name == "Ada Admin"
        assert db.session.get(User, member.id).active
        assert db.session.get(Notification, note.id).read_at is None

    def test_the_token_in_the_form_field_works(self, app, client):
        admin = make_admin()
        member = make_user()
        note = make_notification(admin)

        token = form_token(client, "/register")
        response = client.post("/register", data={
            "name": "Eve Newcomer", "email": "eve@example.com", "password": DEFAULT_PASSWORD,
            "csrf_token": token})
        assert response.status_code == 303
        client.post("/logout", data={"csrf_token": form_token(client, "/settings")})

        token = login_with_token(client, admin)
        assert client.post("/settings", data={
            "display_name": "Ada Changed", "handle": admin.handle, "timezone": "UTC",
            "csrf_token": token}).status_code == 303
        assert client.post("/notifications/read-all",
                           data={"csrf_token": token}).status_code == 303
        assert client.post(f"/admin/users/{member.id}/deactivate",
                           data={"csrf_token": token}).status_code == 303
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303

        db.session.rollback()
        assert db.session.scalar(select(User).where(User.email == "eve@example.com"))
        assert db.session.get(User, admin.id).display_name == "Ada Changed"
        assert db.session.get(Notification, note.id).read_at is not None
        assert not db.session.get(User, member.id).active
        assert client.get("/settings").status_code == 302

    def test_htmx_posts_carry_the_token_in_the_header(self, app, client):
        admin = make_admin()
        member = make_user()
        note = make_notification(admin)
        login_with_token(client, admin)
        page = client.get("/notifications/").get_data(as_text=True)
        header_token = TOKEN_IN_HX_HEADERS.search(page).group(1)  # what base.html sends

        headers = {**HTMX, "X-CSRFToken": header_token}
        response = client.post(f"/notifications/{note.id}/read?stay=1", headers=headers)
        assert response.status_code == 200
        assert response.get_data(as_text=True).lstrip().startswith("<li")
        response = client.post(f"/admin/users/{member.id}/deactivate", headers=headers)
        assert response.status_code == 303

        db.session.rollback()
        assert db.session.get(Notification, note.id).read_at is not None
        assert not db.session.get(User, member.id).active

    def test_a_get_never_changes_state(self, app, client):
        admin = make_admin()
        member = make_user()
        note = make_notification(admin)
        login_with_token(client, admin)
        for path in ("/logout", "/notifications/read-all", f"/notifications/{note.id}/read",
                     f"/admin/users/{member.id}/deactivate", "/settings/password"):
            assert client.get(path).status_code == 405, path
        anonymous = app.test_client()
        anonymous.get(f"/login?email={admin.email}&password={quote(DEFAULT_PASSWORD)}")
        assert anonymous.get("/settings").status_code == 302

        db.session.rollback()
        assert client.get("/settings").status_code == 200
        assert db.session.get(Notification, note.id).read_at is None
        assert db.session.get(User, member.id).active


# --- Open redirects ---------------------------------------------------------------------


def _open_redirect_payloads() -> list[str]:
    folder = shared_path("security", "open-redirect")
    payloads = []
    for path in sorted(folder.glob("*.txt")):
        payloads.extend(path.read_text(encoding="utf-8").splitlines())
    assert len(payloads) > 300
    return payloads


LEGIT_TARGETS = ["/people/", "/people/?department=Sales", "/settings", "/notifications/",
                 "/people", "/people/?department=Human%20Resources&q=ana"]


def test_no_open_redirect_payload_is_a_safe_next(app):
    payloads = _open_redirect_payloads()
    with app.test_request_context("/login"):
        allowed = [p for p in payloads if is_safe_next(p)]
        assert allowed == []
        assert [t for t in LEGIT_TARGETS if not is_safe_next(t)] == []


def test_login_never_redirects_off_site(app):
    make_user(email="walker@example.com")
    data = {"email": "walker@example.com", "password": DEFAULT_PASSWORD}
    for payload in _open_redirect_payloads():
        client = app.test_client()
        response = client.post(f"/login?next={quote(payload, safe='')}", data=data)
        assert response.status_code == 303, payload
        assert response.headers["Location"] == "/", payload
    # Already logged in: the GET shortcut is just as careful.
    response = client.get(f"/login?next={quote('//evil.example/x', safe='')}")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", LEGIT_TARGETS)
def test_login_follows_a_next_on_this_site(app, client, target):
    user = make_user()
    response = client.post(f"/login?next={quote(target, safe='')}",
                           data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == target


# --- Body size --------------------------------------------------------------------------


class TestBodySize:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "MAX_CONTENT_LENGTH": 4096}

    def test_a_body_over_the_limit_gets_the_413_page(self, app, client):
        response = client.post("/login", data={"email": "a@example.com", "password": "x" * 5000})
        assert response.status_code == 413
        html = response.get_data(as_text=True)
        assert "That was too large" in html and "Shorten it" in html
        assert inline_code(html) == []
        small = client.post("/login", data={"email": "a@example.com", "password": "x" * 100})
        assert small.status_code == 200
