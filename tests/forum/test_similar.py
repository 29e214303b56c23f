"""Similar questions while asking (htmx and without JavaScript) and related questions on a
question's page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.forum import services
from app.forum.models import Question
from app.search import outbox
from app.search.queries import similar_questions
from tests.accounts.test_routes import field_error, input_value
from tests.conftest import HTMX
from tests.core.test_security import inline_code
from tests.factories import make_user
from tests.forum.factories import make_answer, make_question
from tests.support.queries import count_queries

LINK = re.compile(r'<a href="/questions/(\d+)/[^"]*">')
HEADING = "These may already answer your question"


@pytest.fixture
def me(auth):
    user = make_user()
    auth.login(user)
    return user


def linked_ids(html: str) -> list[int]:
    return [int(n) for n in LINK.findall(html)]


def similar_fragment(client, title: str):
    response = client.get("/questions/similar", query_string={"title": title}, headers=HTMX)
    assert response.status_code == 200
    return response.text


def related_section(html: str) -> str:
    match = re.search(r'<aside class="card related-questions".*?</aside>', html, re.S)
    return match.group(0) if match else ""


def count_questions() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def test_needs_login(client):
    assert client.get("/questions/similar?title=kubernetes+ingress").status_code == 302


def test_fragment_lists_at_most_five_best_first(client, me):
    best = make_question(title="Kubernetes ingress returns 404 for every path")
    for n in range(6):
        make_question(title=f"Kubernetes cluster question number {n} here")
    make_question(title="Where to buy lunch near the office")
    outbox.drain_all()
    title = "kubernetes ingress 404"
    text = similar_fragment(client, title)
    assert "<html" not in text
    assert HEADING in text
    ids = linked_ids(text)
    assert len(ids) == 5
    assert ids[0] == best.id
    assert ids == [q.id for q in similar_questions(title, limit=5)]


def test_fragment_shows_answer_count_and_accepted_mark(client, me):
    asked = make_question(me, title="Rotating the staging database password safely")
    answer = make_answer(asked)
    make_answer(asked)
    services.accept_answer(me, answer)
    plain = make_question(title="Rotating log files on the staging servers")
    db.session.commit()
    outbox.drain_all()
    text = similar_fragment(client, "rotating staging password")
    items = re.findall(r"<li>.*?</li>", text, re.S)
    assert len(items) == 2
    by_id = {linked_ids(item)[0]: item for item in items}
    assert "2 answers" in by_id[asked.id] and "✓" in by_id[asked.id]
    assert "0 answers" in by_id[plain.id] and "✓" not in by_id[plain.id]


def test_hidden_questions_are_left_out(client, me):
    visible = make_question(title="Configuring single sign-on for the wiki")
    hidden = make_question(title="Configuring single sign-on for the intranet")
    outbox.drain_all()
    hidden.is_hidden = True  # hidden after indexing: the stale document must not show
    db.session.commit()
    assert linked_ids(similar_fragment(client, "configuring single sign-on")) == [visible.id]
    outbox.drain_all()
    assert linked_ids(similar_fragment(client, "configuring single sign-on")) == [visible.id]


@pytest.mark.parametrize("title", ["", "kubernet", "  k8s pod   ", "x" * 9])
def test_short_titles_give_an_empty_fragment(client, me, title):
    make_question(title="Kubernetes pods keep restarting")
    make_question(title="k8s pod networking basics")
    outbox.drain_all()
    assert similar_fragment(client, title).strip() == ""


def test_no_match_gives_nothing_at_all(client, me):
    make_question(title="Kubernetes pods keep restarting")
    outbox.drain_all()
    assert similar_fragment(client, "quarterly expense reports").strip() == ""


def test_ask_page_asks_for_similar_titles_without_posting(client, me):
    text = client.get("/questions/ask").text
    title_input = re.search(r'<input[^>]*\bid="title"[^>]*>', text).group(0)
    assert 'hx-get="/questions/similar"' in title_input
    assert 'hx-include="this"' in title_input
    assert 'hx-target="#similar-questions"' in title_input
    assert "input changed delay:400ms" in title_input
    assert "hx-post" not in text
    assert '<div id="similar-questions" aria-live="polite">' in text
    button = re.search(r'<button[^>]*name="check_similar"[^>]*>([^<]*)</button>', text, re.S)
    assert button and "formnovalidate" in button.group(0)
    assert button.group(1).strip() == "Check for similar questions"
    assert HEADING not in text
    assert inline_code(text) == []


def test_check_button_without_javascript_keeps_input_and_saves_nothing(client, me):
    near = make_question(title="Setting up a VPN on a personal laptop")
    outbox.drain_all()
    before = count_questions()
    response = client.post("/questions/ask", data={
        "title": "VPN on my laptop", "body": "It **drops** every hour.", "tags": "vpn, it",
        "check_similar": "1"})
    assert response.status_code == 200
    assert count_questions() == before
    assert input_value(response.text, "title") == "VPN on my laptop"
    assert input_value(response.text, "tags") == "vpn, it"
    assert "It **drops** every hour." in response.text
    assert HEADING in response.text and near.id in linked_ids(response.text)
    assert all(field_error(response.text, f) == "" for f in ("title", "body", "tags"))
    assert "Your form expired" not in response.text


def test_check_button_with_empty_fields_shows_no_errors(client, me):
    response = client.post("/questions/ask", data={
        "title": "VPN on my laptop", "body": "", "tags": "", "check_similar": "1"})
    assert response.status_code == 200
    assert all(field_error(response.text, f) == "" for f in ("title", "body", "tags"))
    assert "We found no similar questions." in response.text
    response = client.post("/questions/ask", data={"title": "VPN", "check_similar": "1"})
    assert "Type at least 10 characters" in response.text
    assert count_questions() == 0


def test_plain_get_of_similar_shows_the_ask_page(client, me):
    near = make_question(title="Booking a meeting room for a workshop")
    outbox.drain_all()
    response = client.get("/questions/similar", query_string={"title": "meeting room booking"})
    assert "<html" in response.text
    assert input_value(response.text, "title") == "meeting room booking"
    assert near.id in linked_ids(response.text)


def test_related_questions_exclude_the_question_itself(client, me):
    question = make_question(title="How to profile slow Python code", tags="python")
    near = make_question(title="Profiling Python memory usage", tags="python")
    make_question(title="Best lunch spots downtown", tags="food")
    hidden = make_question(title="Profile python code hidden", tags="python")
    hidden.is_hidden = True
    answered = make_question(title="Python profiler output explained", tags="python")
    make_answer(answered)
    db.session.commit()
    outbox.drain_all()
    page = client.get(f"/questions/{question.id}", follow_redirects=True).text
    section = related_section(page)
    assert "Related questions" in section
    ids = linked_ids(section)
    assert question.id not in ids and hidden.id not in ids
    assert set(ids) == {near.id, answered.id}
    assert "1 answer" in section


def test_no_related_questions_no_section(client, me):
    question = make_question(title="A completely unique zebra quandary", tags="zoology")
    make_question(title="Best lunch spots downtown", tags="food")
    outbox.drain_all()
    page = client.get(f"/questions/{question.id}", follow_redirects=True).text
    assert "Related questions" not in page




def test_related_questions_take_a_constant_number_of_queries(client, me):
    few = make_question(title="Ordering a standing desk", tags="office")
    make_question(title="Standing desk height advice", tags="office")
    many = make_question(title="Expense report approval rules", tags="finance")
    for n in range(6):
        question = make_question(title=f"Expense report approval case {n}", tags="finance")
        make_answer(question)
    outbox.drain_all()
    one = count_queries(client, f"/questions/{few.id}", follow_redirects=True)
    five = count_queries(client, f"/questions/{many.id}", follow_redirects=True)
    assert len(linked_ids(related_section(client.get(
        f"/questions/{many.id}", follow_redirects=True).text))) == 5
    assert one == five
