"""Script in forum posts never runs: titles, bodies, answers, comments and tags full of XSS
payloads stay inert text.

The payload sample of test_xss_inert.py, plus Markdown, htmx and control-character payloads
of our own, goes everywhere a person writes in the forum: one question, one answer and one
comment typed in the browser (with hostile tags first, which the ask form must refuse next to
the field while keeping what was typed), the rest through the forum services and straight into
the database (rows built the way the services build them, without their checks). The test then
reads the question pages, every page of /questions/, /tags/ and a tag's page; a second test
reads the search page.

Both run twice, like test_xss_inert.py: with our CSP enforced, and with CSP bypassed, so the
sanitiser and the templates' escaping alone must keep everything inert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
from playwright.sync_api import Page, expect

from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.markdown import render_markdown
from app.extensions import db
from app.forum import services
from app.forum.models import COMMENT_MAX, TITLE_MAX, TITLE_MIN, Answer, Comment, Question
from app.search.outbox import drain_all
from tests.browser.test_xss_inert import (
    AUDIT,
    DialogTrap,
    as_bio,
    assert_page_is_inert,
    has_control_characters,
    pack_into_bios,
    problems_in_user_content,
    sample_payloads,
)

pytestmark = pytest.mark.browser

# Reduced motion: no smooth scrolling for Playwright to wait out before each click.
CSP_MODES = pytest.mark.parametrize(
    "context_options", [{"reduced_motion": "reduce"},
                        {"reduced_motion": "reduce", "bypass_csp": True}],
    ids=["csp-enforced", "csp-bypassed"],
)
FORM_TEXT_LIMIT = 1500  # the browser sends newlines as CRLF; stay well under the limits
BODY_LIMIT = 2500
TITLE_PADDING = "in my forum question title"
OUR_PAYLOADS = [
    "[click me](javascript:alert('md-link'))",
    "[click me](JaVaScRiPt:alert('md-link-case'))",
    "[tab](java\tscript:alert('md-tab'))",
    "<javascript:alert('autolink')>",
    "![image](javascript:alert('md-image'))",
    "[ref link][evil]\n\n[evil]: javascript:alert('md-ref')",
    '[title](https://example.com/ "x\\" onmouseover=\\"alert(\'md-title\')")',
    '<div hx-get="/logout" hx-trigger="load">htmx on load</div>',
    '<a hx-post="/logout" hx-trigger="mouseover" data-hx-target="body">hover me</a>',
    '<span data-hx-get="/logout" data-hx-trigger="load">data-hx on load</span>',
    '<p hx-on:click="alert(\'hx-on\')" hx-on::load="alert(\'hx-on-load\')">hx-on</p>',
]
# The forms refuse control characters, so these only reach the database directly.
CONTROL_PAYLOADS = [
    "<img src=x\x0bonerror=alert('vt')>",
    "[x](java\x01script:alert('soh'))",
    "jav\x0cascript:alert('ff') \x1b[31m <script>alert('esc')</script>",
]
# Names the tag normaliser accepts that still look like markup, handlers or htmx.
HOSTILE_TAGS = ["javascript", "onerror", "hx-get", "alert.1", "c#", "x+y", "script"]
TAG_TYPED = [
    "<script>alert('tag')</script>",
    "python, \" onfocus=\"alert(2)",
    "hx-get=/logout hx-trigger=load",
]
TAG_ERROR = "has characters a tag can't have"
# Where user text shows outside Markdown: our own markup around plain text, nothing else.
PLAIN_TEXT_PLACES = ["h1", ".question-title", ".tags", ".comment-list", ".question-links",
                     ".tag-grid", ".field-errors", ".flashes", ".snippet", ".result-count",
                     ".empty-state", ".did-you-mean", ".active-filter"]
OUR_TAGS = {"a", "li", "ul", "ol", "p", "span", "strong", "time", "h2", "article", "div",
            "mark"}  # <mark>: a search hit's highlighted words
OUR_ATTRIBUTES = {"href", "class", "id", "datetime", "rel", "aria-label", "aria-current",
                  "aria-hidden"}
AUDIT_PLACES = f"""
(places) => {{
  const audit = ({AUDIT.strip()});
  return places.map(sel => [sel, Array.from(document.querySelectorAll(sel)).flatMap(audit)]);
}}
"""
DANGEROUS_ATTRIBUTES = r"""
() => Array.from(document.querySelectorAll("*")).flatMap(el => Array.from(el.attributes)
  .filter(a => /^on/i.test(a.name) || (/^(href|src|action|formaction|xlink:href|data)$/i
    .test(a.name) && /^\s*(javascript|vbscript|data):/i.test(a.value)))
  .map(a => `<${el.tagName.toLowerCase()} ${a.name}=${JSON.stringify(a.value)}>`))
