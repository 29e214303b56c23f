"""The marketplace's page cache never shows stale data: whoever changes an offer, a skill, a
category or a person's listed details — through a form, a service, a bulk statement or
another worker — the next page shows it. Changes nobody sees, and rolled-back ones, keep the
cache warm."""

from __future__ import annotations

import re
from contextlib import suppress

import pytest
from sqlalchemy import select, update

from app import create_app
from app.accounts import services as account_services
from app.core.cache import page_cache
from app.core.generations import CacheGeneration
from app.extensions import db
from app.offers import services as offer_services
from app.offers.models import LEARN, TEACH, Offer
from tests.conftest import HTMX, AuthActions, IsolatedClient
from tests.factories import make_admin, make_user
from tests.offers.factories import make_category, make_offer, make_skill
from tests.offers.test_marketplace import listed_ids
from tests.support.queries import count_queries, recorded_statements

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


# -- Changes through the site's own forms --------------------------------------------------


def test_a_new_offer_posted_through_the_form_shows_on_a_cached_page(client, viewer, owner,
                                                                   owner_client):
    make_offer(skill="SQL")
    assert generation() is not None
    assert_cached(client)
    before = generation()

    response = owner_client.post("/offers/new", data={
        "kind": "teach", "skill": "Watercolour painting", "level": "beginner",
        "formats": ["group"], "capacity": "4", "availability": "Fridays",
        "description": "Brushes provided."})
    assert response.status_code == 303, response.text
    new = db.session.scalar(select(Offer).where(Offer.user_id == owner.id))
    assert new is not None

    assert generation() != before
    body = client.get("/offers/").text
    assert listed_ids(body)[0] == new.id
    assert "Watercolour painting" in body
    assert result_count(body).startswith("2 offers")
    # The filter form (cached separately) offers the new skill too.
    assert '<option value="watercolour-painting">Watercolour painting</option>' in body


def test_pausing_and_closing_an_offer_take_it_off_a_cached_page(client, viewer, owner,
                                                                owner_client):
    paused, closed = make_offer(owner, skill="SQL"), make_offer(owner, skill="Excel")
    stays = make_offer(skill="Go")
    assert_cached(client)
    assert sorted(listed_ids(client.get("/offers/").text)) == sorted(
        [paused.id, closed.id, stays.id])

    assert owner_client.post(f"/offers/{paused.id}/pause").status_code == 303
    assert sorted(listed_ids(client.get("/offers/").text)) == sorted([closed.id, stays.id])
    assert_cached(client)

    assert owner_client.post(f"/offers/{closed.id}/close").status_code == 303
    body = client.get("/offers/").text
    assert listed_ids(body) == [stays.id]
    # Excel has no listed offer any more: the cached filter form drops it.
    assert ">Excel</option>" not in body and ">Go</option>" in body

    assert owner_client.post(f"/offers/{paused.id}/reopen").status_code == 303
    assert sorted(listed_ids(client.get("/offers/").text)) == sorted([paused.id, stays.id])


def _profile_form(user, **changes) -> dict:
    data = {"display_name": user.display_name, "handle": user.handle,
            "job_title": user.job_title or "", "department": user.department or "",
            "location": user.location or "", "timezone": user.timezone,
            "bio_md": user.bio_md or ""}
    data.update(changes)
    return data


def test_a_new_name_and_department_from_the_settings_form_show(client, viewer, owner, owner_client):
    offer = make_offer(owner, skill="SQL")
    assert_cached(client)
    assert_cached(client, "/offers/?department=Sales")
    assert "Olive Owner</a> · Sales" in client.get("/offers/").text

    response = owner_client.post("/settings", data=_profile_form(
        owner, display_name="Olive Renamed", department="Finance"))
    assert response.status_code == 303, response.text

    body = client.get("/offers/").text
    assert listed_ids(body) == [offer.id]
    assert "Olive Renamed</a> · Finance" in body and "Olive Owner" not in body
    # The department choices in the (cached) filter form follow.
    assert '<option value="Finance">Finance</option>' in body
    assert '<option value="Sales">Sales</option>' not in body
    assert listed_ids(client.get("/offers/?department=Sales").text) == []
    assert listed_ids(client.get("/offers/?department=Finance").text) == [offer.id]


