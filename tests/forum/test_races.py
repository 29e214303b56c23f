"""Races between real processes: votes and the search index stay consistent.

Each child process builds its own app on the same database (SQLite file or PostgreSQL schema)
and the same index directory, waits at a barrier so they all act at once, and reports any
exception back. The database and the index must agree afterwards, whoever won.
"""

from __future__ import annotations

import multiprocessing
import traceback

from sqlalchemy import func, select

from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.forum import services
from app.forum.models import Question, Vote
from app.search import outbox
from app.search.index import get_search_index
from tests.factories import make_user
from tests.forum.factories import make_question

TIMEOUT_S = 60


def _vote_up(config: dict, barrier, errors, user_id: int, question_id: int) -> None:
    try:
        app = create_app(config)
        with app.app_context():
            user = db.session.get(User, user_id)
            question = db.session.get(Question, question_id)
            barrier.wait(TIMEOUT_S)
            services.vote(user, question, 1, seen=0)  # as the page sends it
            db.session.commit()
    except Exception:  # noqa: BLE001 — reported to the parent, which fails the test
        errors.put(traceback.format_exc())


def _ask_and_drain(config: dict, barrier, errors, user_id: int, count: int) -> None:
    """What a request does: change rows, commit, then drain the outbox into the index."""
    try:
        app = create_app(config)
        with app.app_context():
            user = db.session.get(User, user_id)
            barrier.wait(TIMEOUT_S)
            for n in range(count):
                services.ask_question(user, title=f"Concurrent question {user_id} number {n}",
                                      body="Written while others write too.", tags="races")
                db.session.commit()
                outbox.drain_all()
    except Exception:  # noqa: BLE001 — reported to the parent, which fails the test
        errors.put(traceback.format_exc())


def _run_all(targets: list[tuple]) -> list[str]:
    """Start one spawned process per (function, args), all released by one barrier."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(targets))
    errors = ctx.Queue()
    processes = [ctx.Process(target=fn, args=(args[0], barrier, errors, *args[1:]))
                 for fn, args in targets]
    for process in processes:
        process.start()
    for process in processes:
        process.join(TIMEOUT_S * 2)
    found = []
    while not errors.empty():
        found.append(errors.get())
    for process in processes:
        if process.is_alive():
            process.kill()
            found.append(f"process {process.pid} did not finish")
        elif process.exitcode != 0:
            found.append(f"process {process.pid} exited with {process.exitcode}")
    return found


def test_simultaneous_votes_add_up_and_a_double_click_counts_once(app, app_config):
    question = make_question()
    voters = [make_user() for _ in range(4)]
    double_clicker = make_user()
    targets = [(_vote_up, (app_config, v.id, question.id)) for v in voters]
    targets += [(_vote_up, (app_config, double_clicker.id, question.id))] * 2

    assert _run_all(targets) == []

    db.session.expire_all()
    votes = db.session.scalar(select(func.count()).select_from(Vote)
                              .where(Vote.question_id == question.id))
    mine = db.session.scalar(select(func.count()).select_from(Vote).where(
        Vote.question_id == question.id, Vote.user_id == double_clicker.id))
    assert mine == 1
    assert votes == 5
    assert db.session.get(Question, question.id).score == 5


def test_concurrent_writers_leave_index_matching_database(app, app_config):
    writers = [make_user() for _ in range(3)]
    targets = [(_ask_and_drain, (app_config, w.id, 4)) for w in writers]

    assert _run_all(targets) == []

    outbox.drain_all()  # whatever waited on a busy index lock is applied now
    in_db = set(db.session.scalars(select(Question.id)))
    assert len(in_db) == 12
    assert get_search_index().indexed_ids("question") == in_db