"""


def norm(text: str) -> str:
    """Text as compared on the page: NUL gone, whitespace runs as one space."""
    return " ".join(text.replace("\x00", "").split())


def title_payloads(payloads: list[str]) -> list[str]:
    """Payloads as question titles: one printable line of 15–150 characters (short ones
    padded with words, long ones left out)."""
    titles = []
    for payload in payloads:
        title = " ".join(payload.split())
        if not title.isprintable():
            continue
        if len(title) < TITLE_MIN:
            title = f"{title} {TITLE_PADDING}"
        if len(title) <= TITLE_MAX and title not in titles:
            titles.append(title)
    return titles


def problems_in_our_markup(elements: list[dict]) -> list[str]:
    problems = []
    for el in elements:
        if el["tag"] not in OUR_TAGS:
            problems.append(f"<{el['tag']}> is not part of our markup")
        for name, value in el["attrs"]:
            if name not in OUR_ATTRIBUTES:
                problems.append(f"<{el['tag']} {name}={value!r}>: not one of our attributes")
            elif name == "href" and not value.startswith("/"):
                problems.append(f"<{el['tag']} href={value!r}>: not a link of this site")
    return problems


def assert_user_content_is_inert(page: Page, trap: DialogTrap, browser_log) -> None:
    """Markdown passes the sanitiser's allowlist, plain text stays inside our markup, no
    element anywhere has a handler or a script URL, and nothing ran."""
    problems = []
    for index, prose in enumerate(page.locator(".prose").all()):
        problems += [f".prose #{index}: {p}" for p in problems_in_user_content(
            prose.evaluate(AUDIT))]
    for place, elements in page.evaluate(AUDIT_PLACES, PLAIN_TEXT_PLACES):
        problems += [f"{place}: {p}" for p in problems_in_our_markup(elements)]
    problems += page.evaluate(DANGEROUS_ATTRIBUTES)
    assert problems == [], f"{page.url}\n" + "\n".join(problems)
    assert_page_is_inert(page, trap, browser_log)


# --- the forum, written by the services and straight into the database ------------------------


@dataclass
class Forum:
    """What the page should show: plain data, no ORM object leaves the app context."""

    titles: dict[int, str] = field(default_factory=dict)
    comments: dict[int, list[str]] = field(default_factory=dict)  # per question page
    answers: dict[int, int] = field(default_factory=dict)  # answers per question page
    tags: set[str] = field(default_factory=set)


def insert_question(author, title: str, body: str, tags) -> Question:
    """A question as `ask_question` would make it, without its checks."""
    now = utcnow()
    question = Question(author=author, title=title, body_md=body, body_html=render_markdown(body),
                        tags=tags, created_at=now, updated_at=now, last_activity_at=now)
    db.session.add(question)
    db.session.flush()
    return question


def insert_answer(author, question: Question, body: str) -> Answer:
    answer = Answer(question=question, author=author, body_md=body,
                    body_html=render_markdown(body))
    question.answer_count += 1
    db.session.add(answer)
    db.session.flush()
    return answer


def insert_comment(author, post, body: str) -> Comment:
    target = {"question_id": post.id} if isinstance(post, Question) else {"answer_id": post.id}
    comment = Comment(author=author, body=body[:COMMENT_MAX], **target)
    db.session.add(comment)
    return comment


def seed_forum(live_server, people, payloads: list[str], titles: list[str]) -> Forum:
    """Every payload in a question body and an answer, each made once by the services and
    once straight in the database; every payload as a comment; every title on a question."""
    from app.accounts.models import User

    forum = Forum()
    with live_server.app.app_context():
        asker, answerer, commenter = (db.session.get(User, p.id) for p in people)
        names = [n for n in dict.fromkeys(map(norm_tag, payloads)) if n] + HOSTILE_TAGS
        tags = services.get_or_create_tags(names)
        forum.tags.update(names)
        groups = pack_into_bios(payloads, BODY_LIMIT)
        posts = []
        for i, group in enumerate(groups):
            answer_group = groups[(i + 1) % len(groups)]
            question = services.ask_question(asker, title=titles.pop(), body=typeable(group),
                                             tags=", ".join(t.name for t in tags[i::3][:5]))
            answer = services.answer_question(answerer, question, body=typeable(answer_group))
            posts += [(question, True), (answer, True)]
            question = insert_question(asker, titles.pop(), as_bio(group), tags[i + 1::3][:5])
            answer = insert_answer(answerer, question, as_bio(answer_group))
            posts += [(question, False), (answer, False)]
        for i, payload in enumerate(payloads):
            post, by_service = posts[i % len(posts)]
            if by_service and not has_control_characters(payload):
                services.comment_on(commenter, post, body=payload[:COMMENT_MAX])
            else:
                insert_comment(commenter, post, payload)
        for i, title in enumerate(titles):  # the rest of the titles: questions of their own
            if i % 2:
                insert_question(asker, title, "Details follow.", tags[i % len(tags):][:1])
            else:
                services.ask_question(asker, title=title, body="Details follow.", tags="xss")
                forum.tags.add("xss")
        db.session.commit()
        forum.titles = {q.id: q.title for q in db.session.scalars(db.select(Question))}
        forum.answers = {q.id: len(q.answers) for q, _ in posts if isinstance(q, Question)}
        shown_on = db.func.coalesce(Comment.question_id, Answer.question_id)
        for body, question_id in db.session.execute(db.select(Comment.body, shown_on).outerjoin(
                Answer, Comment.answer_id == Answer.id)):
            forum.comments.setdefault(question_id, []).append(body)
        drain_all()  # the search index follows, as it would after a request
    return forum


def typeable(group: list[str]) -> str:
    """The payloads of a group that the forms (and so the services' callers) accept."""
    return as_bio([p for p in group if not has_control_characters(p)]) or "Details follow."


def norm_tag(payload: str) -> str | None:
    try:
        return services.normalise_tag(payload)
    except Invalid:
        return None


def writers(live_server):
    return [live_server.create_user(display_name=name) for name in
            ("Asha Asker", "Ansel Answerer", "Cora Commenter")]


def all_payloads() -> list[str]:
    return sample_payloads() + OUR_PAYLOADS + CONTROL_PAYLOADS


# --- what a person sees ----------------------------------------------------------------------


def check_question_page(page: Page, trap, browser_log, forum: Forum, question_id: int) -> None:
    page.goto(f"/questions/{question_id}")
    title = norm(forum.titles[question_id])
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_count(1)
    assert norm(heading.text_content()) == title, "the title must show as typed, as text"
    assert page.title() == f"{title} · Skillswap"
    proses = page.locator(".prose")
    expect(proses).to_have_count(1 + forum.answers[question_id])
    assert all(p.strip() for p in proses.all_inner_texts()), "a post shows no text"
    shown = page.locator(".comment").evaluate_all(
        "items => items.map(li => li.firstChild.nodeValue)")
    expected = forum.comments.get(question_id, [])
    assert sorted(norm(c).removesuffix("—").strip() for c in shown) == sorted(
        map(norm, expected)), "comments must show as typed, as text"
    assert_user_content_is_inert(page, trap, browser_log)


def ask_in_the_browser(page: Page, trap, browser_log, title: str, body: str) -> None:
    """Hostile tags are refused next to the field, with everything typed kept; then the
    question is posted."""
    page.goto("/questions/ask")
    with page.expect_response(lambda r: "/questions/similar" in r.url) as similar:
        page.get_by_label("Title").fill(title)
    assert similar.value.ok, "the similar-questions lookup failed"
    page.get_by_label("Details").fill(body)
    tags = page.get_by_label("Tags")
    for typed in TAG_TYPED:
        tags.fill(typed)
        page.get_by_role("button", name="Post your question").click()
        expect(page).to_have_url(re.compile(r"/questions/ask$"))
        # Similar questions (titles full of payloads) are listed again with the form
        expect(page.locator(".similar-questions .question-links a")).not_to_have_count(0)
        tags = page.get_by_label("Tags")
        expect(tags).to_have_attribute("aria-invalid", "true")
        expect(tags).to_have_accessible_description(re.compile(re.escape(TAG_ERROR)))
        expect(page.locator(".field.has-error")).to_have_count(1)
        expect(page.locator(".field.has-error .error")).to_contain_text(TAG_ERROR)
        expect(tags).to_have_value(typed.strip())
        expect(page.get_by_label("Title")).to_have_value(title)
        assert norm(page.get_by_label("Details").input_value()) == norm(body)
        assert_user_content_is_inert(page, trap, browser_log)
    tags.fill("xss-typed, c#")
    page.get_by_role("button", name="Post your question").click()
    expect(page.get_by_role("status")).to_contain_text("Your question is posted.")
    expect(page).to_have_url(re.compile(r"/questions/\d+/[\w-]+$"))


@CSP_MODES
def test_payloads_in_forum_posts_never_run(page: Page, live_server, log_in, browser_log):
    payloads = all_payloads()
    titles = title_payloads(payloads)
    formable = [p for p in payloads if not has_control_characters(p)]
    question_body, answer_body = (as_bio(g) for g in pack_into_bios(formable[::-1],
                                                                    FORM_TEXT_LIMIT)[:2])
    comment = next(p for p in formable if "<script" in p.lower())
    browser_title = titles.pop(0)
    viewer = live_server.create_user(display_name="Vic Viewer")
    forum = seed_forum(live_server, writers(live_server), payloads, titles[:])
    trap = DialogTrap(page)

    log_in(viewer)
    ask_in_the_browser(page, trap, browser_log, browser_title, question_body)
    question_id = int(re.search(r"/questions/(\d+)/", page.url).group(1))
    assert_user_content_is_inert(page, trap, browser_log)

    page.get_by_role("textbox", name="Your answer").fill(answer_body)
    page.get_by_role("button", name="Post your answer").click()
    expect(page.get_by_role("status")).to_contain_text("Your answer is posted.")
    answer = page.locator("article.answer")
    expect(answer).to_have_count(1)
    answer.get_by_text("Add a comment").click()
    answer.get_by_role("textbox", name="Comment").fill(comment)
    answer.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_contain_text("Your comment is posted.")
    forum.titles[question_id] = browser_title
    forum.answers[question_id] = 1
    forum.comments[question_id] = [comment]
    forum.tags.update(["xss-typed", "c#"])

    for shown in forum.answers:  # every question with answers and comments
        check_question_page(page, trap, browser_log, forum, shown)

    listed = []
    per_page = live_server.app.config["QUESTIONS_PER_PAGE"]
    for number in range(1, -(-len(forum.titles) // per_page) + 1):
        page.goto(f"/questions/?page={number}")
        links = page.locator(".question-title a")
        expect(links).not_to_have_count(0)
        listed += links.all_text_contents()
        assert_user_content_is_inert(page, trap, browser_log)
    assert sorted(map(norm, listed)) == sorted(map(norm, forum.titles.values()))

    page.goto("/tags/")
    expect(page.locator(".tag-grid .tag")).to_have_count(len(forum.tags))
    assert set(page.locator(".tag-grid .tag").all_text_contents()) == forum.tags
    assert_user_content_is_inert(page, trap, browser_log)
    page.locator(".tag-grid .tag", has_text=re.compile(r"^hx-get$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"tagged\s+hx-get$"))
    expect(page.locator(".question-title a")).not_to_have_count(0)
    assert_user_content_is_inert(page, trap, browser_log)


def search_page_missing(app) -> str | None:
    """Why the search page can't be tested yet, or None when it is there."""
    from jinja2 import TemplateNotFound

    if "search.search" not in app.view_functions:
        return "there is no search page yet (GET /search, app/search/routes.py)"
    try:
        app.jinja_env.get_template("search/search_results.html")
    except TemplateNotFound:
        return "the search page's template search/search_results.html does not exist yet"
    return None


@CSP_MODES
def test_payloads_in_search_results_never_run(page: Page, live_server, log_in, browser_log):
    missing = search_page_missing(live_server.app)
    if missing:
        pytest.skip(missing)
    payloads = all_payloads()
    titles = title_payloads(payloads)
    viewer = live_server.create_user(display_name="Vic Viewer")
    forum = seed_forum(live_server, writers(live_server), payloads, titles[:])
    trap = DialogTrap(page)

    log_in(viewer)
    for query in ["alert", "script onerror", "javascript", "<script>alert('q')</script>",
                  "\" onfocus=\"alert('q')\" autofocus x=\""]:
        page.goto("/search?" + urlencode({"q": query}))
        expect(page.locator("input[name=q]").first).to_have_value(query)
        assert_user_content_is_inert(page, trap, browser_log)
        if query == "alert":  # found, with the searched word highlighted
            found = {norm(t) for t in page.locator("main a").all_text_contents()}
            assert found & {norm(t) for t in forum.titles.values()}, "no question found"
            expect(page.locator("main mark")).not_to_have_count(0)
