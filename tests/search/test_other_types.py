"""Skills, offers and people in the search index: found by their words, hidden when they
should be, kept in step by the outbox, covered by reindex and check, and the page's tabs."""

from __future__ import annotations

import html
import re

import pytest

from app.extensions import db
from app.offers.models import CLOSED, LEARN, PAUSED, TEACH
from app.search import outbox
from app.search.index import get_search_index
from app.search.maintenance import check_index, rebuild_index
from app.search.queries import search_documents, search_questions, similar_questions
from app.skills.merging import merge_skills
from app.skills.services import rename_skill
from tests.factories import make_admin, make_user
from tests.search.factories import make_question
from tests.skills.factories import make_category, make_offer, make_skill


def found(text: str, doc_type: str | None, viewer=None) -> list[tuple[str, int]]:
    hits = search_documents(text, doc_type=doc_type, viewer=viewer).items
    return [(hit.kind, hit.item.id if hit.kind != "question" else hit.question.id)
            for hit in hits]


def ids(text: str, doc_type: str, viewer=None) -> list[int]:
    return [i for _, i in found(text, doc_type, viewer)]


@pytest.fixture
def market(app):
    """A small marketplace, indexed."""
    devops = make_category("Platform")
    k8s = make_skill("Kubernetes", aliases=("k8s",), category=devops)
    python = make_skill("Python")
    ana = make_user(display_name="Ana Quintero", department="Cartography",
                    job_title="Map maker", location="Lisbon")
    bob = make_user(display_name="Bob Smith", department="Finance")
    teach = make_offer(k8s, ana, kind=TEACH, description_md="Clusters from scratch.")
    learn = make_offer(python, bob, kind=LEARN, level="beginner")
    outbox.drain_all()
    return {"k8s": k8s, "python": python, "ana": ana, "bob": bob, "teach": teach,
            "learn": learn, "category": devops}


def test_skill_found_by_name_alias_and_category(market):
    assert ids("k8s", "skill") == [market["k8s"].id]
    assert ids("kubernetes", "skill") == [market["k8s"].id]
    assert ids("platform", "skill") == [market["k8s"].id]


def test_offer_found_by_skill_alias_and_person(market):
    assert ids("kubernetes", "offer") == [market["teach"].id]
    assert ids("k8s", "offer") == [market["teach"].id]
    assert ids("quintero", "offer") == [market["teach"].id]
    assert ids("python bob", "offer")[0] == market["learn"].id


def test_person_found_by_department_title_and_place(market):
    assert ids("cartography", "person") == [market["ana"].id]
    assert ids("lisbon", "person") == [market["ana"].id]
    assert ids("finance", "person") == [market["bob"].id]


def test_all_mixes_kinds_and_questions_stay_apart(market):
    question = make_question(title="Running kubernetes at home")
    outbox.drain_all()
    kinds = {kind for kind, _ in found("kubernetes", None)}
    assert kinds == {"question", "skill", "offer"}
    assert [h.question.id for h in search_questions("kubernetes").items] == [question.id]
    assert [q.id for q in similar_questions("kubernetes cluster")] == [question.id]
    assert [q.id for q in similar_questions("cartography lisbon")] == []


def test_closed_paused_and_inactive_are_not_found(market):
    market["teach"].status = CLOSED
    market["learn"].status = PAUSED
    db.session.commit()
    outbox.drain_all()
    assert ids("kubernetes", "offer") == []
    assert ids("python", "offer") == []
    assert ids("k8s", "skill") == [market["k8s"].id]  # the skill itself stays


def test_deactivating_a_person_removes_them_and_their_offers(market):
    market["ana"].active = False
    db.session.commit()
    outbox.drain_all()
    assert ids("cartography", "person") == []
    assert ids("quintero", "offer") == []
    assert ids("kubernetes", "offer") == []
    market["ana"].active = True
    db.session.commit()
    outbox.drain_all()
    assert ids("cartography", "person") == [market["ana"].id]
    assert ids("kubernetes", "offer") == [market["teach"].id]


