"""Every error is a human page (or an htmx fragment); domain errors map to their status."""

from __future__ import annotations

import logging

import pytest
from flask import abort, g
from sqlalchemy import func, select, text

from app.accounts.models import User
from app.core.errors import ERROR_TEXT, Conflict, Invalid, NotAllowed, NotFound
from app.extensions import db
from tests.conftest import HTMX, AuthActions
from tests.factories import make_user

SECRET_DETAIL = "db-password-hunter2-in-a-stack-frame"
DOMAIN_ERRORS = {
    "not-allowed": (NotAllowed("Only the host can cancel this workshop."), 403),
    "not-found": (NotFound("That workshop was cancelled and removed."), 404),
    "conflict": (Conflict("This seat was taken a moment ago."), 409),
    "invalid": (Invalid("title", "A title can't be empty."), 400),
}


@pytest.fixture
def app(app):
    """The app with a few test-only routes that fail in known ways."""

    def fail_with(code):
        abort(code)

    def crash():
        db.session.add(User(email="ghost@example.com", handle="ghost", display_name="Ghost"))
        db.session.flush()
        raise RuntimeError(SECRET_DETAIL)

    def database_crash():
        db.session.execute(text("SELECT * FROM no_such_table"))

    def domain(kind):
        raise DOMAIN_ERRORS[kind][0]

    app.add_url_rule("/_test/abort/<int:code>", "test_abort", fail_with)
    app.add_url_rule("/_test/crash", "test_crash", crash, methods=["GET", "POST"])
    app.add_url_rule("/_test/db-crash", "test_db_crash", database_crash)
    app.add_url_rule("/_test/domain/<kind>", "test_domain", domain)
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.__dict__.clear())
    return app


def _assert_human_page(response, status: int, *, fragment: bool = False) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    title, _ = ERROR_TEXT[status]
    assert f"<h1>{title.replace(chr(39), '&#39;')}</h1>" in html
    assert f"Error {status}" in html
    assert '<a href="/">Go to the home page</a>' in html
    assert ("<html" in html) is not fragment
    assert "Traceback" not in html and "werkzeug" not in html.lower()
    assert "Content-Security-Policy" in response.headers
    return html


@pytest.mark.parametrize("status", [400, 403, 404, 405, 409, 413, 429, 500])
def test_error_pages_are_human_and_link_home(client, status):
    response = client.get(f"/_test/abort/{status}")
    _assert_human_page(response, status)
    fragment = client.get(f"/_test/abort/{status}", headers=HTMX)
    _assert_human_page(fragment, status, fragment=True)


def test_real_404_and_405_pages(client):
    _assert_human_page(client.get("/no/such/page"), 404)
    _assert_human_page(client.get("/logout"), 405)
    _assert_human_page(client.post("/notifications/badge", headers=HTMX), 405, fragment=True)


def test_a_history_restore_gets_the_whole_page(client):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    _assert_human_page(client.get("/no/such/page", headers=headers), 404)


def test_logged_in_error_pages_keep_the_navigation(client, auth):
    user = make_user()
    auth.login(user)
    html = _assert_human_page(client.get("/no/such/page"), 404)
    assert f"@{user.handle}" in html


def test_unexpected_exception_rolls_back_and_leaks_nothing(app, client, caplog):
    with caplog.at_level(logging.ERROR):
        response = client.post("/_test/crash")
    html = _assert_human_page(response, 500)
    assert SECRET_DETAIL not in html and "RuntimeError" not in html
    assert "Something went wrong on our side" in html
    assert any(r.exc_info and SECRET_DETAIL in str(r.exc_info[1]) for r in caplog.records)

    db.session.commit()  # a flushed row the handler forgot would be committed here
    assert db.session.scalar(select(func.count()).select_from(User)) == 0

    fragment = client.get("/_test/crash", headers=HTMX)
    _assert_human_page(fragment, 500, fragment=True)
    assert SECRET_DETAIL not in fragment.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/_test/crash", "/_test/db-crash"])
def test_after_a_crash_the_next_request_works(client, auth, path):
    user = make_user()
    auth.login(user)
    html = _assert_human_page(client.get(path), 500)
    assert "no_such_table" not in html
    assert client.get("/settings").status_code == 200


@pytest.mark.parametrize("kind", sorted(DOMAIN_ERRORS))
def test_domain_errors_map_to_their_status_with_their_message(client, kind):
    error, status = DOMAIN_ERRORS[kind]
    html = _assert_human_page(client.get(f"/_test/domain/{kind}"), status)
    assert str(error).replace("'", "&#39;") in html
    fragment = _assert_human_page(client.get(f"/_test/domain/{kind}", headers=HTMX), status,
                                  fragment=True)
    assert str(error).replace("'", "&#39;") in fragment


def test_a_csrf_failure_is_a_human_400(app, client):
    """Buttons without a form (log out, mark read…) refuse a missing token with a page;
    form pages bring the form back instead (tests/core/test_security.py)."""
    make_user(email="a@example.com")
    AuthActions(client).login("a@example.com")  # CSRF is off until this test turns it on
    app.config["WTF_CSRF_ENABLED"] = True
    html = _assert_human_page(client.post("/logout"), 400)
    assert "Reload the page and submit it again" in html
