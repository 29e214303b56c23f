"""The marketplace's page cache never shows stale data: whoever changes an offer, a skill, a
category or a person's listed details — through a form, a service, a bulk statement or
another worker — the next page shows it. Changes nobody sees, and rolled-back ones, keep the
cache warm."""

from __future__ import annotations

from sqlalchemy import select, update

from app import create_app
from app.accounts import services as account_services
from app.extensions import db
from app.offers.models import Offer
from tests.conftest import IsolatedClient
from tests.factories import make_user
from tests.offers.cache_support import (
    assert_cached,
    generation,
    login,
    profile_form,
    result_count,
)
from tests.offers.factories import make_category, make_offer, make_skill
from tests.offers.test_marketplace import listed_ids

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


def test_a_new_name_and_department_from_the_settings_form_show(client, viewer, owner, owner_client):
    offer = make_offer(owner, skill="SQL")
    assert_cached(client)
    assert_cached(client, "/offers/?department=Sales")
    assert "Olive Owner</a> · Sales" in client.get("/offers/").text

    response = owner_client.post("/settings", data=profile_form(
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
