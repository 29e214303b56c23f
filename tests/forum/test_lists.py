"""Question lists, tabs, tag filter, tag pages: visible rows only, constant queries."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from app.forum import services
from tests.factories import make_admin, make_user
from tests.forum.factories import make_answer, make_question


@pytest.fixture
def me(auth):
    user = make_user()
    auth.login(user)
    return user


def _queries(client, path):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.text


def test_tabs_order_and_filter(client, me):
    old = make_question(title="The oldest question in here")
    voted = make_question(title="The most voted question here")
    answered = make_question(title="An answered question right here")
    make_answer(answered)
    services.vote(me, voted, 1)
    db.session.commit()
    newest = client.get("/questions/").text
    assert newest.index("An answered") < newest.index("The most voted") < newest.index("oldest")
    votes = client.get("/questions/?tab=votes").text
    assert votes.index("The most voted") < votes.index("An answered")
    unanswered = client.get("/questions/?tab=unanswered").text
    assert "An answered" not in unanswered and "The oldest" in unanswered
    active = client.get("/questions/?tab=active").text
    assert active.index("An answered") < active.index("The oldest")
    assert client.get("/questions/?tab=bogus").status_code == 200
    assert 'aria-current="page">Questions</a>' in newest
    del old


def test_tag_filter_and_tag_page(client, me):
    make_question(title="A question about the go language", tags="go")
    make_question(title="A question about the c sharp language", tags="c#")
    page = client.get("/questions/?tag=go").text
    assert "the go language" in page and "c sharp" not in page
    page = client.get("/tags/c%23").text
    assert "c sharp" in page and "go language" not in page
    assert client.get("/tags/unknown-tag").status_code == 404
    assert client.get("/questions/?tag=unknown-tag").status_code == 404


def test_hidden_questions_vanish_except_for_admins(client, auth, me):
    hidden = make_question(title="A question that is now hidden")
    hidden.is_hidden = True
    db.session.commit()
    assert "now hidden" not in client.get("/questions/").text
    assert client.get(f"/questions/{hidden.id}", follow_redirects=True).status_code == 404
    auth.logout()
    auth.login(make_admin())
    assert "now hidden" in client.get("/questions/").text


def test_list_queries_are_constant_and_paginated(client, me):
    make_question()
    one, _ = _queries(client, "/questions/")
    for n in range(25):
        make_question(tags=f"tag{n}, shared")
    many, text = _queries(client, "/questions/")
    assert one == many
    assert 'rel="next"' in text
    assert client.get("/questions/?page=2").status_code == 200
    tags_one, _ = _queries(client, "/tags/?per_page=1")
    tags_many, _ = _queries(client, "/tags/")
    assert tags_one == tags_many


def test_tags_page_counts_and_sorts(client, me):
    make_question(tags="zeta, alpha")
    make_question(tags="zeta")
    popular = client.get("/tags/").text
    assert popular.index(">zeta<") < popular.index(">alpha<")
    assert "× 2" in popular
    by_name = client.get("/tags/?sort=name").text
    assert by_name.index(">alpha<") < by_name.index(">zeta<")


def test_question_list_fragment_for_htmx(client, me):
    make_question()
    response = client.get("/questions/?page=1", headers={"HX-Request": "true"})
    assert "<html" not in response.text and "question-summary" in response.text


def test_follow_tag(client, me):
    make_question(tags="rust")
    response = client.post("/tags/rust/follow", headers={"HX-Request": "true"})
    assert "Following" in response.text
    assert client.post("/tags/rust/follow").status_code == 303
    assert client.post("/tags/nope/follow").status_code == 404
