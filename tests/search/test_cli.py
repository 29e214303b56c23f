"""`flask search sync|reindex|check`: what an operator runs and what they are told."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.search import outbox, registry
from app.search.index import SearchIndex, get_search_index
from app.search.models import SearchOutbox
from app.search.queries import search_questions
from tests.search.factories import make_question, only_questions


@pytest.fixture(autouse=True)
def _questions_only(monkeypatch):
    only_questions(monkeypatch)


def outbox_ids() -> list[tuple[str, int]]:
    db.session.rollback()  # see what the command committed
    return [tuple(r) for r in db.session.execute(
        select(SearchOutbox.doc_type, SearchOutbox.doc_id).order_by(SearchOutbox.id))]


def indexed() -> set[int]:
    return get_search_index().indexed_ids("question")


def found(text: str) -> list[str]:
    return [hit.question.title for hit in search_questions(text).items]


def flask(runner, *args: str):
    return runner.invoke(args=["search", *args])


@pytest.fixture
def quick_lock(app, monkeypatch):
    """Give up on a held index lock quickly (a rebuild would otherwise wait 10 s)."""
    index = get_search_index()
    index.lock_timeout = 0.05
    monkeypatch.setattr(index, "writer",
                        lambda timeout=None: SearchIndex.writer(index, timeout=0.05))


def test_sync_applies_the_outbox_and_says_how_much(app, runner):
    first = make_question(title="Synchronising the first question")
    second = make_question(title="Synchronising the second question")
    assert found("synchronising") == []
    result = flask(runner, "sync")
    assert result.exit_code == 0, result.output
    assert "Applied 2 outbox rows and merged the index." in result.output
    assert outbox_ids() == []
    assert indexed() == {first.id, second.id}
    assert sorted(found("synchronising")) == [first.title, second.title]
    assert get_search_index().run(lambda s: len(s.reader().leaf_readers())) == 1  # merged
    again = flask(runner, "sync")
    assert "Applied 0 outbox rows" in again.output


def test_sync_on_a_locked_index_fails_politely_and_keeps_the_rows(app, runner, quick_lock):
    question = make_question(title="Waiting for the lock to go")
    holder = get_search_index().writer()
    try:
        result = flask(runner, "sync")
    finally:
        holder.cancel()
    assert result.exit_code == 1
    assert "The search index is locked." in result.output
    assert "1 outbox row left for the next sync." in result.output
    assert "Traceback" not in result.output
    assert outbox_ids() == [("question", question.id)]
    assert flask(runner, "sync").exit_code == 0
    assert indexed() == {question.id}


def test_reindex_rebuilds_a_wiped_index(app, runner):
    kept = [make_question(title=f"Rebuilt question number {n}") for n in range(3)]
    hidden = make_question(title="Rebuilt but hidden question", is_hidden=True)
    outbox.drain_all()
    get_search_index().close()  # as a fresh process would find it
    shutil.rmtree(Path(app.config["SEARCH_INDEX_DIR"]))
    assert indexed() == set()
    result = flask(runner, "reindex")
    assert result.exit_code == 0, result.output
    assert "Indexing" in result.output  # the progress bar's label
    assert re.search(r"Indexed 4 documents in [\d.]+ s \([\d,]+ docs/s\)\.", result.output)
    assert indexed() == {q.id for q in kept} | {hidden.id}  # flagged, for admins' searches
    assert len(found("rebuilt")) == 3


def test_reindex_clears_old_outbox_rows_but_keeps_newer_ones(app, runner):
    before = make_question(title="Written before the rebuild")
    during = []
    questions = registry.get("question")

    def load_and_meanwhile_write(ids):
        if not during:  # another request commits a change while the rebuild reads
            during.append(make_question(title="Written during the rebuild"))
        return questions.load_many(ids)

    registry.register(dataclasses.replace(questions, load_many=load_and_meanwhile_write))
    try:
        result = flask(runner, "reindex")
    finally:
        registry.register(questions)
    assert result.exit_code == 0, result.output
    assert "Indexed 1 document in" in result.output
    assert "Cleared 1 outbox row the rebuild covered." in result.output
    assert indexed() == {before.id}
    assert outbox_ids() == [("question", during[0].id)]  # left for the next drain
    assert "Applied 1 outbox row and" in flask(runner, "sync").output
    assert indexed() == {before.id, during[0].id}


def test_reindex_on_a_locked_index_fails_politely(app, runner, quick_lock):
    make_question()
    holder = get_search_index().writer()
    try:
        result = flask(runner, "reindex")
    finally:
        holder.cancel()
    assert result.exit_code == 1
    assert "The search index is locked." in result.output
    assert len(outbox_ids()) == 1  # nothing was cleared


def test_check_reports_missing_and_extra_documents(app, runner):
    indexed_ok = make_question(title="Indexed and in the database")
    outbox.drain_all()
    result = flask(runner, "check")
    assert result.exit_code == 0, result.output
    assert "question: 1 in the database, 1 in the index." in result.output
    assert "The index matches the database." in result.output

    missing = make_question(title="Committed but not drained yet")
    get_search_index().write([{"doc_key": "question:987654", "doc_type": "question",
                               "doc_id": 987654, "title": "A ghost"}], [])
    result = flask(runner, "check")
    assert result.exit_code == 1
    assert "question: 2 in the database, 2 in the index." in result.output
    assert f"1 missing from the index: {missing.id}" in result.output
    assert "1 in the index but not in the database (deleted or hidden): 987654" in result.output
    assert "1 outbox row not applied yet." in result.output
    assert "flask search sync" in result.output and "flask search reindex" in result.output

    assert flask(runner, "reindex").exit_code == 0
    result = flask(runner, "check")
    assert result.exit_code == 0, result.output
    assert indexed() == {indexed_ok.id, missing.id}


def test_check_lists_at_most_twenty_ids(app, runner):
    get_search_index().write([{"doc_key": f"question:{n}", "doc_type": "question",
                               "doc_id": n, "title": "Ghost"} for n in range(1000, 1025)], [])
    result = flask(runner, "check")
    assert result.exit_code == 1
    line = next(ln for ln in result.output.splitlines() if "not in the database" in ln)
    assert line.strip().startswith("25 in the index")
    assert "1019 …" in line and "1020" not in line
