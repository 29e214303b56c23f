"""Session proposal pages: proposing, the list (interest order, skill filter, pagination,
"Proposals you could teach"), the interest button in place with htmx and as a plain form,
withdrawing, permissions, CSRF, and a constant number of queries."""

from __future__ import annotations

import re
import threading
from html import unescape

import pytest
from sqlalchemy import func, select

from app.events import proposals
from app.events.models import PROPOSAL_WITHDRAWN, ProposalInterest, SessionProposal
from app.extensions import db
from tests.conftest import HTMX
from tests.factories import make_user
from tests.offers.factories import make_offer, make_skill
from tests.support.queries import count_queries
from tests.support.servers import GunicornServer, send, session_cookie

WISH = "Window functions, explained with real examples."


def text(response) -> str:
    words = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))
    return re.sub(r" ([.,;:!?])", r"\1", words)


def login(auth, user):
    auth.logout()
    assert auth.login(user).status_code == 303


def propose(user=None, skill="SQL", text=WISH) -> SessionProposal:
    proposal = proposals.propose_session(user or make_user(), skill, text)
    db.session.commit()
    return proposal


def card(response, proposal) -> str:
    html = response.text
    start = html.index(f'id="proposal-{proposal.id}"')
    return html[start:html.index("</article>", start)]


@pytest.fixture
def me(auth):
    user = make_user(display_name="Mia Me")
    login(auth, user)
    return user


def test_proposing_a_session(client, me):
    form = client.get("/events/proposals/new?skill=Rust")
    assert form.status_code == 200
    assert 'value="Rust"' in form.text and 'maxlength="500"' in form.text
    assert '<label for="text">' in form.text

    response = client.post("/events/proposals/new", data={"skill": "Rust", "text": WISH})
    proposal = db.session.scalar(select(SessionProposal))
    assert response.status_code == 303
    assert response.headers["Location"] == (f"/events/proposals/?skill={proposal.skill.slug}"
                                            f"#proposal-{proposal.id}")
    page = client.get(response.headers["Location"])
    assert "Your proposal is up." in text(page)
    mine = card(page, proposal)
    assert "Rust" in mine and WISH in mine and "Withdraw" in mine
    assert (proposal.user_id, proposal.interest_count) == (me.id, 1)


