"""Event pages under load: the list and single events, 16 logged-in people at once.

    .venv/bin/python -m bench.events [--seconds S] [--rounds R] [--clients N] [--workers W]
                                     [--threads T] [--events N] [--bookings N] [--people N]
                                     [--seed S] [--profile N] [--keep DIR]

Generates 2,000 events (a quarter already past, some cancelled; workshops, lunch-and-learns
and teach-backs over bench.matching's 150 skills, a few skills far more popular than the
rest; hosts and co-hosts among 2,000 people) with 40,000 bookings in every state — many
events full with a waitlist, seats offered, cancellations, lapsed offers — plus feedback on
past events, in a throw-away SQLite database (Core bulk inserts). Then serves Skillswap with
gunicorn on 127.0.0.1 — 2 worker processes × 8 threads (gthread): one process per core of
a 2-core machine so Python runs on both, and threads so the 16 keep-alive connections never
wait for a free thread while another request reads the database — and drives N client
threads, each a logged-in person on its own keep-alive connection, over a mix of `/events/`
(no filter, skill, kind, dates, free seats, later pages) and `/events/<id>` for random
events, for R rounds of S seconds after a warm-up.

Reports requests/s and p50/p95/p99 per page kind; exits with status 1 when the p99 of either
page is above 50 ms. `--profile N` then times N requests of each kind in-process (no HTTP):
server-side time, SQL statements and their time, and the top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import itertools
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.harness import BENCH_PASSWORD, percentile
from bench.offers_throughput import (
    DB_ENV,
    HOST,
    ROOT,
    Server,
    _cookie_header,
    _free_port,
    _remember_cookies,
    log_in,
)

P99_TARGET_MS = 50
KIND_WEIGHTS = {"workshop": 5, "lunch_and_learn": 4, "teach_back": 1}
ROOMS = ("Room 1", "Room 2", "Atrium", "Library", "Board room", "")
CHUNK = 5000

# gunicorn reads this name when this module is its config file (`-c python:bench.events`);
# versions without a control socket ignore it. Its default path is shared by every server.
control_socket_disable = True


def _say(text: str) -> None:
    print(text, flush=True)


# --- data ----------------------------------------------------------------------------------

@dataclass
class Catalogue:
    viewers: list[int]
    event_ids: list[int]
    skill_slugs: list[str]
    counts: dict = field(default_factory=dict)


def _descriptions(rng: random.Random) -> list[tuple[str, str]]:
    from app.core.markdown import render_markdown

    texts = []
    for n in range(24):
        paragraphs = [f"Session notes {n}: we'll cover **the core ideas**, common mistakes and "
                      "a worked example from one of our own projects.",
                      "- bring a laptop\n- questions welcome\n- slides shared afterwards",
                      "Some familiarity helps; beginners are welcome. " * rng.randint(1, 4)]
        text = "\n\n".join(paragraphs[: rng.randint(2, 3)])
        texts.append((text, render_markdown(text)))
    return texts


def _event_rows(rng, count, people, skills, now):
    # Zipf-like, as bench.matching's offers: the first skills are far more popular.
    popularity = list(itertools.accumulate(1 / (rank ** 0.9) for rank in range(1, len(skills) + 1)))
    kinds = list(KIND_WEIGHTS)
    descriptions = _descriptions(rng)
    events, event_skills, cohosts = [], [], []
    for event_id in range(1, count + 1):
        past = rng.random() < 0.25
        starts = now + (timedelta(days=-rng.uniform(1, 60)) if past
                        else timedelta(days=rng.uniform(0.1, 120)))
        starts = starts.replace(minute=rng.choice((0, 30)), second=0, microsecond=0)
        duration = rng.choice((30, 45, 60, 90, 120))
        cancelled = rng.random() < 0.05
        description = rng.choice(descriptions)
        events.append({
            "id": event_id, "uid": f"{uuid.UUID(int=rng.getrandbits(128))}@bench",
            "kind": rng.choices(kinds, weights=list(KIND_WEIGHTS.values()))[0],
            "status": "cancelled" if cancelled else "scheduled",
            "title": f"Event {event_id}: a session on skill {rng.randint(1, len(skills))}",
            "description_md": description[0], "description_html": description[1],
            "starts_at": starts, "duration_minutes": duration,
            "ends_at": starts + timedelta(minutes=duration),
            "timezone": rng.choice(("Europe/London", "UTC", "America/New_York")),
            "location": rng.choice(ROOMS), "online_url": "", "capacity": rng.randint(8, 60),
            "seats_taken": 0, "waiting_count": 0, "sequence": 0,
            "host_id": rng.choice(people), "repeat_of_id": None, "teach_back_of_id": None,
            "created_at": starts - timedelta(days=14), "updated_at": starts - timedelta(days=14),
            "cancelled_at": starts - timedelta(days=1) if cancelled else None})
        for skill_id in set(rng.choices(skills, cum_weights=popularity, k=rng.randint(1, 3))):
            event_skills.append({"event_id": event_id, "skill_id": skill_id})
        cohost = rng.choice(people)
        if rng.random() < 0.15 and cohost != events[-1]["host_id"]:
            cohosts.append({"event_id": event_id, "user_id": cohost})
    return events, event_skills, cohosts


def _booking_rows(rng, events, people, total, now):
    """`total` bookings spread over the events (popular events fuller), consistent with the
    seat counters: the first holders confirmed (a few offered), the overflow waiting."""
    weights = [rng.paretovariate(1.5) * e["capacity"] for e in events]
    scale = total / sum(weights)
    bookings, feedback = [], []
    for event, weight in zip(events, weights, strict=True):
        n = min(max(1, round(weight * scale)), len(people) - 1, total - len(bookings))
        takers = rng.sample(people, n + 1)
        takers = [p for p in takers if p != event["host_id"]][:n]
        upcoming = event["starts_at"] > now and event["status"] == "scheduled"
        held = waiting = 0
        for place, user_id in enumerate(takers):
            made = event["created_at"] + timedelta(minutes=place * 7)
            row = {"event_id": event["id"], "user_id": user_id, "created_at": made,
                   "confirmed_at": None, "waiting_since": None, "offered_at": None,
                   "offer_expires_at": None, "cancelled_at": None, "checked_in_at": None,
                   "reminded_at": None, "feedback_requested_at": None}
            roll = rng.random()
            if event["status"] == "cancelled" or roll < 0.08:
                row.update(status="cancelled", cancelled_at=made + timedelta(days=1))
            elif held < event["capacity"]:
                held += 1
                offered = upcoming and held == event["capacity"] and rng.random() < 0.3
                if offered:
                    row.update(status="offered", waiting_since=made, offered_at=now,
                               offer_expires_at=now + timedelta(hours=24))
                else:
                    row.update(status="confirmed", confirmed_at=made)
                    if event["ends_at"] < now and rng.random() < 0.3:
                        feedback.append({"event_id": event["id"], "user_id": user_id,
                                         "rating": rng.randint(2, 5),
                                         "comment": rng.choice(("", "Very useful.", "Great!")),
                                         "created_at": event["ends_at"]})
            elif roll < 0.1:
                row.update(status="lapsed", waiting_since=made, cancelled_at=made)
            else:
                waiting += 1
                row.update(status="waiting", waiting_since=made)
            bookings.append(row)
        event["seats_taken"], event["waiting_count"] = held, waiting
    return bookings, feedback


def build(workdir: Path, args) -> Catalogue:
    from sqlalchemy import insert, text

    from app.accounts.models import User
    from app.accounts.passwords import hash_password
    from app.events.models import Booking, Event, EventCohost, EventFeedback, EventSkill
    from app.extensions import db
    from bench.harness import make_app
    from bench.matching import SKILLS, generate

    app, _ = make_app(workdir)
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    with app.app_context():
        active = generate(args.people, 0, args.seed)
        skills = list(range(1, SKILLS + 1))
        events, event_skills, cohosts = _event_rows(rng, args.events, active, skills, now)
        bookings, feedback = _booking_rows(rng, events, active, args.bookings, now)
        for model, rows in ((Event, events), (EventSkill, event_skills),
                            (EventCohost, cohosts), (Booking, bookings),
                            (EventFeedback, feedback)):
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(model), rows[start:start + CHUNK])
        viewers = rng.sample(active, args.clients)
        password = hash_password(BENCH_PASSWORD)
        for user_id in viewers:
            db.session.get(User, user_id).password_hash = password
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    statuses: dict[str, int] = {}
    for row in bookings:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    return Catalogue(viewers, [e["id"] for e in events],
                     [f"skill-{i}" for i in skills],
                     {"events": len(events), "upcoming": sum(
                         e["ends_at"] > now and e["status"] == "scheduled" for e in events),
                      "bookings": len(bookings), **statuses, "feedback": len(feedback)})


def page_mix(catalogue: Catalogue, seed: int) -> list[str]:
    """Half list pages (every filter, alone and combined, and later pages), half single
    events picked at random."""
    rng = random.Random(seed + 5)
    today = datetime.now(UTC).date()
    popular, rare = catalogue.skill_slugs[:10], catalogue.skill_slugs[10:]
    paths = []
    for _ in range(12):
        start = today + timedelta(days=rng.randint(0, 60))
        for params in ({}, {}, {"page": rng.randint(2, 5)}, {"skill": rng.choice(popular)},
                       {"skill": rng.choice(rare)}, {"kind": rng.choice(list(KIND_WEIGHTS))},
                       {"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()},
                       {"free": "1"}, {"free": "1", "kind": "workshop", "page": 2},
                       {"skill": rng.choice(popular), "free": "1"}):
            paths.append("/events/" + (f"?{urlencode(params)}" if params else ""))
        paths += [f"/events/{rng.choice(catalogue.event_ids)}" for _ in range(10)]
    rng.shuffle(paths)
    return paths


def page_kind(path: str) -> str:
    return "list" if path.startswith("/events/?") or path == "/events/" else "event"


# --- server and clients -------------------------------------------------------------------

BARE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Events</title></head>
<body><h1>Events</h1>
<ol>{% for row in rows %}
  <li><a href="/events/{{ row.id }}">{{ row.title }}</a> · {{ row.starts_at }}
    · {{ row.display_name }} · {{ row.capacity - row.seats_taken }} seats left</li>{% endfor %}
</ol></body></html>"""