def test_a_new_handle_changes_the_profile_link(client, viewer, owner):
    make_offer(owner, skill="SQL")
    assert_cached(client)
    old = f'href="/people/{owner.handle}"'
    assert old in client.get("/offers/").text
    account_services.update_profile(owner, handle="olive-new")
    db.session.commit()
    body = client.get("/offers/").text
    assert 'href="/people/olive-new"' in body and old not in body


def test_an_admin_renaming_a_skill_or_category_shows_the_new_names(client, viewer, admin_client):
    data = make_category("Data")
    skill = make_skill("Structured Query Language", category=data)
    make_offer(skill=skill)
    assert_cached(client)
    assert_cached(client, "/offers/?category=data")

    response = admin_client.post(f"/admin/skills/{skill.id}/rename", data={"name": "SQL"})
    assert response.status_code == 303, response.text
    body = client.get("/offers/").text
    assert ">SQL</a>" in body and "Structured Query Language" not in body
    assert '<option value="sql">SQL</option>' in body  # the filter form follows

    response = admin_client.post(f"/admin/skills/categories/{data.id}",
                                 data={"name": "Data & analytics"})
    assert response.status_code == 303, response.text
    body = client.get("/offers/?category=data").text
    assert "Data &amp; analytics" in body


def test_deactivating_someone_hides_their_offers(client, viewer, owner, admin_client):
    hidden = make_offer(owner, skill="SQL")
    stays = make_offer(skill="Go")
    assert_cached(client)
    assert sorted(listed_ids(client.get("/offers/").text)) == sorted([hidden.id, stays.id])

    response = admin_client.post(f"/admin/users/{owner.id}/deactivate")
    assert response.status_code == 303
    body = client.get("/offers/").text
    assert listed_ids(body) == [stays.id]
    assert '<option value="Sales">Sales</option>' not in body  # nobody active is in Sales

    response = admin_client.post(f"/admin/users/{owner.id}/reactivate")
    assert response.status_code == 303
    assert sorted(listed_ids(client.get("/offers/").text)) == sorted([hidden.id, stays.id])


def test_a_new_person_and_a_deleted_offer_count_as_changes(client, viewer):
    offer = make_offer(skill="SQL")
    assert_cached(client)
    before = generation()
    make_user(department="Brand new department")  # an insert always counts
    assert generation() != before
    # The department choices list every active person's department, offers or not.
    assert ('<option value="Brand new department">Brand new department</option>'
            in client.get("/offers/").text)

    assert_cached(client)
    before = generation()
    db.session.delete(offer)
    db.session.commit()
    assert generation() != before
    assert listed_ids(client.get("/offers/").text) == []


# -- Changes the ORM does not see ----------------------------------------------------------


def test_a_bulk_update_of_offers_moves_the_generation(client, viewer):
    offer = make_offer(skill="SQL", capacity=3)
    assert "3 of 3 seats free" in client.get("/offers/").text
    assert_cached(client)
    before = generation()

    # As accepting an exchange does: one UPDATE statement, no object in the session changes.
    db.session.execute(update(Offer).where(Offer.id == offer.id, Offer.seats_taken < 3)
                       .values(seats_taken=Offer.seats_taken + 1))
    db.session.commit()

    assert generation() != before
    body = client.get("/offers/").text
    assert "2 of 3 seats free" in body and "3 of 3 seats free" not in body


def test_a_bulk_update_of_people_moves_the_generation(client, viewer, owner):
    make_offer(owner, skill="SQL")
    assert_cached(client)
    db.session.execute(update(type(owner)).where(type(owner).id == owner.id)
                       .values(display_name="Bulk Renamed"))
    db.session.commit()
    assert "Bulk Renamed" in client.get("/offers/").text