def test_read_side_drops_what_the_viewer_may_not_see(market):
    # The index still holds them (no drain yet): the database decides.
    market["teach"].status = CLOSED
    market["bob"].active = False
    db.session.commit()
    assert ids("kubernetes", "offer", viewer=market["bob"]) == []
    assert ids("kubernetes", "offer", viewer=market["ana"]) == [market["teach"].id]  # owner
    assert ids("finance", "person") == []


def test_renaming_a_skill_refreshes_its_offers(market):
    rename_skill(make_admin(), market["k8s"], "Container orchestration")
    db.session.commit()
    outbox.drain_all()
    assert ids("orchestration", "offer") == [market["teach"].id]
    assert ids("orchestration", "skill") == [market["k8s"].id]
    assert ids("kubernetes", "offer") == [market["teach"].id]  # the old name is an alias


def test_merging_skills_moves_offers_to_the_target_name(market):
    dup = make_skill("Pythn")
    offer = make_offer(dup, make_user(display_name="Cy Lee"))
    outbox.drain_all()
    merge_skills(make_admin(), dup, market["python"])
    db.session.commit()
    outbox.drain_all()
    assert offer.id in ids("python", "offer")
    assert ids("pythn", "skill") == [market["python"].id]  # the old name is an alias now
    assert dup.id not in get_search_index().indexed_ids("skill")


def test_login_does_not_touch_a_person(market):
    from app.core.db import utcnow
    from app.search.models import SearchOutbox

    market["ana"].last_login_at = utcnow()
    db.session.commit()
    assert db.session.query(SearchOutbox).count() == 0


def test_category_rename_refreshes_its_skills(market):
    market["category"].name = "Infrastructure"
    db.session.commit()
    outbox.drain_all()
    assert ids("infrastructure", "skill") == [market["k8s"].id]


def test_reindex_and_check_cover_every_type(market):
    get_search_index().rebuild([])
    report = check_index()
    missing = {t.doc_type: t.missing for t in report.types}
    assert missing["skill"] and missing["offer"] and missing["person"]
    rebuild_index()
    db.session.commit()
    report = check_index()
    assert report.consistent
    assert {"question", "skill", "offer", "person"} <= {t.doc_type for t in report.types}
    assert ids("k8s", "skill") == [market["k8s"].id]
    assert ids("cartography", "person") == [market["ana"].id]


def test_cli_check_includes_the_types(market, runner):
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    for name in ("skill", "offer", "person"):
        assert name in result.output


# -- the page ------------------------------------------------------------------------------

def _text(body: str) -> str:
    body = re.sub(r"</?(?:a|mark|span|code|strong|em)\b[^>]*>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_page_tabs_and_typed_hits(market, client, auth):
    auth.login(make_user())
    body = client.get("/search?q=k8s&type=skills").text
    assert 'aria-current="page">Skills' in body
    assert f'href="/skills/{market["k8s"].slug}"' in body
    assert "<mark" in body
    assert "Platform" in _text(body)
    assert "1 skill for" in _text(body)
    offers = client.get("/search?q=quintero&type=offers").text
    assert f'href="/offers/{market["teach"].id}"' in offers
    assert "Can teach Kubernetes" in _text(offers)
    assert "Ana Quintero" in _text(offers)
    people = client.get("/search?q=cartography&type=people").text
    assert f'href="/people/{market["ana"].handle}"' in people
    assert "Map maker" in _text(people)
    assert 'name="type" value="people"' in people
    everything = client.get("/search?q=kubernetes&type=all").text
    assert f'href="/skills/{market["k8s"].slug}"' in everything
    assert f'href="/offers/{market["teach"].id}"' in everything
    # The tabs link to each type, keeping the words; skills, offers and people are counted.
    assert re.search(r'href="/search\?q=kubernetes&amp;type=skills">Skills '
                     r'<span class="count">1</span>', everything)
    questions = client.get("/search?q=k8s").text
    assert 'aria-current="page">Questions' in questions
    assert "No questions match" in questions


def test_unknown_type_means_questions(market, client, auth):
    auth.login(make_user())
    body = client.get("/search?q=k8s&type=nonsense").text
    assert 'aria-current="page">Questions' in body
