"""Notifications: written by listeners in the sender's transaction; list, badge, marking read."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from app.core import signals
from app.core.db import utcnow
from app.extensions import db
from app.notifications import services
from app.notifications.models import Notification
from tests.conftest import HTMX
from tests.factories import DEFAULT_PASSWORD, make_notification, make_user

ITEM = re.compile(r'<li class="notification( unread)?" id="notification-(\d+)"')
EMPTY_STATE = "No notifications yet."


@pytest.fixture
def member(auth):
    user = make_user()
    auth.login(user)
    return user


def _items(response) -> list[tuple[int, bool]]:
    """(id, unread) of every notification on a page, in order."""
    return [(int(m.group(2)), bool(m.group(1)))
            for m in ITEM.finditer(response.get_data(as_text=True))]


def _note_count(**where) -> int:
    query = select(func.count()).select_from(Notification).filter_by(**where)
    return db.session.scalar(query)


@contextmanager
def count_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_registering_creates_a_welcome_notification(app, client):
    response = client.post("/register", data={
        "name": "Nia Newcomer", "email": "nia@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 303
    note = db.session.scalar(select(Notification))
    assert note.kind == "welcome" and note.url == "/settings" and note.read_at is None
    assert note.user.email == "nia@example.com"
    page = client.get("/notifications/")
    assert "Welcome to Skillswap!" in page.get_data(as_text=True)
    assert _items(page) == [(note.id, True)]


def test_listener_rows_share_the_senders_transaction(app):
    user = make_user()
    with app.test_request_context():
        signals.user_registered.send(user)
        assert _note_count(user_id=user.id) == 1  # flushed by autoflush, not committed
        db.session.rollback()
    assert _note_count(user_id=user.id) == 0
    with app.test_request_context():
        signals.user_registered.send(user)
    db.session.commit()
    assert _note_count(user_id=user.id, kind="welcome") == 1


def test_nobody_is_notified_of_their_own_action(app):
    user = make_user()
    assert services.notify(user, "test", "You did a thing", actor=user) is None
    assert services.notify(user, "test", "x" * 500).text.endswith("…")


def test_badge_shows_the_unread_count_and_nothing_when_zero(client, member):
    html = client.get("/notifications/badge", headers=HTMX).get_data(as_text=True)
    assert "badge-empty" in html and "unread" not in html
    assert not re.search(r"\d", html.split(">", 1)[1])
    for _ in range(3):
        make_notification(member)
    make_notification(member, read_at=utcnow())
    make_notification(make_user())  # someone else's
    html = client.get("/notifications/badge", headers=HTMX).get_data(as_text=True)
    assert ">3<span class=\"visually-hidden\"> unread</span>" in html
    assert "badge-empty" not in html
    assert "3<span" in client.get("/people/").get_data(as_text=True)  # the nav shows it too


def test_badge_caps_at_99(client, member):
    db.session.add_all(Notification(user=member, kind="test", text=f"n{i}") for i in range(120))
    db.session.commit()
    assert ">99+<" in client.get("/notifications/badge").get_data(as_text=True)


def test_a_badge_poll_after_the_session_ended_gets_an_empty_badge(app, client, member):
    make_notification(member)
    other_device = app.test_client()
    other_device.post("/login", data={"email": member.email, "password": DEFAULT_PASSWORD})
    other_device.post("/logout")  # logs out on every device
    response = client.get("/notifications/badge", headers=HTMX)
    assert response.status_code == 200  # not a redirect to the login page, swapped into the nav
    html = response.get_data(as_text=True)
    assert "<html" not in html and "badge-empty" in html


def test_list_is_paginated_newest_first(client, member):
    start = utcnow() - timedelta(days=1)
    notes = [make_notification(member, text=f"Note {i}", created_at=start + timedelta(minutes=i),
                               commit=False) for i in range(35)]
    db.session.commit()
    newest_first = [n.id for n in reversed(notes)]

    first = client.get("/notifications/")
    assert [i for i, _ in _items(first)] == newest_first[:30]
    assert 'rel="next"' in first.get_data(as_text=True)
    second = client.get("/notifications/?page=2")
    assert [i for i, _ in _items(second)] == newest_first[30:]
    fragment = client.get("/notifications/?page=2", headers=HTMX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert [i for i, _ in _items(fragment)] == newest_first[30:]
    capped = client.get("/notifications/?per_page=100000")
    assert len(_items(capped)) == 35  # capped at MAX_PER_PAGE, never unbounded
    assert len(_items(client.get("/notifications/?page=abc"))) == 30


def test_empty_state(client, member):
    html = client.get("/notifications/").get_data(as_text=True)
    assert EMPTY_STATE in html and "Mark all" not in html


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_marking_one_read_goes_to_what_it_is_about(client, member):
    note = make_notification(member, url="/settings")
    response = client.post(f"/notifications/{note.id}/read")
    assert response.status_code == 303 and response.headers["Location"] == "/settings"
    db.session.rollback()
    assert db.session.get(Notification, note.id).read_at is not None


def test_marking_read_with_stay_returns_to_the_list(client, member):
    note = make_notification(member)
    response = client.post(f"/notifications/{note.id}/read?stay=1")
    assert response.status_code == 303 and response.headers["Location"] == "/notifications/"
    assert _items(client.get("/notifications/")) == [(note.id, False)]


def test_a_notification_link_off_site_is_never_followed(client, member):
    note = make_notification(member, url="https://evil.example/phish")
    response = client.post(f"/notifications/{note.id}/read")
    assert response.headers["Location"] == "/notifications/"


def test_htmx_mark_read_returns_the_item_and_a_trigger(client, member):
    note = make_notification(member)
    response = client.post(f"/notifications/{note.id}/read?stay=1", headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "notifications-changed"
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="notification" id="notification-{note.id}"')
    assert "<html" not in html and "Mark as read" not in html
    again = client.post(f"/notifications/{note.id}/read?stay=1", headers=HTMX)
    assert again.status_code == 200  # marking twice is harmless


def test_someone_elses_notification_is_404_and_unchanged(client, member):
    theirs = make_notification(make_user())
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post(f"/notifications/{theirs.id}/read", headers=HTMX).status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    db.session.rollback()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_mark_all_read_only_touches_mine(client, member):
    mine = [make_notification(member) for _ in range(3)]
    theirs = make_notification(make_user())
    response = client.post("/notifications/read-all")
    assert response.status_code == 303
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Marked 3 notifications as read." in page
    db.session.rollback()
    assert all(db.session.get(Notification, n.id).read_at for n in mine)
    assert db.session.get(Notification, theirs.id).read_at is None
    client.post("/notifications/read-all")
    assert "You had no unread notifications." in client.get("/notifications/").get_data(
        as_text=True)


def test_list_query_count_does_not_grow_with_notifications(client, member):
    make_notification(member)
    db.session.expire_all()  # both measured requests start from a cold identity map
    with count_queries() as few:
        assert client.get("/notifications/").status_code == 200
    db.session.add_all(Notification(user=member, actor=make_user(commit=False), kind="test",
                                    text=f"n{i}", url="/settings") for i in range(29))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        assert len(_items(client.get("/notifications/"))) == 30
    assert len(many) == len(few) <= 6, many