def bare_app():
    """The baseline: a minimal Flask app (not part of the product) answering every path
    with the 20 next upcoming events and their hosts' names, through SQLAlchemy Core and an
    inline template — what the machine and this client can do for any page at all."""
    from flask import Flask, render_template_string
    from sqlalchemy import column, create_engine, select, table

    engine = create_engine(f"sqlite:///{Path(os.environ[DB_ENV]) / 'bench.db'}")
    events = table("events", column("id"), column("title"), column("starts_at"),
                   column("ends_at"), column("status"), column("capacity"),
                   column("seats_taken"), column("host_id"))
    users = table("users", column("id"), column("display_name"))
    query = (select(events.c.id, events.c.title, events.c.starts_at, events.c.capacity,
                    events.c.seats_taken, users.c.display_name)
             .join(users, users.c.id == events.c.host_id)
             .where(events.c.status == "scheduled",
                    events.c.ends_at > datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"))
             .order_by(events.c.starts_at, events.c.id).limit(20))
    app = Flask("bare_events")

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def index(path):
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        return render_template_string(BARE_TEMPLATE, rows=rows)

    return app


class EventsServer(Server):
    """gunicorn, `workers` × `threads` (gthread), serving Skillswap with the benchmark
    configuration (bench.offers_throughput's product_app), or the bare baseline, on the
    generated database."""

    def __init__(self, workdir: Path, workers: int, threads: int,
                 factory: str = "bench.offers_throughput:product_app()"):
        self.name, self.port = "events", _free_port()
        self.log = open(workdir / f"gunicorn-{factory.split(':')[1][:-2]}.log", "wb")  # noqa: SIM115
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603 — our own fixed command line
            [str(gunicorn), "--config", "python:bench.events", "--workers", str(workers),
             "--worker-class", "gthread", "--threads", str(threads),
             "--bind", f"{HOST}:{self.port}", "--log-level", "warning", factory],
            cwd=ROOT, env={**os.environ, DB_ENV: str(workdir)},
            stdout=self.log, stderr=subprocess.STDOUT)