def test_a_change_committed_by_another_worker_shows(app, app_config, client, viewer, owner):
    offer = make_offer(owner, skill="SQL")
    assert_cached(client)

    other = create_app(app_config)  # another gunicorn worker: its own cache, same database
    other.test_client_class = IsolatedClient
    try:
        other_owner = login(other.test_client(), owner)
        assert other_owner.get("/offers/").status_code == 200  # fills the other cache too
        assert other_owner.post(f"/offers/{offer.id}/pause").status_code == 303
        assert listed_ids(other_owner.get("/offers/").text) == []
    finally:
        with other.app_context():
            db.engine.dispose()

    # This worker never saw the change happen, yet its next page is right.
    assert listed_ids(client.get("/offers/").text) == []
    assert "No open offers match" in client.get("/offers/").text


# -- What must not move the generation -----------------------------------------------------


def test_a_rolled_back_change_keeps_the_page_and_the_generation(client, viewer):
    offer = make_offer(skill="SQL")
    assert_cached(client)
    before = generation()

    offer.status = "paused"
    db.session.flush()
    db.session.rollback()

    assert generation() == before
    assert count_queries(client, "/offers/") <= CACHED_QUERIES
    assert listed_ids(client.get("/offers/").text) == [offer.id]


def test_a_rolled_back_change_is_forgotten_by_the_next_commit(client, viewer):
    offer = make_offer(skill="SQL")
    assert_cached(client)
    before = generation()

    offer.status = "paused"
    db.session.flush()
    db.session.rollback()
    account_services.update_profile(viewer, bio_md="Unrelated, and nobody lists it.")
    db.session.commit()

    assert generation() == before


def test_a_change_to_something_nobody_lists_keeps_the_cache(client, viewer, owner, owner_client):
    make_offer(owner, skill="SQL")
    assert_cached(client)
    before = generation()

    response = owner_client.post("/settings", data=_profile_form(
        owner, bio_md="I paint on weekends.", job_title="Painter", location="Leeds"))
    assert response.status_code == 303, response.text
    db.session.refresh(owner)
    assert owner.bio_md == "I paint on weekends." and owner.job_title == "Painter"

    assert generation() == before
    assert count_queries(client, "/offers/") <= CACHED_QUERIES


def test_an_earlier_change_survives_a_rolled_back_savepoint(client, viewer):
    offer = make_offer(skill="SQL")
    assert_cached(client)
    before = generation()

    offer.status = "paused"
    db.session.flush()
    with suppress(RuntimeError), db.session.begin_nested():
        account_services.update_profile(viewer, bio_md="Never saved.")
        raise RuntimeError("roll the savepoint back")
    db.session.commit()

    assert generation() != before
    assert listed_ids(client.get("/offers/").text) == []


def test_an_unflushed_change_survives_a_rolled_back_savepoint(client, viewer):
    """begin_nested() flushes what came before it; that flush must still count."""
    offer = make_offer(skill="SQL")
    assert_cached(client)

    offer.status = "closed"
    nested = db.session.begin_nested()
    nested.rollback()
    db.session.commit()

    assert listed_ids(client.get("/offers/").text) == []


def test_an_earlier_change_survives_a_rolled_back_savepoint_around_a_service(client, viewer):
    offer = make_offer(skill="SQL")
    assert_cached(client)
    before = generation()

    offer.status = "paused"
    db.session.flush()
    # A service that saves in a savepoint of its own (most do), inside one that fails.
    with suppress(RuntimeError), db.session.begin_nested():
        offer_services.create_offer(viewer, kind=LEARN, skill_name="Go", level="beginner",
                                    formats=["async"])
        raise RuntimeError("roll the outer savepoint back")
    db.session.commit()

    assert db.session.get(Offer, offer.id).status == "paused"
    assert listed_ids(client.get("/offers/").text) == []
    assert generation() != before


# -- Per person, per setting, per kind of request ------------------------------------------