@pytest.mark.parametrize(("data", "message"), [
    ({"skill": "SQL", "text": "too short"}, "at least 10 characters"),
    ({"skill": "SQL", "text": "x" * 501}, "Keep it to 500 characters at most."),
    ({"skill": "", "text": WISH}, "Name a skill"),
    ({"skill": "a" * 81, "text": WISH}, "characters at most"),
    ({"skill": "<b>", "text": WISH}, "Use letters, digits"),
])
def test_a_bad_proposal_comes_back_with_the_message_and_what_was_typed(client, me, data,
                                                                       message):
    response = client.post("/events/proposals/new", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert (data["text"][:20]) in response.text
    assert db.session.scalar(select(SessionProposal)) is None


def test_proposing_the_same_skill_twice_says_so(client, me):
    propose(me, "SQL")
    response = client.post("/events/proposals/new", data={"skill": "sql", "text": WISH})
    assert response.status_code == 400
    assert "You already have an open proposal for SQL" in text(response)


def test_the_list_is_sorted_by_interest_and_filtered_by_skill(client, me):
    quiet = propose(skill="SQL", text="Indexes: when do they help, really?")
    loud = propose(skill="Rust")
    proposals.add_interest(loud, make_user())
    db.session.commit()
    page = client.get("/events/proposals/")
    assert page.text.index(f'id="proposal-{loud.id}"') < page.text.index(
        f'id="proposal-{quiet.id}"')
    assert "2 open proposals, most wanted first" in text(page)

    only_sql = client.get(f"/events/proposals/?skill={quiet.skill.slug}")
    assert f'id="proposal-{quiet.id}"' in only_sql.text
    assert f'id="proposal-{loud.id}"' not in only_sql.text
    unknown = client.get("/events/proposals/?skill=no-such-skill")
    assert unknown.status_code == 200 and "There's no skill at that address" in text(unknown)
    assert 'id="proposal-' not in unknown.text


def test_the_list_is_paginated(app, client, me):
    app.config["PROPOSALS_PER_PAGE"] = 2
    made = [propose(skill=f"Skill {n}") for n in range(3)]
    first, second = client.get("/events/proposals/"), client.get("/events/proposals/?page=2")
    assert first.text.count('class="card proposal-card"') == 2
    assert second.text.count('class="card proposal-card"') == 1
    assert 'rel="next"' in first.text
    shown = {p.id for p in made if f'id="proposal-{p.id}"' in first.text + second.text}
    assert shown == {p.id for p in made}


def test_interest_in_place_with_htmx_and_a_double_click_counts_once(client, me):
    proposal = propose()
    first = client.post(f"/events/proposals/{proposal.id}/interest", headers=HTMX)
    assert first.status_code == 200 and "<html" not in first.text
    assert first.text.lstrip().startswith("<article")
    assert "Interested ✓" in first.text and "Interest added." in text(first)
    assert '<strong class="interest-count">2</strong>' in first.text

    second = client.post(f"/events/proposals/{proposal.id}/interest", headers=HTMX)
    assert second.status_code == 200 and "You'd already added your interest." in text(second)
    assert '<strong class="interest-count">2</strong>' in second.text
    db.session.refresh(proposal)
    assert proposal.interest_count == 2

    removed = client.post(f"/events/proposals/{proposal.id}/interest/remove", headers=HTMX)
    assert "I'm interested too" in removed.text
    assert '<strong class="interest-count">1</strong>' in removed.text


def test_interest_without_javascript_goes_back_to_the_same_list(client, me):
    proposal = propose()
    back = f"/events/proposals/?skill={proposal.skill.slug}"
    response = client.post(f"/events/proposals/{proposal.id}/interest", data={"next": back})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{back}#proposal-{proposal.id}"
    assert "Interest added." in text(client.get(response.headers["Location"]))
    evil = client.post(f"/events/proposals/{proposal.id}/interest/remove",
                       data={"next": "https://evil.example/"})
    assert evil.headers["Location"] == f"/events/proposals/#proposal-{proposal.id}"


def test_withdrawing_is_for_the_proposer_and_closes_interest(client, auth, me):
    proposal = propose(make_user())
    assert client.post(f"/events/proposals/{proposal.id}/withdraw").status_code == 403
    assert "Withdraw" not in card(client.get("/events/proposals/"), proposal)

    login(auth, proposal.user)
    response = client.post(f"/events/proposals/{proposal.id}/withdraw")
    assert response.status_code == 303 and "Proposal withdrawn." in text(
        client.get(response.headers["Location"]))
    db.session.refresh(proposal)
    assert proposal.status == PROPOSAL_WITHDRAWN
    assert f'id="proposal-{proposal.id}"' not in client.get("/events/proposals/").text

    login(auth, me)
    late = client.post(f"/events/proposals/{proposal.id}/interest", headers=HTMX)
    assert late.status_code == 409 and "This proposal was withdrawn" in text(late)
    plain = client.post(f"/events/proposals/{proposal.id}/interest")
    assert "This proposal was withdrawn" in text(client.get(plain.headers["Location"]))
    assert client.post("/events/proposals/999/interest").status_code == 404


def test_teachers_see_proposals_they_could_teach_first_with_a_schedule_link(client, auth, me):
    sql = make_skill("SQL")
    popular = propose(skill="Rust")
    proposals.add_interest(popular, make_user())
    wanted = propose(skill="SQL")
    db.session.commit()
    page = client.get("/events/proposals/")
    assert "Proposals you could teach" not in page.text
    assert "Schedule this session" not in page.text

    make_offer(me, skill=sql)
    page = client.get("/events/proposals/")
    section = page.text[page.text.index("Proposals you could teach"):
                        page.text.index('id="proposals-heading"')]
    assert f'id="proposal-{wanted.id}"' in section
    assert f'href="/events/new?proposal={wanted.id}"' in section
    assert f'id="proposal-{popular.id}"' not in section
    assert page.text.count(f'id="proposal-{wanted.id}"') == 1  # not listed twice
    assert "Other open proposals" in page.text


def test_everything_needs_a_login_and_a_csrf_token(app, client, auth):
    proposal = propose()
    assert client.get("/events/proposals/").status_code == 302
    assert client.post(f"/events/proposals/{proposal.id}/interest").status_code == 302
    login(auth, make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/events/proposals/{proposal.id}/interest").status_code == 400
    expired = client.post("/events/proposals/new", data={"skill": "Go", "text": WISH})
    assert "Your form expired" in text(expired) and WISH in expired.text
    db.session.refresh(proposal)
    assert proposal.interest_count == 1
    assert db.session.scalars(select(SessionProposal)).all() == [proposal]


def _proposals_with_interest(n: int, teacher, prefix: str) -> None:
    for i in range(n):
        proposal = propose(skill=f"{prefix} {i}")
        proposals.add_interest(proposal, make_user())
        if i % 2:
            proposals.add_interest(proposal, teacher)
            make_offer(teacher, skill=proposal.skill)
    db.session.commit()


def test_the_list_runs_a_constant_number_of_queries(client, me):
    _proposals_with_interest(2, me, "Few")
    few = count_queries(client, "/events/proposals/")
    _proposals_with_interest(12, me, "Many")
    many = count_queries(client, "/events/proposals/")
    assert many == few


# -- Real requests racing ------------------------------------------------------------------


def post_at_once(server, posts: list[tuple[str, str]], body: bytes = b"") -> list[int]:
    """Send every (path, cookie) POST at the same moment, each from its own thread and
    connection; returns the statuses (0 when a request failed outright)."""
    barrier = threading.Barrier(len(posts))
    statuses = [0] * len(posts)

    def post(index: int, path: str, cookie: str) -> None:
        connection = server.connection(60)
        try:
            connection.connect()
            barrier.wait(60)
            statuses[index] = send(connection, "POST", path, cookie=cookie, body=body)[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, path, cookie))
               for i, (path, cookie) in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses


def test_interest_clicked_at_once_by_many_and_twice_by_some_counts_each_person_once(
        app, app_config, tmp_path):
    proposal = propose()
    people = [make_user(commit=False) for _ in range(10)]
    db.session.commit()
    path = f"/events/proposals/{proposal.id}/interest"
    posts = [(path, session_cookie(app, p)) for p in people for _ in range(2)]
    with GunicornServer(app_config, tmp_path, workers=4, threads=4) as server:
        statuses = post_at_once(server, posts)
        log = server.log_tail(20_000)
    assert statuses == [303] * len(posts), log
    assert "Traceback" not in log, log
    db.session.expire_all()
    proposal = db.session.get(SessionProposal, proposal.id)
    rows = db.session.scalar(select(func.count()).select_from(ProposalInterest)
                             .where(ProposalInterest.proposal_id == proposal.id))
    assert proposal.interest_count == rows == 11  # ten people and the proposer
