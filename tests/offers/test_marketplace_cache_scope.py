"""The marketplace's page cache, part two: what must not move the generation (rollbacks,
savepoints, columns nobody lists), and what is each person's own or each setting's
(best match, the cache switched off or small, htmx fragments). Part one:
test_marketplace_cache.py."""

from __future__ import annotations

from contextlib import suppress

from app.accounts import services as account_services
from app.core.cache import page_cache
from app.core.generations import CacheGeneration
from app.extensions import db
from app.offers import services as offer_services
from app.offers.models import LEARN, TEACH, Offer
from tests.conftest import HTMX
from tests.factories import make_user
from tests.offers.cache_support import (
    CACHED_QUERIES,
    assert_cached,
    generation,
    login,
    profile_form,
)
from tests.offers.factories import make_offer
from tests.offers.test_marketplace import listed_ids
from tests.support.queries import count_queries, recorded_statements

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

    response = owner_client.post("/settings", data=profile_form(
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