def test_best_match_is_each_persons_own(app, client, viewer):
    other = make_user(display_name="Second Viewer", department="Engineering")
    other_client = login(app.test_client(), other)
    mine = make_offer(viewer, kind=TEACH, skill="SQL")
    theirs = make_offer(other, kind=TEACH, skill="Python")
    wants_sql = make_offer(make_user(department="Engineering"), kind=LEARN, skill="SQL")
    wants_python = make_offer(make_user(department="Engineering"), kind=LEARN,
                              skill="Python")
    path = "/offers/?sort=match"

    # Complements first, own offers last; newest first otherwise.
    assert listed_ids(client.get(path).text) == [wants_sql.id, wants_python.id, theirs.id,
                                                 mine.id]
    assert listed_ids(other_client.get(path).text) == [wants_python.id, wants_sql.id,
                                                       mine.id, theirs.id]
    # Both are cached, each under its own person.
    assert count_queries(client, path) <= CACHED_QUERIES
    assert count_queries(other_client, path) <= CACHED_QUERIES
    assert listed_ids(client.get(path).text)[0] == wants_sql.id
    assert listed_ids(other_client.get(path).text)[0] == wants_python.id
    # Newest first is the same for everyone, so one entry serves both.
    client.get("/offers/")
    assert count_queries(other_client, "/offers/") <= CACHED_QUERIES


def test_best_match_follows_a_change_to_the_viewers_own_offers(client, viewer):
    wants_sql = make_offer(make_user(), kind=LEARN, skill="SQL")
    wants_go = make_offer(make_user(), kind=LEARN, skill="Go")
    path = "/offers/?sort=match"
    assert listed_ids(client.get(path).text) == [wants_go.id, wants_sql.id]
    assert_cached(client, path)
    make_offer(viewer, kind=TEACH, skill="SQL")
    assert listed_ids(client.get(path).text)[0] == wants_sql.id


def test_page_cache_entries_zero_turns_the_cache_off(app, client, viewer):
    app.config["PAGE_CACHE_ENTRIES"] = 0
    offer = make_offer(skill="SQL")
    assert generation() is not None
    first = count_queries(client, "/offers/")
    again = count_queries(client, "/offers/")
    assert again == first and again > CACHED_QUERIES
    assert listed_ids(client.get("/offers/").text) == [offer.id]


def test_nothing_is_cached_before_the_first_change(client, viewer):
    # make_user's inserts moved the generation; a database that never saw a change (as
    # after an upgrade) has no row yet.
    db.session.execute(CacheGeneration.__table__.delete())
    db.session.commit()
    assert generation() is None
    first = count_queries(client, "/offers/")
    assert count_queries(client, "/offers/") == first > CACHED_QUERIES


def test_a_small_cache_drops_old_entries_but_stays_correct(app, client, viewer):
    app.config["PAGE_CACHE_ENTRIES"] = 2
    offers = [make_offer(kind=LEARN), make_offer(kind=TEACH)]
    paths = ["/offers/?kind=learn", "/offers/?kind=teach", "/offers/"]
    for _ in range(2):
        for path, expected in zip(paths, ([offers[0].id], [offers[1].id],
                                          [offers[1].id, offers[0].id]), strict=True):
            assert listed_ids(client.get(path).text) == expected
    assert 0 < len(page_cache()) <= 2


def test_the_results_always_match_the_filters_the_page_shows(client, viewer):
    teach, learn = make_offer(kind=TEACH), make_offer(kind=LEARN)
    assert listed_ids(client.get("/offers/?kind=teach&kind=learn").text) == [teach.id]
    page = client.get("/offers/?kind=learn&kind=teach").text
    assert '<option value="learn" selected>' in page  # the filter form says "learning"…
    assert listed_ids(page) == [learn.id]  # …and so must the results


def test_the_htmx_fragment_and_the_full_page_agree(client, viewer):
    first = make_offer(skill="SQL")
    path = "/offers/?kind=teach"
    page = client.get(path).text  # fills the cache
    with recorded_statements() as statements:
        fragment = client.get(path, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert len(statements) <= CACHED_QUERIES  # the same cached results…
    assert fragment.text.strip() and fragment.text.strip() in page  # …shown in the page

    # After a change, whichever comes first fills the cache for the other.
    second = make_offer(skill="Go")
    fragment = client.get(path, headers=HTMX).text
    assert listed_ids(fragment) == [second.id, first.id]
    page = client.get(path).text
    assert fragment.strip() in page
    assert listed_ids(page) == [second.id, first.id]
