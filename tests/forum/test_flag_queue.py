"""The admin flag queue: who sees it, what it lists, acting on flagged posts."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.forum import moderation
from app.forum.models import Answer, Comment
from tests.conftest import HTMX
from tests.factories import make_admin, make_user
from tests.forum.factories import make_answer, make_comment, make_question
from tests.forum.test_moderation import login, open_flags
from tests.support.queries import count_queries


@pytest.fixture
def admin(app):
    return make_admin(display_name="Mo Moderator")


def test_flag_queue_is_for_admins_only(app, client, admin):
    question = make_question()
    for path in ("/admin/flags", f"/questions/{question.id}/flag"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    someone = login(app, make_user())
    assert someone.get("/admin/flags").status_code == 403
    answer = make_answer()
    assert someone.post(f"/admin/posts/answer/{answer.id}/hide").status_code == 403
    assert someone.post(f"/admin/questions/{answer.question_id}/lock").status_code == 403
    assert not db.session.get(Answer, answer.id).is_hidden
    page = login(app, admin).get("/admin/flags")
    assert page.status_code == 200
    assert "No open flags" in page.text and "Flags (0 open)" in page.text


def test_flag_queue_lists_posts_and_acts_on_them(app, admin):
    answer = make_answer(body="Buy cheap watches at example.com")
    comment = make_comment(answer.question, body="You are all wrong.")
    ann, bob = make_user(display_name="Ann Reporter"), make_user(display_name="Bob Reporter")
    moderation.flag_post(ann, answer, reason="Advertising")
    moderation.flag_post(bob, answer, reason="Spam link")
    moderation.flag_post(ann, comment, reason="Unkind")
    db.session.commit()
    client = login(app, admin)
    page = client.get("/admin/flags").text
    assert "Flags (3 open)" in page and "2 flagged posts" in page
    for text in ("Buy cheap watches", "Advertising", "Spam link", "Ann Reporter",
                 "Bob Reporter", "You are all wrong.", "Unkind", answer.author.display_name,
                 f"#answer-{answer.id}", f"#comment-{comment.id}"):
        assert text in page
    assert page.index("Buy cheap watches") < page.index("You are all wrong.")
    response = client.post(f"/admin/posts/answer/{answer.id}/hide",
                           data={"next": "/admin/flags"})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/flags"
    assert db.session.get(Answer, answer.id).is_hidden
    assert open_flags(answer) == []
    page = client.get("/admin/flags")
    assert "Buy cheap watches" not in page.text and "You are all wrong." in page.text
    assert "2 open flags resolved" in page.text
    fragment = client.get("/admin/flags", headers=HTMX).text
    assert "<html" not in fragment and "You are all wrong." in fragment
    client.post(f"/admin/posts/comment/{comment.id}/dismiss-flags",
                data={"next": "/admin/flags"})
    assert not db.session.get(Comment, comment.id).is_hidden
    page = client.get("/admin/flags").text
    assert "No open flags" in page and "Flags (0 open)" in page


def test_flag_queue_is_paginated_with_constant_queries(app, admin):
    answers = [make_answer() for _ in range(3)]
    for answer in answers:
        moderation.flag_post(make_user(), answer, reason=f"Flag on {answer.id}")
        moderation.flag_post(make_user(), answer, reason=f"Second on {answer.id}")
    db.session.commit()
    client = login(app, admin)
    first = client.get("/admin/flags?per_page=2").text
    second = client.get("/admin/flags?per_page=2&page=2").text
    assert f"Flag on {answers[0].id}" in first and f"Flag on {answers[1].id}" in first
    assert f"Flag on {answers[2].id}" not in first and f"Flag on {answers[2].id}" in second
    assert 'rel="next"' in first
    assert (count_queries(client, "/admin/flags?per_page=1")
            == count_queries(client, "/admin/flags?per_page=3"))