@dataclass
class Tally:
    latencies_ms: dict[str, list[float]] = field(
        default_factory=lambda: {"list": [], "event": []})
    errors: list[str] = field(default_factory=list)


def _drive_one(port: int, paths: list[str], jar, tally: Tally, deadline: float,
               start_at: int) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    n = start_at
    try:
        while time.perf_counter() < deadline:
            path = paths[n % len(paths)]
            n += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": _cookie_header(jar)})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as err:
                tally.errors.append(f"{path}: {err!r}")
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                tally.errors.append(f"{path}: HTTP {response.status}")
                continue
            _remember_cookies(jar, response)
            tally.latencies_ms[page_kind(path)].append(elapsed)
    finally:
        connection.close()


def drive(port: int, paths: list[str], jars: list, seconds: float) -> tuple[Tally, float]:
    tallies = [Tally() for _ in jars]
    started = time.perf_counter()
    threads = [threading.Thread(target=_drive_one,
                                args=(port, paths, jar, tally, started + seconds, i * 11))
               for i, (jar, tally) in enumerate(zip(jars, tallies, strict=True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for tally in tallies:
        for kind, values in tally.latencies_ms.items():
            total.latencies_ms[kind] += values
        total.errors += tally.errors
    return total, time.perf_counter() - started


def _line(kind: str, values: list[float], seconds: float) -> str:
    return (f"{kind:>14}: {len(values) / seconds:6,.0f} req/s ({len(values):,} requests), "
            f"p50 {statistics.median(values):5.1f} ms, p95 {percentile(values, 95):5.1f} ms, "
            f"p99 {percentile(values, 99):5.1f} ms, max {max(values):6.1f} ms")


# --- in-process profile ---------------------------------------------------------------------

class SqlTimer:
    """Each statement's time, from SQLAlchemy's before/after cursor events."""

    def __init__(self) -> None:
        self.timed: list[tuple[float, str]] = []
        self._started: dict[int, float] = {}

    def before(self, conn, cursor, statement, *args) -> None:
        self._started[id(cursor)] = time.perf_counter()

    def after(self, conn, cursor, statement, *args) -> None:
        elapsed = (time.perf_counter() - self._started.pop(id(cursor))) * 1000
        self.timed.append((elapsed, " ".join(statement.split())[:110]))


def profile(workdir: Path, catalogue: Catalogue, paths: list[str], count: int) -> None:
    """Server-side time, SQL statements and the top functions for `count` requests of each
    page kind, in this process (the test client; no HTTP, no other requests)."""
    from sqlalchemy import event as sa_event

    from app.extensions import db
    from bench.harness import logged_in_client, make_app

    app, timer = make_app(workdir)
    client = logged_in_client(app, f"p{catalogue.viewers[0]}@bench.example")
    for kind in ("list", "event"):
        chosen = [p for p in paths if page_kind(p) == kind][:count]
        for path in chosen[:5]:
            client.get(path)  # warm: templates, caches
        server_ms, cpu_ms = [], []
        for path in chosen:  # timed alone first: no profiler, no statement timer
            assert client.get(path).status_code == 200, path
            server_ms.append(timer.last_ms)
            cpu_ms.append(timer.last_cpu_ms)
        sql, profiler = SqlTimer(), cProfile.Profile()
        with app.app_context():
            sa_event.listen(db.engine, "before_cursor_execute", sql.before)
            sa_event.listen(db.engine, "after_cursor_execute", sql.after)
        try:
            for path in chosen:
                profiler.enable()
                client.get(path)
                profiler.disable()
        finally:
            with app.app_context():
                sa_event.remove(db.engine, "before_cursor_execute", sql.before)
                sa_event.remove(db.engine, "after_cursor_execute", sql.after)
        _say(f"\n--- profile: {kind} page, {len(chosen)} requests in-process ---")
        _say(f"server-side p50 {statistics.median(server_ms):.1f} ms, p95 "
             f"{percentile(server_ms, 95):.1f} ms; CPU p50 {statistics.median(cpu_ms):.1f} ms, "
             f"p95 {percentile(cpu_ms, 95):.1f} ms; {len(sql.timed) / len(chosen):.1f} SQL "
             f"statements per request taking {sum(t for t, _ in sql.timed) / len(chosen):.1f} ms")
        by_statement: dict[str, list[float]] = {}
        for ms, text in sql.timed:
            by_statement.setdefault(text, []).append(ms)
        for text, times in sorted(by_statement.items(), key=lambda kv: -sum(kv[1]))[:8]:
            _say(f"  {sum(times) / len(chosen):5.2f} ms/request  ×{len(times) / len(chosen):.1f}"
                 f"  {text}")
        for order, lines in (("cumulative", 30), ("tottime", 20)):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(lines)
            _say(out.getvalue().strip())


# --- the run ------------------------------------------------------------------------------------

def measure_baseline(workdir: Path, args, paths: list[str],
                     clients: int) -> tuple[list[float], float]:
    """The same clients, paths and rounds against `bare_app`: the floor for this machine."""
    server = EventsServer(workdir, args.workers, args.threads, "bench.events:bare_app()")
    latencies: list[float] = []
    seconds = 0.0
    try:
        server.wait_ready()
        jars = [SimpleCookie() for _ in range(clients)]
        drive(server.port, paths, jars, args.warmup)
        for _ in range(args.rounds):
            tally, spent = drive(server.port, paths, jars, args.seconds)
            seconds += spent
            latencies += tally.latencies_ms["list"] + tally.latencies_ms["event"]
    finally:
        server.stop()
    return latencies, seconds


def run(args, workdir: Path) -> bool:
    _say(f"Generating {args.events:,} events and {args.bookings:,} bookings among "
         f"{args.people:,} people (seed {args.seed}) in {workdir} …")
    started = time.perf_counter()
    catalogue = build(workdir, args)
    _say(f"  done in {time.perf_counter() - started:.1f} s: {catalogue.counts}")
    paths = page_mix(catalogue, args.seed)
    _say(f"Starting gunicorn ({args.workers} workers × {args.threads} threads) …")
    server = EventsServer(workdir, args.workers, args.threads)
    total = Tally()
    seconds = 0.0
    try:
        server.wait_ready()
        jars = [log_in(server.port, user_id) for user_id in catalogue.viewers]
        drive(server.port, paths, jars, args.warmup)
        load_before = os.getloadavg()
        for _ in range(args.rounds):
            tally, spent = drive(server.port, paths, jars, args.seconds)
            seconds += spent
            for kind, values in tally.latencies_ms.items():
                total.latencies_ms[kind] += values
            total.errors += tally.errors
        load_after = os.getloadavg()
    finally:
        server.stop()
    if total.errors:
        raise RuntimeError(f"{len(total.errors)} failed requests, e.g. {total.errors[:3]}")
    _say("")
    _say(f"{os.cpu_count()} cores; load average {load_before[0]:.2f} before timing, "
         f"{load_after[0]:.2f} after; {args.clients} logged-in keep-alive clients, gunicorn "
         f"{args.workers} workers × {args.threads} threads, {args.rounds} rounds of "
         f"{args.seconds:g} s; {len(paths)}-request mix")
    everything = total.latencies_ms["list"] + total.latencies_ms["event"]
    _say(_line("/events/ list", total.latencies_ms["list"], seconds))
    _say(_line("/events/<id>", total.latencies_ms["event"], seconds))
    _say(_line("all", everything, seconds))
    if args.baseline:
        bare, bare_seconds = measure_baseline(workdir, args, paths, len(jars))
        _say(_line("bare page", bare, bare_seconds))
    worst = max(percentile(v, 99) for v in total.latencies_ms.values())
    verdict = "pass" if worst <= P99_TARGET_MS else "MISSED"
    _say(f"worst p99 {worst:.1f} ms — target p99 <= {P99_TARGET_MS} ms for either page at "
         f"{args.clients} concurrent connections: {verdict}")
    if args.profile:
        profile(workdir, catalogue, paths, args.profile)
    return verdict == "pass"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before timing")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--bookings", type=int, default=40_000)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="then profile N requests of each page kind in-process")
    parser.add_argument("--keep", type=Path, help="work in (and keep) this directory")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false",
                        help="skip the bare Flask page measured the same way")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="skillswap-bench-events-"))
    if args.keep and workdir.exists():
        shutil.rmtree(workdir)
    try:
        passed = run(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
