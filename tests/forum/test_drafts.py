"""Long texts are never lost: drafts kept in the browser, and a form whose CSRF token expired
comes back with everything typed and a message instead of an error page."""

from __future__ import annotations

import html
import re
import time

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from app.extensions import db
from app.forum.models import Answer, Question
from tests.accounts.test_routes import input_value
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.forum.factories import make_answer, make_question

TOKEN_IN_FORM = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_EXPIRED = "Your form expired. Check what you entered and submit it again."
LONG_ANSWER = "Start with the logs, then bisect the config — step by step:\n\n" + "\n".join(
    f"{n}. Check setting number {n} & note what changes." for n in range(60))


@pytest.fixture
def app_config(app_config):
    """These tests are about the CSRF check itself, so it is switched on."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def form_token(client, path: str) -> str:
    match = TOKEN_IN_FORM.search(client.get(path, follow_redirects=True).text)
    assert match, f"no csrf_token field on {path}"
    return match.group(1)


@pytest.fixture
def me(client):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                           "csrf_token": form_token(client, "/login")})
    assert response.status_code == 303
    return user


@pytest.fixture
def tokens_expire(monkeypatch):
    """From now on every signed token is nine hours old: past WTF_CSRF_TIME_LIMIT (8 h),
    well within the session's lifetime."""
    def later(self):
        return int(time.time()) + 9 * 60 * 60

    def expire():
        monkeypatch.setattr(TimestampSigner, "get_timestamp", later)
    return expire


def textarea(body: str, field_id: str) -> str | None:
    match = re.search(rf'<textarea[^>]*\bid="{field_id}"[^>]*>(.*?)</textarea>', body, re.S)
    return html.unescape(match.group(1)).strip("\r\n") if match else None


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- Drafts kept in the browser ---------------------------------------------------------


def draft_key(body: str, field_id: str) -> str | None:
    tag = re.search(rf'<textarea[^>]*\bid="{field_id}"[^>]*>', body)
    key = tag and re.search(r'\bdata-draft-key="([^"]*)"', tag.group(0))
    return key.group(1) if key else None


def test_long_texts_carry_draft_keys(client, me):
    question = make_question(me)
    answer = make_answer(question, author=me)
    assert draft_key(client.get("/questions/ask").text, "body") == "ask-body"
    page = client.get(f"/questions/{question.id}", follow_redirects=True).text
    assert draft_key(page, "answer") == f"answer-{question.id}"
    edit = client.get(f"/questions/{question.id}/edit").text
    assert draft_key(edit, "body") == f"edit-question-{question.id}"
    edit = client.get(f"/answers/{answer.id}/edit").text
    assert draft_key(edit, "answer") == f"edit-answer-{answer.id}"


# --- An expired or missing CSRF token keeps the text ------------------------------------


def test_answer_with_valid_token_is_posted(client, me):
    question = make_question()
    token = form_token(client, f"/questions/{question.id}")
    response = client.post(f"/questions/{question.id}/answers",
                           data={"answer": LONG_ANSWER, "csrf_token": token})
    assert response.status_code == 303
    assert count(Answer) == 1


@pytest.mark.parametrize("token", ["missing", "forged", "expired"])
def test_answer_with_bad_token_comes_back_with_the_text(client, me, tokens_expire, token):
    question = make_question()
    data = {"answer": LONG_ANSWER}
    if token == "forged":
        data["csrf_token"] = "forged-token"
    elif token == "expired":
        data["csrf_token"] = form_token(client, f"/questions/{question.id}")
        tokens_expire()
    response = client.post(f"/questions/{question.id}/answers", data=data)
    assert response.status_code == 400
    assert FORM_EXPIRED in response.text
    assert textarea(response.text, "answer") == LONG_ANSWER
    assert draft_key(response.text, "answer") == f"answer-{question.id}"
    fresh = TOKEN_IN_FORM.search(response.text)
    assert fresh and fresh.group(1) != data.get("csrf_token")
    assert count(Answer) == 0


@pytest.mark.parametrize("token", ["missing", "expired"])
def test_question_with_bad_token_comes_back_with_the_text(client, me, tokens_expire, token):
    data = {"title": "How do I bisect a config change safely?", "body": LONG_ANSWER,
            "tags": "config, debugging"}
    if token == "expired":
        data["csrf_token"] = form_token(client, "/questions/ask")
        tokens_expire()
    response = client.post("/questions/ask", data=data)
    assert response.status_code == 200  # as every page form: the form again, with a message
    assert FORM_EXPIRED in response.text
    assert input_value(response.text, "title") == data["title"]
    assert input_value(response.text, "tags") == data["tags"]
    assert textarea(response.text, "body") == LONG_ANSWER
    assert count(Question) == 0


def test_edits_with_an_expired_token_keep_the_text(client, me, tokens_expire):
    question = make_question(me)
    answer = make_answer(question, author=me)
    question_token = form_token(client, f"/questions/{question.id}/edit")
    answer_token = form_token(client, f"/answers/{answer.id}/edit")
    tokens_expire()
    response = client.post(f"/questions/{question.id}/edit", data={
        "title": "An edited title that is long enough", "body": LONG_ANSWER, "tags": "go",
        "csrf_token": question_token})
    assert FORM_EXPIRED in response.text
    assert textarea(response.text, "body") == LONG_ANSWER
    response = client.post(f"/answers/{answer.id}/edit",
                           data={"answer": LONG_ANSWER, "csrf_token": answer_token})
    assert FORM_EXPIRED in response.text
    assert textarea(response.text, "answer") == LONG_ANSWER
    db.session.expire_all()
    assert db.session.get(Question, question.id).body_md != LONG_ANSWER
    assert db.session.get(Answer, answer.id).body_md != LONG_ANSWER
