"""Asking, reading, answering, commenting, voting and accepting through HTTP."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.forum import services
from app.forum.models import Answer, Comment, Question, Vote
from tests.accounts.test_routes import field_error, input_value
from tests.conftest import HTMX
from tests.factories import make_user
from tests.forum.factories import make_answer, make_comment, make_question
from tests.support.queries import count_queries


@pytest.fixture
def me(auth):
    user = make_user()
    auth.login(user)
    return user


def test_pages_need_login(client):
    assert client.get("/questions/").status_code == 302
    assert client.get("/questions/ask").status_code == 302


def test_ask_a_question(client, me):
    response = client.post("/questions/ask", data={
        "title": "How do I mock time in pytest?", "body": "I need **frozen** clocks.",
        "tags": "Python, pytest"})
    assert response.status_code == 303
    question = db.session.scalar(select(Question))
    assert response.headers["Location"].endswith(
        f"/questions/{question.id}/how-do-i-mock-time-in-pytest")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "<strong>frozen</strong>" in page.text
    assert ">pytest</a>" in page.text


def test_ask_keeps_input_and_shows_errors(client, me):
    response = client.post("/questions/ask", data={
        "title": "Too short", "body": "Body text here", "tags": "a, b, c, d, e, f"})
    assert response.status_code == 200
    assert "15 to 150" in field_error(response.text, "title")
    assert input_value(response.text, "title") == "Too short"
    assert input_value(response.text, "tags") == "a, b, c, d, e, f"
    assert "Body text here" in response.text
    response = client.post("/questions/ask", data={
        "title": "A perfectly long enough title", "body": "Body", "tags": "a, b, c, d, e, f"})
    assert "at most 5 tags" in html.unescape(field_error(response.text, "tags"))
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_wrong_or_missing_slug_redirects_permanently(client, me):
    question = make_question(title="What is a good slug, really?")
    for path in (f"/questions/{question.id}", f"/questions/{question.id}/wrong"):
        response = client.get(path)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(
            f"/questions/{question.id}/what-is-a-good-slug-really")
    assert client.get("/questions/9999").status_code == 404


def test_answers_are_sorted_accepted_first_then_score_then_oldest(client, me):
    question = make_question(me)
    old, high, accepted = (make_answer(question, body=b) for b in ("OLD", "HIGH", "ACCEPTED"))
    services.vote(make_user(), high, 1)
    services.accept_answer(me, accepted)
    db.session.commit()
    text = client.get(f"/questions/{question.id}/x", follow_redirects=True).text
    assert text.index("ACCEPTED") < text.index("HIGH") < text.index("OLD")


def canonical(client, question) -> str:
    return client.get(f"/questions/{question.id}").headers["Location"]




def test_question_page_uses_a_constant_number_of_queries(client, me):
    small, big = make_question(), make_question()
    make_comment(small, body="q comment")
    make_comment(make_answer(small), body="a comment")
    for _ in range(30):
        answer = make_answer(big)
        make_comment(answer)
        make_comment(big)
        services.vote(me, answer, 1)
    db.session.commit()
    one = count_queries(client, canonical(client, small))
    thirty = count_queries(client, canonical(client, big))
    assert one == thirty


def test_post_an_answer_and_empty_answer_message(client, me):
    question = make_question()
    response = client.post(f"/questions/{question.id}/answers", data={"answer": "  "})
    assert response.status_code == 400
    assert field_error(response.text, "answer")
    response = client.post(f"/questions/{question.id}/answers", data={"answer": "Use *this*"})
    assert response.status_code == 303
    assert "#answer-" in response.headers["Location"]
    assert db.session.get(Question, question.id).answer_count == 1


def test_locked_question_refuses_answers_comments_and_votes(client, me):
    question = make_question()
    question.is_locked = True
    db.session.commit()
    response = client.post(f"/questions/{question.id}/answers", data={"answer": "Hi"})
    assert response.status_code == 409 and "locked" in response.text
    response = client.post(f"/questions/{question.id}/vote", data={"value": "up"})
    assert response.status_code == 409
    response = client.post(f"/questions/{question.id}/comments", data={"body": "Hi"},
                           follow_redirects=True)
    assert "locked" in response.text
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    page = client.get(f"/questions/{question.id}", follow_redirects=True)
    assert "vote-button" not in page.text  # no buttons that could only fail


def test_comment_on_question_and_answer(client, me):
    answer = make_answer()
    question = answer.question
    assert client.post(f"/questions/{question.id}/comments",
                       data={"body": "Nice question"}).status_code == 303
    assert client.post(f"/answers/{answer.id}/comments",
                       data={"body": "Nice answer"}).status_code == 303
    response = client.post(f"/answers/{answer.id}/comments", data={"body": "x" * 601},
                           follow_redirects=True)
    assert "600 characters" in response.text
    page = client.get(f"/questions/{question.id}", follow_redirects=True).text
    assert "Nice question" in page and "Nice answer" in page


def test_vote_plain_form_and_htmx(client, me):
    answer = make_answer()
    response = client.post(f"/answers/{answer.id}/vote", data={"value": "up"})
    assert response.status_code == 303
    response = client.post(f"/answers/{answer.id}/vote", data={"value": "up"}, headers=HTMX)
    assert response.status_code == 200
    assert f'id="vote-answer-{answer.id}"' in response.text
    assert "<html" not in response.text
    assert db.session.get(Answer, answer.id).score == 0
    assert client.post(f"/answers/{answer.id}/vote", data={"value": "sideways"}).status_code == 400


def test_voting_on_own_post_is_refused(client, me):
    question = make_question(me)
    response = client.post(f"/questions/{question.id}/vote", data={"value": "up"}, headers=HTMX)
    assert response.status_code == 403
    assert "own post" in response.text
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_accept_only_by_asker(client, me):
    answer = make_answer()
    response = client.post(f"/answers/{answer.id}/accept")
    assert response.status_code == 403 and "Only the person who asked" in response.text
    mine = make_question(me)
    answer = make_answer(mine)
    assert client.post(f"/answers/{answer.id}/accept").status_code == 303
    assert db.session.get(Question, mine.id).accepted_answer_id == answer.id


def test_edit_question_and_answer_and_revisions(client, me):
    question = make_question(me)
    form = client.get(f"/questions/{question.id}/edit")
    assert input_value(form.text, "tags") == "flask, python"
    response = client.post(f"/questions/{question.id}/edit", data={
        "title": "An edited, better title", "body": "Edited body", "tags": "go"})
    assert response.status_code == 303
    answer = make_answer(question, author=me)
    assert client.post(f"/answers/{answer.id}/edit",
                       data={"answer": "Edited answer"}).status_code == 303
    other = make_question()
    assert client.get(f"/questions/{other.id}/edit").status_code == 403
    page = client.get(f"/questions/{question.id}/revisions")
    assert page.status_code == 200
    assert "An edited, better title" in page.text and "Edited answer" in page.text


def test_follow_question_toggle_with_htmx(client, me):
    question = make_question()
    response = client.post(f"/questions/{question.id}/follow", headers=HTMX)
    assert "Following" in response.text
    response = client.post(f"/questions/{question.id}/follow")
    assert response.status_code == 303
