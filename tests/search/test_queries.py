"""Finding questions: analysis, ranking, syntax, highlighting, "did you mean", similar."""

from __future__ import annotations

import pytest

from app.search import outbox
from app.search.queries import search_questions, similar_questions
from tests.factories import make_admin
from tests.search.factories import make_answer, make_question


def found(text, **kwargs) -> list[int]:
    return [hit.question.id for hit in search_questions(text, **kwargs).items]


@pytest.fixture
def indexed(app):
    """Make rows, then drain so the index follows."""
    def drain():
        outbox.drain_all()
    return drain


def test_stemming_finds_other_forms(app, indexed):
    q = make_question(title="How do I run migrations safely?")
    indexed()
    assert found("running") == [q.id]
    assert found("runs") == [q.id]


def test_accents_fold_both_ways(app, indexed):
    cafe = make_question(title="Where is the best café near the office?")
    resume = make_question(title="How do I write a resume for an internal move")
    indexed()
    assert found("cafe") == [cafe.id]
    assert found("CAFÉ") == [cafe.id]
    assert found("résumé") == [resume.id]


def test_title_ranks_above_body(app, indexed):
    in_body = make_question(title="A question about deployment",
                            body_md="We use kubernetes for everything here.")
    in_title = make_question(title="Kubernetes ingress keeps failing",
                             body_md="Nothing else to say.")
    indexed()
    assert found("kubernetes") == [in_title.id, in_body.id]


def test_all_terms_rank_above_some(app, indexed):
    one = make_question(title="Python packaging questions here", body_md="Only one word.")
    both = make_question(title="Python testing strategies for teams", body_md="More.")
    indexed()
    assert found("python testing")[0] == both.id
    assert set(found("python testing")) == {one.id, both.id}


def test_answers_text_is_findable_hidden_answers_not(app, indexed):
    q = make_question(title="Which editor should I use for notes?")
    make_answer(q, body_md="Try **obsidian** for linked notes.")
    make_answer(q, body_md="Secret zettelkasten tip", is_hidden=True)
    indexed()
    assert found("obsidian") == [q.id]
    assert found("zettelkasten") == []


def test_hidden_question_disappears_and_edit_reindexes(app, indexed):
    q = make_question(title="Original wording of this question")
    indexed()
    assert found("original") == [q.id]
    q.title = "Completely rephrased question title"
    from app.extensions import db
    db.session.commit()
    indexed()
    assert found("original") == []
    assert found("rephrased") == [q.id]
    q.is_hidden = True
    db.session.commit()
    indexed()
    assert found("rephrased") == []


def test_stale_hidden_row_dropped_unless_admin(app, indexed):
    from app.extensions import db
    q = make_question(title="Visible then hidden without draining")
    indexed()
    q.is_hidden = True
    db.session.commit()  # not drained: the index still has it
    assert found("hidden") == []
    assert found("hidden", viewer=make_admin()) == [q.id]


def test_quoted_phrase_prefix_tag_and_is_filters(app, indexed):
    tea = make_question(title="Making a cup of green tea at work", tags=["kitchen"])
    green = make_question(title="Green energy and tea plantations", tags=["energy"])
    prefixed = make_question(title="Containerisation pitfalls explained", tags=["docker"])
    answered = make_question(title="Answered question about tea bags", tags=["kitchen"])
    make_answer(answered)
    indexed()
    assert found('"green tea"') == [tea.id]
    assert found("contain*") == [prefixed.id]
    assert set(found("tea tag:kitchen")) == {tea.id, answered.id}
    assert set(found("tea", tag="energy")) == {green.id}
    assert found("tea is:answered") == [answered.id]
    assert answered.id not in found("tea is:unanswered")
    assert set(found("is:unanswered")) == {tea.id, green.id, prefixed.id}
    assert found("docker") == [prefixed.id]  # a tag is searched as a word too


def test_accepted_filter(app, indexed):
    from app.extensions import db
    q = make_question(title="Question that gets an accepted answer")
    other = make_question(title="Question without an accepted answer")
    answer = make_answer(q)
    q.accepted_answer = answer
    db.session.commit()
    indexed()
    assert found("question is:accepted") == [q.id]
    assert other.id in found("question")


def test_sort_newest(app, indexed):
    from datetime import UTC, datetime, timedelta
    now = datetime.now(UTC)
    old = make_question(title="Laptop setup question old", created_at=now - timedelta(days=3))
    new = make_question(title="Laptop laptop laptop setup", created_at=now)
    indexed()
    assert found("laptop", sort="newest") == [new.id, old.id]


def test_highlights_escape_user_text(app, indexed):
    make_question(title="Escaping <script>alert(1)</script> in templates",
                  body_md="Use `<b>` carefully & escape everything about templates")
    indexed()
    hit = search_questions("templates").items[0]
    assert "<script>" not in hit.title_html
    assert "&lt;script&gt;" in hit.title_html
    assert '<mark class="hl t0">templates</mark>' in hit.title_html
    assert "<b>" not in hit.snippet_html and "&lt;b&gt;" in hit.snippet_html
    assert "&amp;" in hit.snippet_html


def test_did_you_mean(app, indexed):
    make_question(title="Kubernetes deployment checklist")
    indexed()
    results = search_questions("kubrenetes deployment")
    assert results.suggestion == "kubernetes deployment"
    assert search_questions("kubernetes").suggestion is None


def test_pagination_is_capped(app, indexed):
    for n in range(5):
        make_question(title=f"Pagination sample question {n}")
    indexed()
    first = search_questions("pagination", per_page=2)
    assert first.total == 5 and first.pages == 3 and len(first.items) == 2
    last = search_questions("pagination", per_page=2, page=3)
    assert len(last.items) == 1
    assert search_questions("pagination", per_page=2, page=10_000).page == 50


def test_empty_and_junk_queries_give_messages(app, indexed):
    assert search_questions("").items == []
    results = search_questions("AND OR NOT")
    assert results.items == [] and results.messages
    assert search_questions("is:bogus").messages


def test_similar_questions(app, indexed):
    me = make_question(title="How to profile slow Python code")
    near = make_question(title="Profiling Python memory usage")
    make_question(title="Best lunch spots downtown")
    hidden = make_question(title="Python profile hidden", is_hidden=True)
    indexed()
    similar = similar_questions("profiling python code", exclude_id=me.id)
    assert [q.id for q in similar] == [near.id]
    assert hidden not in similar
    assert similar_questions("") == []
    assert similar_questions('tag:"weird is:answered') == []


def test_hidden_questions_are_searched_by_admins_only(app, indexed):
    hidden = make_question(title="Moderated thread about lanyards", is_hidden=True)
    indexed()
    everyone = search_questions("lanyards")
    assert everyone.total == 0 and everyone.items == []  # excluded in the index, not after
    admin = search_questions("lanyards", viewer=make_admin())
    assert admin.total == 1 and [h.question.id for h in admin.items] == [hidden.id]
    assert similar_questions("Moderated thread about lanyards") == []
