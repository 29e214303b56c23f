"""The search page: what a person sees for what they type, with and without htmx."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.search import outbox
from tests.accounts.test_routes import input_value
from tests.conftest import HTMX, make_test_config, shared_path
from tests.factories import make_admin, make_user
from tests.search.factories import make_answer, make_question

PER_PAGE = 3


@pytest.fixture
def app_config(backend, tmp_path) -> dict:
    return make_test_config(backend, tmp_path, SEARCH_PER_PAGE=PER_PAGE)


@pytest.fixture
def me(auth):
    user = make_user()
    auth.login(user)
    return user


def hit_titles(body: str) -> list[str]:
    """The titles of the hits, in order, as plain text."""
    return [html.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in re.findall(
        r'<h2 class="question-title"><a href="[^"]*">(.*?)</a>', body, re.S)]


def text_of(body: str) -> str:
    """The text as read: inline tags dropped, others turned into spaces, spaces collapsed."""
    body = re.sub(r"</?(?:a|mark|span|code|strong|em)\b[^>]*>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def links(body: str, text: str) -> list[str]:
    """The hrefs of links whose text (tags removed) is `text`."""
    found = []
    for href, inner in re.findall(r'<a [^>]*?href="([^"]*)"[^>]*>(.*?)</a>', body, re.S):
        if " ".join(re.sub(r"<[^>]+>", " ", html.unescape(inner)).split()) == text:
            found.append(html.unescape(href))
    return found


def test_search_needs_a_login(client):
    response = client.get("/search?q=python")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/search?q%3Dpython"
    htmx = client.get("/search?q=python", headers=HTMX)
    assert htmx.headers.get("HX-Redirect", "").startswith("/login")
    assert "search-results" not in htmx.text


def test_results_page_shows_each_hit(client, me):
    question = make_question(title="Kubernetes ingress keeps failing", tags=["devops", "k8s"],
                             body_md="Our **kubernetes** ingress returns 502 after deploys.",
                             score=4)
    answer = make_answer(question, body_md="Check the readiness probe.")
    question.accepted_answer = answer
    db.session.commit()
    make_question(title="Lunch places near the office")
    outbox.drain_all()

    response = client.get("/search?q=kubernetes")
    assert response.status_code == 200
    body = response.text
    assert input_value(body, "search-q") == "kubernetes"
    assert '<label for="search-q">' in body
    assert "1 question for “kubernetes”" in text_of(body)
    assert hit_titles(body) == ["Kubernetes ingress keeps failing"]
    assert f'href="/questions/{question.id}/kubernetes-ingress-keeps-failing"' in body
    assert '<mark class="hl t0">Kubernetes</mark> ingress' in body
    snippet = re.search(r'<p class="snippet">(.*?)</p>', body, re.S).group(1)
    assert "<mark" in snippet and "502 after deploys" in snippet
    meta = text_of(re.search(r'<p class="hit-meta">(.*?)</p>', body, re.S).group(1))
    assert "4 votes" in meta and "1 answer" in meta and "Accepted answer" in meta
    assert links(body, "devops") == ["/search?q=kubernetes&tag=devops"]
    assert "Lunch places" not in body


def test_user_text_in_titles_is_escaped(client, me):
    make_question(title="Escaping <script>alert(1)</script> in templates")
    outbox.drain_all()
    body = client.get("/search?q=templates").text
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_htmx_gets_only_the_results_fragment(client, me):
    make_question(title="Fragment answers for live search")
    outbox.drain_all()
    response = client.get("/search?q=fragment", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="search-q"' not in response.text  # the form stays as it is
    assert hit_titles(response.text) == ["Fragment answers for live search"]
    page = client.get("/search?q=fragment").text
    assert 'hx-get="/search"' in page and 'hx-target="#search-results"' in page
    assert 'hx-push-url="true"' in page and "delay:" in page


def test_sort_by_relevance_or_newest_keeps_the_query(client, me):
    now = datetime.now(UTC)
    best = make_question(title="Laptop laptop setup guide", created_at=now - timedelta(days=5))
    newest = make_question(title="Docking stations", body_md="Also about a laptop.",
                           created_at=now)
    outbox.drain_all()
    relevance = client.get("/search?q=laptop").text
    assert hit_titles(relevance) == [best.title, newest.title]
    assert links(relevance, "Newest") == ["/search?q=laptop&sort=newest"]
    assert 'aria-current="page">Best match' in relevance
    by_date = client.get("/search?q=laptop&sort=newest").text
    assert hit_titles(by_date) == [newest.title, best.title]
    assert 'aria-current="page">Newest' in by_date
    assert links(by_date, "Best match") == ["/search?q=laptop"]
    assert input_value(by_date, "search-sort") == "newest"  # kept when the form is sent again
    bad = client.get("/search?q=laptop&sort=random%27;--")
    assert bad.status_code == 200
    assert hit_titles(bad.text) == [best.title, newest.title]


def test_tag_links_filter_and_the_filter_can_be_removed(client, me):
    make_question(title="Packaging a python library", tags=["python", "packaging"])
    make_question(title="Packaging a rust crate", tags=["rust"])
    outbox.drain_all()
    everything = client.get("/search?q=packaging").text
    assert sorted(hit_titles(everything)) == ["Packaging a python library",
                                              "Packaging a rust crate"]
    [rust_link] = links(everything, "rust")
    filtered = client.get(rust_link).text
    assert hit_titles(filtered) == ["Packaging a rust crate"]
    assert "Only questions tagged rust" in text_of(filtered)
    assert input_value(filtered, "search-tag") == "rust"
    [remove] = links(filtered, "Remove the tag filter rust")
    assert remove == "/search?q=packaging"
    assert len(hit_titles(client.get(remove).text)) == 2
    alone = client.get("/search?tag=Python").text  # a tag without words lists the tag
    assert hit_titles(alone) == ["Packaging a python library"]


def test_pagination_keeps_the_query(client, me):
    for n in range(PER_PAGE * 2 + 1):
        make_question(title=f"Pagination sample question {n}")
    outbox.drain_all()
    first = client.get("/search?q=pagination").text
    assert "7 questions" in text_of(first)
    assert len(hit_titles(first)) == PER_PAGE
    assert links(first, "Next →") == ["/search?q=pagination&page=2"]
    assert 'hx-target="#search-results"' in first
    last = client.get("/search?q=pagination&page=3", headers=HTMX).text
    assert len(hit_titles(last)) == 1
    assert re.search(r'<ol class="search-hits plain-list" start="7">', last)
    for page in ("0", "-3", "abc", "1.5", "9" * 5000, ""):
        response = client.get(f"/search?q=pagination&page={page}")
        assert response.status_code == 200
        assert len(hit_titles(response.text)) == PER_PAGE
    too_far = client.get("/search?q=pagination&page=99999999999999999999999")
    assert too_far.status_code == 200
    assert "no more results after page 3" in text_of(too_far.text)
    assert links(too_far.text, "Back to the first page") == ["/search?q=pagination"]


def test_did_you_mean_links_to_the_corrected_search(client, me):
    make_question(title="Kubernetes deployment checklist")
    outbox.drain_all()
    body = client.get("/search?q=kubrenetes+deployment&sort=newest").text
    assert "Did you mean kubernetes deployment?" in text_of(body)
    assert links(body, "kubernetes deployment") == [
        "/search?q=kubernetes+deployment&sort=newest"]
    assert "Did you mean" not in client.get("/search?q=kubernetes").text


def test_empty_state_offers_to_ask(client, me):
    make_question(title="Something about coffee machines")
    outbox.drain_all()
    body = client.get("/search?q=submarine").text
    assert "No questions match “submarine”." in text_of(body)
    assert links(body, "Ask a question") == ["/questions/ask"]
    start = client.get("/search").text
    assert "No questions match" not in start and "0 questions" not in start
    help_text = text_of(start)
    for syntax in ('"quoted phrases"', "prefix*", "tag:python", "is:unanswered",
                   "is:accepted"):
        assert syntax in help_text


def test_hidden_questions_only_for_admins(client, auth, me):
    stale = make_question(title="Visible then hidden secretword")
    make_question(title="Hidden from the start secretword", is_hidden=True)
    outbox.drain_all()
    stale.is_hidden = True
    db.session.commit()  # not drained: the index still holds it
    body = client.get("/search?q=secretword").text
    assert hit_titles(body) == []
    assert "0 questions" in text_of(body)
    assert "No questions match" in text_of(body)
    auth.logout()
    auth.login(make_admin())
    admin_view = client.get("/search?q=secretword").text
    assert sorted(hit_titles(admin_view)) == ["Hidden from the start secretword",
                                              "Visible then hidden secretword"]
    assert '<span class="badge">hidden</span>' in admin_view


@pytest.mark.parametrize(("typed", "shown"), [
    ('"green tea', "Green tea at the office"),  # unbalanced quote
    ("green AND tea", "Green tea at the office"),
    ("*", "very common words or symbols"),
    ("AND", "very common words or symbols"),
    ("is:bogus", "isn't a filter"),
    ("tea " * 700, "Only the first 300 characters were searched."),
    ("tea\x00green", "Green tea at the office"),
    ("\x00", ""),
    ("\x07tea\x1b", "Green tea at the office"),
])
def test_odd_input_gives_results_or_a_message(client, me, typed, shown):
    make_question(title="Green tea at the office")
    outbox.drain_all()
    response = client.get("/search", query_string={"q": typed})
    assert response.status_code == 200
    assert shown in text_of(response.text)
    assert "\x00" not in response.text


def test_nothing_typed_gives_a_500(client, me):
    make_question(title="Naughty strings question", tags=["python"],
                  body_md="Null and undefined and <script> in the body.")
    outbox.drain_all()
    lines = [line for line in shared_path("security", "blns.txt").read_text(
        encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    lines += ["\x00", "a\x00b", "\ufeff", "\u202e", "\U0001f600" * 40, "%00", "tag:",
              "is:", "tag:\x00", '"', '""', "***", "a" * 2000, "OR NOT AND"]
    failures = []
    for n, line in enumerate(lines):
        args = {"q": line}
        if n % 3 == 1:
            args.update(tag=line, sort=line, page=line)
        response = client.get("/search", query_string=args,
                              headers=HTMX if n % 3 == 2 else {})
        shown = ('class="result-count"', 'class="flash search-message"', 'class="search-intro')
        if response.status_code != 200 or not any(part in response.text for part in shown):
            failures.append((line, response.status_code))
    assert failures == [], failures


def test_nav_has_a_search_box(client, me):
    body = client.get("/questions/").text
    form = re.search(r'<form[^>]*class="nav-search"[^>]*>.*?</form>', body, re.S).group(0)
    assert 'role="search"' in form and 'action="/search"' in form and 'method="get"' in form
    assert re.search(r'<label for="nav-search-q" class="visually-hidden">Search questions</label>',
                     form)
    assert re.search(r'<input type="search" id="nav-search-q" name="q" maxlength="\d+"', form)
    page = client.get("/search").text  # the search page has its own, labelled box
    assert 'class="nav-search"' not in page
    assert 'id="search-q"' in page and 'maxlength="300"' in page


def test_nav_search_box_needs_a_login(client):
    assert 'class="nav-search"' not in client.get("/login").text
