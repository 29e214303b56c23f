"""Admin pages: access, overview counts, the user list, deactivating and reactivating."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification
from tests.conftest import HTMX
from tests.factories import DEFAULT_PASSWORD, make_admin, make_user

ROW_HANDLE = re.compile(r'<span class="muted">@([a-z0-9_-]+)</span>')


@pytest.fixture
def admin(auth):
    user = make_admin(display_name="Ada Admin", handle="ada")
    auth.login(user)
    return user


def _handles(response) -> list[str]:
    return ROW_HANDLE.findall(response.get_data(as_text=True))


def _stat(html: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(?:<a [^>]*>)?(\d+)", html)
    assert match, label
    return match.group(1)


def _login(app, user, password=DEFAULT_PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": password})
    return client, response


@pytest.mark.parametrize("path", ["/admin/", "/admin/users", "/admin/users?state=all"])
def test_admin_pages_need_an_admin(app, client, auth, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(make_user())
    assert client.get(path).status_code == 403
    assert client.get(path, headers=HTMX).status_code == 403


def test_members_cannot_change_accounts(app, client, auth):
    victim = make_user()
    auth.login(make_user())
    assert client.post(f"/admin/users/{victim.id}/deactivate").status_code == 403
    db.session.rollback()
    assert db.session.get(User, victim.id).active
    anonymous = app.test_client().post(f"/admin/users/{victim.id}/deactivate")
    assert anonymous.status_code == 302


def test_overview_shows_counts(client, admin):
    week_ago = utcnow() - timedelta(days=8)
    make_user(department="Sales", open_to_mentoring=True)
    make_user(department="Sales", created_at=week_ago)
    make_user(department="", created_at=week_ago)
    make_user(department="Sales", active=False)
    html = client.get("/admin/").get_data(as_text=True)
    assert _stat(html, "Active accounts") == "4"
    assert _stat(html, "Deactivated accounts") == "1"
    assert _stat(html, "Administrators") == "1"
    assert _stat(html, "Joined in the last 7 days") == "2"
    assert _stat(html, "Logged in in the last 7 days") == "1"
    assert _stat(html, "Open to mentoring, learning or swaps") == "1"
    assert "<td>Sales</td><td class=\"num\">2</td>" in html
    assert "<td>No department</td>" in html
    fragment = client.get("/admin/", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "Active accounts" in fragment


def test_user_list_filters_by_text_and_state(client, admin):
    make_user(display_name="Bea Baker", handle="bea", email="bea@example.com")
    make_user(display_name="Cal Cole", handle="cal", email="cal@corp.example")
    make_user(display_name="Dee Dormant", handle="dee", active=False)
    assert _handles(client.get("/admin/users")) == ["ada", "bea", "cal"]
    assert _handles(client.get("/admin/users?q=bea")) == ["bea"]
    assert _handles(client.get("/admin/users?q=@cal")) == ["cal"]
    assert _handles(client.get("/admin/users?q=corp.example")) == ["cal"]
    assert _handles(client.get("/admin/users?q=%25")) == []  # LIKE wildcards are literal
    assert _handles(client.get("/admin/users?state=deactivated")) == ["dee"]
    assert _handles(client.get("/admin/users?state=all")) == ["ada", "bea", "cal", "dee"]
    assert _handles(client.get("/admin/users?state=bogus")) == ["ada", "bea", "cal"]
    fragment = client.get("/admin/users?q=bea", headers=HTMX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert _handles(fragment) == ["bea"]
    html = client.get("/admin/users?q=nobody").get_data(as_text=True)
    assert "No accounts match." in html and "0 accounts" in html


def test_user_list_paginates(client, admin):
    for n in range(5):
        make_user(display_name=f"Member {n}", handle=f"member{n}")
    first = client.get("/admin/users?per_page=4")
    assert _handles(first) == ["ada", "member0", "member1", "member2"]
    assert "6 accounts" in first.get_data(as_text=True)
    assert _handles(client.get("/admin/users?per_page=4&page=2")) == ["member3", "member4"]
    assert _handles(client.get("/admin/users?per_page=4&page=9")) == []


def test_deactivating_ends_access_everywhere(app, client, admin):
    person = make_user(display_name="Finn Former", handle="finn")
    their_client, response = _login(app, person)
    assert response.status_code == 303
    member_client, _ = _login(app, make_user())
    assert their_client.get("/settings").status_code == 200

    response = client.post(f"/admin/users/{person.id}/deactivate")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users"
    assert "Finn Former is deactivated" in client.get("/admin/users").get_data(as_text=True)

    assert their_client.get("/settings").status_code == 302  # the old session is over
    _, again = _login(app, person)
    assert again.status_code == 200  # the form again, with an error
    assert "match an active account" in again.get_data(as_text=True)
    assert "finn" not in _handles(member_client.get("/people/?per_page=100"))
    assert "Finn Former" not in member_client.get("/people/?q=finn").get_data(as_text=True)
    assert member_client.get("/people/finn").status_code == 404
    assert client.get("/people/finn").status_code == 200  # admins still see it
    assert _handles(client.get("/admin/users?state=deactivated")) == ["finn"]


def test_reactivating_lets_them_back_in_with_a_notification(app, client, admin):
    person = make_user(display_name="Gil Gone", handle="gil", active=False,
                       deactivated_at=utcnow())
    assert _login(app, person)[1].status_code == 200
    response = client.post(f"/admin/users/{person.id}/reactivate")
    assert response.status_code == 303
    assert "Gil Gone is active again." in client.get("/admin/users").get_data(as_text=True)
    their_client, response = _login(app, person)
    assert response.status_code == 303
    note = db.session.scalar(select(Notification).where(Notification.user_id == person.id))
    assert note.kind == "account" and note.actor_id == admin.id
    assert "reactivated" in their_client.get("/notifications/").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(User, person.id).deactivated_at is None


def test_state_changes_that_make_no_sense_are_explained(client, admin):
    active = make_user(display_name="Hal Here")
    response = client.post(f"/admin/users/{active.id}/reactivate")
    assert response.status_code == 303
    assert "Hal Here is already active." in client.get("/admin/users").get_data(as_text=True)
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_an_admin_cannot_deactivate_themselves(client, admin):
    response = client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 303
    html = client.get("/admin/users").get_data(as_text=True)
    assert "You can&#39;t deactivate your own account." in html
    db.session.rollback()
    assert db.session.get(User, admin.id).active
    assert client.get("/admin/").status_code == 200  # still logged in


@pytest.mark.parametrize("next_url, expected", [
    ("/admin/users?state=deactivated&q=finn", "/admin/users?state=deactivated&q=finn"),
    ("/admin/users?q=Customer%20Success", "/admin/users?q=Customer%20Success"),
    ("/people/", "/people/"),
    ("https://evil.example/admin", "/admin/users"),
    ("//evil.example/admin", "/admin/users"),
    ("/\\evil.example", "/admin/users"),
    ("javascript:alert(1)", "/admin/users"),
    ("/admin/users/1/deactivate", "/admin/users"),  # not a page you can GET
])
def test_next_only_redirects_to_our_own_pages(client, admin, next_url, expected):
    person = make_user()
    response = client.post(f"/admin/users/{person.id}/deactivate", data={"next": next_url})
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_the_list_form_sends_the_current_page_as_next(client, admin):
    make_user(handle="ivy")
    html = client.get("/admin/users?q=ivy&state=active").get_data(as_text=True)
    assert 'name="next" value="/admin/users?q=ivy&amp;state=active"' in html
    assert f'action="/admin/users/{admin.id}/deactivate"' not in html  # no button for oneself
