"""Match suggestions at scale: 5,000 people, 20,000 offers over 150 skills.

    .venv/bin/python -m bench.matching [--people N] [--offers N] [--viewers N] [--seed S]
                                       [--keep DIR]

Generates a deterministic marketplace in a throw-away SQLite database (Core bulk inserts; a
few skills are far more popular than the rest, as in a real organisation), then times
`app.offers.match_queries.matches_for` — loading the inputs and ranking — for random viewers
inside an app context, after a warm-up, and the whole /matches/ page server-side for some of
them. Exits with status 1 when the p95 misses the target.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.offers import match_queries
from app.offers.models import Offer
from app.skills.models import Skill
from bench.harness import BENCH_PASSWORD, logged_in_client, make_app, percentile

MATCHING_P95_TARGET_MS = 100
SKILLS = 150
DEPARTMENTS = ("Engineering", "Design", "Finance", "Sales", "Marketing", "Operations", "Legal",
               "People", "Support", "Data", "Product", "Security", "Facilities", "Research")
LEVELS = ("beginner", "intermediate", "advanced")
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
CHUNK = 5000
PAGE_VIEWERS = 30


def _say(text: str) -> None:
    print(text, flush=True)


def _chunks(rows: list[dict]):
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def generate(people: int, offers: int, seed: int) -> list[int]:
    """Write skills, people and offers; return the ids of the active people."""
    rng = random.Random(seed)
    db.session.execute(insert(Skill), [
        {"id": i, "name": f"Skill {i}", "slug": f"skill-{i}", "category_id": None,
         "created_by_id": None, "created_at": EPOCH} for i in range(1, SKILLS + 1)])
    users, active = [], []
    for i in range(1, people + 1):
        is_active = rng.random() > 0.03
        if is_active:
            active.append(i)
        users.append({
            "id": i, "email": f"p{i}@bench.example", "handle": f"p{i}",
            "display_name": f"Person {i}", "password_hash": None, "session_token": f"t{i}",
            "job_title": "", "department": rng.choice(DEPARTMENTS), "location": "",
            "timezone": "UTC", "bio_md": "", "bio_html": "",
            "open_to_mentoring": rng.random() < 0.4, "open_to_being_mentored": rng.random() < 0.5,
            "open_to_swaps": rng.random() < 0.45, "is_admin": False, "active": is_active,
            "deactivated_at": None if is_active else EPOCH, "last_login_at": None,
            "created_at": EPOCH, "updated_at": EPOCH})
    for chunk in _chunks(users):
        db.session.execute(insert(User), chunk)
    # Zipf-like popularity: the first skills are wanted and taught far more than the last.
    cumulative = list(itertools.accumulate(1 / (rank ** 0.9) for rank in range(1, SKILLS + 1)))
    seen, rows = set(), []
    while len(rows) < offers:
        user_id = rng.randint(1, people)
        kind = "teach" if rng.random() < 0.45 else "learn"
        skill_id = rng.choices(range(1, SKILLS + 1), cum_weights=cumulative)[0]
        if (user_id, kind, skill_id) in seen:
            continue
        seen.add((user_id, kind, skill_id))
        formats = rng.choice([(1, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (1, 0, 1), (0, 0, 1)])
        capacity = rng.randint(1, 5) if kind == "teach" else None
        status = rng.choices(("open", "paused", "closed"), weights=(85, 10, 5))[0]
        created = EPOCH + timedelta(minutes=len(rows))
        rows.append({
            "user_id": user_id, "skill_id": skill_id, "kind": kind,
            "level": rng.choices(LEVELS, weights=(5, 3, 2) if kind == "learn" else (1, 3, 4))[0],
            "format_one_to_one": bool(formats[0]), "format_group": bool(formats[1]),
            "format_async": bool(formats[2]), "availability": "", "description_md": "",
            "description_html": "", "capacity": capacity,
            "seats_taken": rng.randint(0, capacity) if capacity else 0,
            "status": status, "created_at": created, "updated_at": created})
    for chunk in _chunks(rows):
        db.session.execute(insert(Offer), chunk)
    db.session.commit()
    return active


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args) -> None:
        self.count += 1


def time_matching(viewers: list[int], warmup: list[int]) -> dict:
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    wall, cpu, queries, kinds, sizes = [], [], [], Counter(), []
    try:
        for n, user_id in enumerate(warmup + viewers):
            user = db.session.get(User, user_id)
            counter.count = 0
            start, start_cpu = time.perf_counter(), time.thread_time()
            results = match_queries.matches_for(user)
            elapsed, elapsed_cpu = time.perf_counter() - start, time.thread_time() - start_cpu
            db.session.rollback()  # end the read transaction, as a request would
            if n < len(warmup):
                continue
            wall.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
            queries.append(counter.count)
            sizes.append(len(results.suggestions))
            kinds.update(s.kind for s in results.suggestions)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return {"wall": wall, "cpu": cpu, "queries": queries, "kinds": kinds, "sizes": sizes}


def time_pages(app, timer, viewers: list[int]) -> list[float]:
    with app.app_context():
        password = hash_password(BENCH_PASSWORD)
        for user_id in viewers:
            db.session.get(User, user_id).password_hash = password
        db.session.commit()
    times = []
    for user_id in viewers:
        client = logged_in_client(app, f"p{user_id}@bench.example")
        client.get("/matches/")  # warm this client's session
        response = client.get("/matches/")
        if response.status_code != 200:
            raise RuntimeError(f"/matches/ answered {response.status_code}")
        times.append(timer.last_ms)
    return times


def _line(label: str, values: list[float]) -> str:
    return (f"{label}: p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms,"
            f" max {max(values):.1f} ms")


def run(workdir: Path, people: int, offers: int, viewers: int, seed: int) -> bool:
    app, timer = make_app(workdir)
    with app.app_context():
        _say(f"Generating {people:,} people and {offers:,} offers over {SKILLS} skills "
             f"(seed {seed}) in {workdir} …")
        started = time.perf_counter()
        active = generate(people, offers, seed)
        _say(f"  done in {time.perf_counter() - started:.1f} s. Timing matches_for …")
        rng = random.Random(seed + 1)
        chosen = rng.sample(active, viewers + 20)
        m = time_matching(chosen[20:], chosen[:20])
    page = time_pages(app, timer, chosen[20:20 + PAGE_VIEWERS])
    p95 = percentile(m["wall"], 95)
    verdict = "pass" if p95 <= MATCHING_P95_TARGET_MS else "MISSED"
    _say("")
    _say(_line(f"matches_for, {viewers} viewers (load + rank)", m["wall"])
         + f"  — target p95 <= {MATCHING_P95_TARGET_MS} ms: {verdict}")
    _say(_line("  CPU time", m["cpu"]))
    _say(_line(f"/matches/ page, {len(page)} viewers, server-side", page))
    _say(f"  statements per call: {min(m['queries'])}–{max(m['queries'])}; suggestions per "
         f"viewer: mean {statistics.fmean(m['sizes']):.1f}, max {max(m['sizes'])}; "
         f"by kind: {dict(sorted(m['kinds'].items()))}")
    return verdict == "pass"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, help="work in (and keep) this directory")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="skillswap-bench-matching-"))
    if args.keep and workdir.exists():
        shutil.rmtree(workdir)
    try:
        passed = run(workdir, args.people, args.offers, args.viewers, args.seed)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
