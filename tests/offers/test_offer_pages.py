"""Posting, reading, editing, pausing, reopening and closing offers through HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.offers.models import CLOSED, LEARN, OPEN, PAUSED, TEACH, Offer
from tests.accounts.test_people import field_error, typed_value
from tests.conftest import shared_path
from tests.factories import make_admin, make_user
from tests.offers.factories import make_category, make_offer, make_skill

FORM = {"kind": "teach", "skill": "SQL", "level": "advanced", "formats": ["one_to_one", "group"],
        "capacity": "4", "availability": "Tuesday afternoons",
        "description": "Joins, **window functions**, query plans."}


@pytest.fixture
def me(auth):
    user = make_user(display_name="Me Myself", handle="me", department="Engineering")
    auth.login(user)
    return user


def _offers() -> int:
    return db.session.scalar(select(func.count()).select_from(Offer))


def test_offer_pages_need_login(client):
    offer = make_offer()
    for path in ("/offers/new", f"/offers/{offer.id}", f"/offers/{offer.id}/edit"):
        assert client.get(path).status_code == 302
    assert client.post(f"/offers/{offer.id}/close").status_code == 302


def test_the_form_is_prefilled_from_the_link(client, me):
    response = client.get("/offers/new?kind=learn&skill=Public+speaking")
    assert response.status_code == 200
    assert typed_value(response.text, "skill") == "Public speaking"
    assert '<input checked id="kind-1" name="kind" required type="radio" value="learn">' in (
        response.text)
    assert 'maxlength="60"' in response.text and 'maxlength="200"' in response.text
    assert 'maxlength="4000"' in response.text
    # Odd prefills are dropped, not shown or failed on.
    odd = client.get("/offers/new?kind=mentor&skill=%1b%5b31m")
    assert odd.status_code == 200 and typed_value(odd.text, "skill") in (None, "")


def test_post_an_offer_and_read_it(client, me):
    make_skill("SQL", category=make_category("Data"))
    response = client.post("/offers/new", data=FORM)
    assert response.status_code == 303
    offer = db.session.scalar(select(Offer))
    assert response.headers["Location"].endswith(f"/offers/{offer.id}")
    page = client.get(f"/offers/{offer.id}")
    assert page.status_code == 200
    text = page.text
    assert "Can teach" in text and 'href="/skills/sql"' in text and "Data" in text
    assert 'href="/people/me"' in text and "Me Myself" in text
    assert "Advanced" in text and "1:1, Group session" in text
    assert "4 of 4 free" in text and "Tuesday afternoons" in text
    assert "<strong>window functions</strong>" in text
    for action in ("edit", "pause", "close"):
        assert f"/offers/{offer.id}/{action}" in text
    assert f"/offers/{offer.id}/reopen" not in text


def test_a_learning_offer_ignores_capacity(client, me):
    response = client.post("/offers/new", data={**FORM, "kind": "learn", "capacity": "lots"})
    assert response.status_code == 303
    offer = db.session.scalar(select(Offer))
    assert offer.kind == LEARN and offer.capacity is None
    assert "seats" not in client.get(f"/offers/{offer.id}").text.lower()


def test_others_see_no_owner_buttons(client, me):
    offer = make_offer(skill="Rust")
    text = client.get(f"/offers/{offer.id}").text
    assert f"/offers/{offer.id}/edit" not in text and f"/offers/{offer.id}/close" not in text


BAD_INPUT = [
    ("skill", "", "Name a skill"),
    ("skill", "s" * 61, "60 characters"),
    ("skill", "<script>alert(1)</script>", "Use letters, digits"),
    ("skill", "SQL\x1b", "control characters"),
    ("kind", "mentor", "teach it or want to learn it"),
    ("level", "guru", "Choose a level"),
    ("capacity", "0", "from 1 to 50"),
    ("capacity", "51", "from 1 to 50"),
    ("capacity", "-2", "from 1 to 50"),
    ("capacity", "abc", "from 1 to 50"),
    ("capacity", "", "from 1 to 50"),
    ("capacity", "2.5", "from 1 to 50"),
    ("availability", "a" * 201, "200 characters"),
    ("availability", "Mondays\x00", "control characters"),
    ("description", "d" * 4001, "4,000 characters"),
    ("description", "ring \x07 ring", "control characters"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_INPUT)])
def test_bad_input_is_shown_next_to_the_field_and_kept(client, me, field, value, message):
    response = client.post("/offers/new", data={**FORM, field: value})
    assert response.status_code == 200
    assert message in field_error(response.text, field)
    if field in ("skill", "availability", "capacity", "description") and (
            "control" not in message):
        assert typed_value(response.text, field) == value  # kept, to be corrected
    for other in ("skill", "availability", "description"):
        if other != field:
            assert typed_value(response.text, other) == FORM[other]
    assert _offers() == 0


def test_no_format_and_unknown_formats(client, me):
    response = client.post("/offers/new", data={**FORM, "formats": []})
    assert "at least one format" in field_error(response.text, "formats")
    response = client.post("/offers/new", data={**FORM, "formats": ["telepathy"]})
    assert "from the list" in field_error(response.text, "formats")
    assert typed_value(response.text, "skill") == "SQL" and _offers() == 0


def test_a_duplicate_open_offer_is_refused_next_to_the_skill(client, me):
    make_offer(me, kind=TEACH, skill="SQL")
    response = client.post("/offers/new", data={**FORM, "skill": "sql"})
    assert response.status_code == 200
    assert field_error(response.text, "skill").strip() == (
        "You already have an open offer to teach SQL — edit it instead.")
    assert typed_value(response.text, "skill") == "sql" and _offers() == 1


def test_nothing_typed_into_the_offer_form_gives_a_500(client, me):
    lines = [line for line in shared_path("security", "blns.txt").read_text(
        encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    lines = lines[::7] + ["\x00", "a\x00b", "\ufeff", "\u202e", "\U0001f600" * 40, "%00"]
    failures = []
    for n, line in enumerate(lines):
        response = client.post("/offers/new", data={
            **FORM, "kind": (TEACH, LEARN)[n % 2], "skill": line, "availability": line,
            "description": line, "capacity": line[:3]})
        if response.status_code >= 500:
            failures.append(line)
    assert failures == []
    assert client.get("/offers/").status_code == 200


def test_closed_offers_are_the_owners_alone(client, me):
    mine = make_offer(me, skill="SQL", status=CLOSED)
    theirs = make_offer(skill="Rust", status=CLOSED)
    page = client.get(f"/offers/{mine.id}")
    assert page.status_code == 200 and "closed" in page.text
    assert f"/offers/{mine.id}/reopen" in page.text
    assert client.get(f"/offers/{theirs.id}").status_code == 404
    assert client.get("/offers/123456").status_code == 404


def test_paused_offers_are_shown_as_paused_but_not_listed(client, me):
    offer = make_offer(skill="Rust", status=PAUSED)
    page = client.get(f"/offers/{offer.id}")
    assert page.status_code == 200 and "paused" in page.text
    assert f"/offers/{offer.id}" not in client.get("/offers/").text


def test_offers_of_deactivated_people_are_hidden_from_all_but_admins(client, auth, me):
    offer = make_offer(make_user(active=False), skill="Rust")
    assert client.get(f"/offers/{offer.id}").status_code == 404
    auth.logout()
    auth.login(make_admin())
    assert client.get(f"/offers/{offer.id}").status_code == 200


def test_edit_an_offer(client, me):
    offer = make_offer(me, kind=TEACH, skill="SQL", capacity=3, availability="Mondays")
    form = client.get(f"/offers/{offer.id}/edit")
    assert form.status_code == 200
    assert typed_value(form.text, "availability") == "Mondays"
    assert typed_value(form.text, "capacity") == "3"
    assert 'id="skill"' not in form.text  # kind and skill stay
    response = client.post(f"/offers/{offer.id}/edit", data={
        "level": "beginner", "formats": ["async"], "capacity": "12",
        "availability": "Fridays", "description": "Now *async*"})
    assert response.status_code == 303
    db.session.refresh(offer)
    assert (offer.level, offer.formats, offer.capacity, offer.availability) == (
        "beginner", ["async"], 12, "Fridays")


def test_edit_keeps_capacity_above_taken_seats(client, me):
    offer = make_offer(me, kind=TEACH, capacity=5, seats_taken=4)
    response = client.post(f"/offers/{offer.id}/edit", data={
        "level": "beginner", "formats": ["async"], "capacity": "3", "availability": "Later"})
    assert response.status_code == 200
    assert "4 learners have a seat already" in field_error(response.text, "capacity")
    assert typed_value(response.text, "availability") == "Later"
    db.session.refresh(offer)
    assert offer.capacity == 5


def test_a_learning_offer_has_no_capacity_field(client, me):
    offer = make_offer(me, kind=LEARN)
    form = client.get(f"/offers/{offer.id}/edit")
    assert 'id="capacity"' not in form.text
    response = client.post(f"/offers/{offer.id}/edit", data={
        "level": "beginner", "formats": ["group"]})
    assert response.status_code == 303


def test_only_the_owner_may_change_an_offer(client, me):
    offer = make_offer(skill="Rust")
    assert client.get(f"/offers/{offer.id}/edit").status_code == 403
    assert client.post(f"/offers/{offer.id}/edit", data={
        "level": "beginner", "formats": ["group"], "capacity": "1"}).status_code == 403
    for action in ("pause", "reopen", "close"):
        assert client.post(f"/offers/{offer.id}/{action}").status_code == 403
    db.session.refresh(offer)
    assert offer.status == OPEN and offer.level == "intermediate"


def test_pause_reopen_and_close(client, me):
    offer = make_offer(me, skill="SQL")
    for action, status in (("pause", PAUSED), ("reopen", OPEN), ("close", CLOSED),
                           ("reopen", OPEN)):
        response = client.post(f"/offers/{offer.id}/{action}")
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/offers/{offer.id}")
        db.session.refresh(offer)
        assert offer.status == status
    assert client.get(f"/offers/{offer.id}/pause").status_code == 405  # never on GET


def test_reopen_conflict_is_explained(client, me):
    old = make_offer(me, kind=TEACH, skill="SQL", status=CLOSED)
    make_offer(me, kind=TEACH, skill="SQL")
    page = client.post(f"/offers/{old.id}/reopen", follow_redirects=True)
    assert "already have an open offer to teach SQL" in page.text
    db.session.refresh(old)
    assert old.status == CLOSED
    # Editing a closed offer sends the owner back with a message instead.
    page = client.post(f"/offers/{old.id}/edit", data={"level": "beginner",
                                                        "formats": ["group"], "capacity": "2"},
                       follow_redirects=True)
    assert "Reopen it before you edit it" in page.text
