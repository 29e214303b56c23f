"""What the marketplace cache tests share: reading the committed generation, logging in,
checking a page is served from the cache, and the people involved (fixtures, registered in
this folder's conftest.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.core.generations import CacheGeneration
from app.extensions import db
from tests.conftest import AuthActions
from tests.factories import make_admin, make_user
from tests.support.queries import count_queries

AREA = "marketplace"
# A page served from the cache still loads the person, their unread count and the
# generation; building it runs several more (see test_marketplace.py).
CACHED_QUERIES = 3


def generation() -> int | None:
    """The committed generation, read on a connection of its own (not through the test's
    session or `flask.g`, which may remember an older value)."""
    with db.engine.connect() as conn:
        return conn.scalar(select(CacheGeneration.value).where(CacheGeneration.area == AREA))


def login(client, user):
    response = AuthActions(client).login(user)
    assert response.status_code in (302, 303), response.status_code
    return client


def assert_cached(client, path: str = "/offers/") -> None:
    """The page is warm: asking again only costs the per-request queries."""
    client.get(path)
    assert count_queries(client, path) <= CACHED_QUERIES


def result_count(body: str) -> str:
    return re.search(r'<p class="result-count">([^<]*)</p>', body).group(1)


@pytest.fixture
def viewer(client):
    """The person looking at the marketplace, logged in on `client`."""
    user = make_user(display_name="Viewer Person", department="Engineering")
    login(client, user)
    return user


@pytest.fixture
def owner(app):
    """Someone with offers."""
    return make_user(display_name="Olive Owner", department="Sales")


@pytest.fixture
def owner_client(app, owner):
    """The owner, logged in on a client of their own."""
    return login(app.test_client(), owner)


@pytest.fixture
def admin_client(app):
    return login(app.test_client(), make_admin(display_name="Ada Admin", department="IT"))


def profile_form(user, **changes) -> dict:
    data = {"display_name": user.display_name, "handle": user.handle,
            "job_title": user.job_title or "", "department": user.department or "",
            "location": user.location or "", "timezone": user.timezone,
            "bio_md": user.bio_md or ""}
    data.update(changes)
    return data
