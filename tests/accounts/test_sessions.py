"""Session edges: htmx requests without a session, cookies on logout, textarea line breaks."""

from app.accounts.models import BIO_MAX, User
from app.extensions import db
from tests.conftest import HTMX
from tests.factories import make_notification, make_user


def test_an_htmx_request_without_a_session_sends_the_whole_page_to_login(client):
    response = client.post("/notifications/read-all", headers={
        **HTMX, "HX-Current-URL": "http://localhost/people/?department=Sales"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login?next=/people/?department%3DSales"
    assert response.get_data() == b""


def test_an_htmx_request_from_a_foreign_page_gets_no_next(client):
    response = client.get("/people/", headers={
        **HTMX, "HX-Current-URL": "http://localhost//evil.example/"})
    assert response.headers["HX-Redirect"] == "/login"


def test_a_plain_request_without_a_session_is_redirected_with_a_message(client):
    response = client.get("/notifications/", follow_redirects=True)
    assert "Please log in to see that page." in response.get_data(as_text=True)


def test_logout_deletes_the_remember_me_cookie(app, client, auth):
    user = make_user()
    auth.login(user, remember=True)
    assert client.get_cookie("remember_token") is not None
    auth.logout()
    assert client.get_cookie("remember_token") is None


def test_mark_read_after_the_session_ended_does_not_change_anything(app, client, auth):
    user = make_user()
    note = make_notification(user)
    auth.login(user)
    auth.logout()
    response = client.post(f"/notifications/{note.id}/read", headers=HTMX)
    assert "HX-Redirect" in response.headers
    assert db.session.get(type(note), note.id).read_at is None


def test_a_bio_that_fits_the_box_fits_the_field_whatever_the_line_breaks(app, client, auth):
    """Browsers send textarea line breaks as CRLF: 19 of them must not push a bio that fits
    the box's maxlength over the limit."""
    user = make_user()
    auth.login(user)
    lines = ["x" * 99] * 20
    typed = "\r\n".join(lines)  # what the browser sends
    assert len(typed) > BIO_MAX >= len("\n".join(lines))
    response = client.post("/settings", data={
        "display_name": user.display_name, "handle": user.handle, "timezone": "UTC",
        "bio_md": typed})
    assert response.status_code == 303
    assert db.session.get(User, user.id).bio_md == "\n".join(lines)
