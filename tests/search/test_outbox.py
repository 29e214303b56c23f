"""The outbox: rows written in the change's transaction, drained idempotently."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from whoosh.query import Term

from app.extensions import db
from app.search import outbox
from app.search.index import get_search_index
from app.search.models import SearchOutbox
from tests.factories import make_user
from tests.search.factories import get_tag, make_answer, make_question, only_questions


@pytest.fixture(autouse=True)
def _questions_only(monkeypatch):
    only_questions(monkeypatch)


def outbox_rows() -> list[tuple[str, int]]:
    return [tuple(r) for r in db.session.execute(
        select(SearchOutbox.doc_type, SearchOutbox.doc_id).order_by(SearchOutbox.id)).all()]


def indexed_ids() -> set[int]:
    return get_search_index().indexed_ids("question")


def test_change_writes_outbox_row_in_same_transaction(app):
    question = make_question(commit=False)
    db.session.flush()
    # Visible on the flush's connection before commit: same transaction.
    assert ("question", question.id) in outbox_rows()
    db.session.commit()
    assert outbox_rows().count(("question", question.id)) == 1


def test_rollback_removes_outbox_rows(app):
    make_question(commit=False)
    db.session.flush()
    assert outbox_rows()
    db.session.rollback()
    assert outbox_rows() == []


def test_one_row_per_document_per_transaction(app):
    author = make_user()
    question = make_question(author=author, commit=False)
    make_answer(question, author=author, commit=False)
    db.session.flush()
    make_answer(question, author=author, commit=False)
    db.session.commit()
    assert outbox_rows().count(("question", question.id)) == 1


def test_answer_touches_its_question(app):
    question = make_question()
    outbox.drain_all()
    make_answer(question)
    assert outbox_rows() == [("question", question.id)]


def test_tag_change_touches_the_question(app):
    question = make_question(tags=["python"])
    outbox.drain_all()
    question.tags.append(get_tag("flask"))
    db.session.commit()
    assert outbox_rows() == [("question", question.id)]


def test_unchanged_dirty_object_writes_nothing(app):
    question = make_question()
    outbox.drain_all()
    question.title = question.title  # set, but not modified
    db.session.commit()
    assert outbox_rows() == []


def test_touch_is_transactional(app):
    outbox.touch("question", 42)
    db.session.rollback()
    assert outbox_rows() == []
    outbox.touch("question", 42)
    db.session.commit()
    assert outbox_rows() == [("question", 42)]


def test_drain_indexes_and_is_idempotent(app):
    question = make_question(title="Idempotent draining of things")
    assert outbox.drain() == 1
    assert outbox_rows() == []
    assert indexed_ids() == {question.id}
    assert outbox.drain() == 0
    for _ in range(2):  # two transactions: two rows for one document
        outbox.touch("question", question.id)
        db.session.commit()
    assert outbox.drain() == 2
    assert indexed_ids() == {question.id}
    count = get_search_index().run(lambda s: s.doc_count())
    assert count == 1


def test_drain_deletes_deleted_and_flags_hidden(app):
    kept, hidden, deleted = make_question(), make_question(), make_question()
    outbox.drain_all()
    assert indexed_ids() == {kept.id, hidden.id, deleted.id}
    hidden.is_hidden = True
    db.session.delete(deleted)
    db.session.commit()
    outbox.drain_all()
    assert indexed_ids() == {kept.id, hidden.id}

    def flagged(searcher):
        return {searcher.stored_fields(n)["doc_id"]
                for n in searcher.docs_for_query(Term("is_hidden", True))}
    assert get_search_index().run(flagged) == {hidden.id}


def test_drain_respects_max_rows(app):
    for _ in range(3):
        make_question()
    assert outbox.drain(max_rows=2) == 2
    assert db.session.scalar(select(func.count(SearchOutbox.id))) == 1
    assert outbox.drain_all() == 1


def test_locked_index_leaves_rows(app):
    app.extensions["search_index"].lock_timeout = 0.05
    question = make_question()
    holder = get_search_index().writer()
    try:
        assert outbox.drain() == 0
        assert outbox_rows() == [("question", question.id)]
    finally:
        holder.cancel()
    assert outbox.drain() == 1
    assert indexed_ids() == {question.id}


def test_search_disabled_writes_nothing(app):
    app.config["SEARCH_ENABLED"] = False
    make_question()
    assert outbox_rows() == []
    assert outbox.drain() == 0


def test_drain_failure_never_raises(app, monkeypatch, caplog):
    make_question()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(get_search_index(), "write", broken)
    outbox.drain_quietly(app)  # logs, does not raise
    assert "search outbox failed" in caplog.text
    assert len(outbox_rows()) == 1


def test_stored_document_fields(app):
    question = make_question(title="Fields of the document", tags=["python", "flask"],
                             body_md="Some *markdown* body")
    make_answer(question, body_md="An `answer` here")
    make_answer(question, body_md="Hidden answer text", is_hidden=True)
    outbox.drain_all()

    def fields(searcher):
        return searcher.document(doc_key=f"question:{question.id}")

    stored = get_search_index().run(fields)
    assert stored["title"] == "Fields of the document"
    assert stored["tags"] == "flask,python"
    assert "Some markdown body" in stored["body"]
    assert "An answer here" in stored["body"]
    assert "Hidden" not in stored["body"]
    answered = get_search_index().run(
        lambda s: s.search(Term("is_answered", True)).scored_length())
    assert answered == 1


@pytest.mark.parametrize("inline", [False])
def test_drain_runs_after_response_is_closed(app, client, auth, inline):
    """Production path: the drain is attached to the response's close()."""
    from flask_login import login_required

    app.config["SEARCH_DRAIN_INLINE"] = inline

    @login_required
    def create():
        make_question(title="Created inside a request")
        return "ok"

    app.add_url_rule("/_test/create-question", "test_create", create, methods=["POST"])
    auth.login(make_user())
    response = client.post("/_test/create-question")
    assert response.status_code == 200
    assert len(outbox_rows()) == 1  # not drained yet: the response is still open
    response.close()
    assert outbox_rows() == []
    assert len(indexed_ids()) == 1
