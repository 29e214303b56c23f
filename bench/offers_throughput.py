"""Marketplace throughput against a bare Flask page, side by side on the same database.

    .venv/bin/python -m bench.offers_throughput [--seconds S] [--rounds R] [--clients N]
                                                [--threads T] [--people N] [--offers N]
                                                [--seed S] [--keep DIR]

Generates bench.matching's marketplace (5,000 people, 20,000 offers over 150 skills) in a
throw-away SQLite database, files the skills under a dozen categories, then serves two apps
on that one database file, each with gunicorn (1 worker, T threads) on 127.0.0.1:

(a) Skillswap itself; logged-in people request `/offers/` with a mix of filters (none, kind,
    skill, category + kind, department + format + level, best match, a later page…);
(b) a bare Flask page made here (not part of the product): plain SQLAlchemy Core selects 20
    open offers joined with their skill and person names, rendered by a tiny inline template.

Both are driven the same way — N client threads on keep-alive connections, alternating
rounds of S seconds each so a change in the machine's load hits both — and reported as
requests/s and p50/p95 latency, with the ratio (a)/(b). Exits with status 1 when `/offers/`
serves less than 60 % of the bare page's throughput.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.harness import BENCH_PASSWORD, percentile

RATIO_TARGET = 0.60
CATEGORIES = 12
HOST = "127.0.0.1"
DB_ENV = "SKILLSWAP_OFFERS_BENCH_DIR"
ROOT = Path(__file__).resolve().parent.parent


def _say(text: str) -> None:
    print(text, flush=True)


# --- the two WSGI apps, built by gunicorn inside its worker ("module:function()") ---------

def product_app():
    """Skillswap with the benchmark configuration, on the database in the folder named by DB_ENV."""
    from app import create_app
    from bench.harness import bench_config

    return create_app(bench_config(Path(os.environ[DB_ENV])))


BARE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Offers</title></head>
<body><h1>Offers</h1>
<ol>{% for row in rows %}
  <li><a href="/offers/{{ row.id }}">{{ row.skill_name }}</a> · {{ row.kind }} · {{ row.level }}
    · {{ row.display_name }}</li>{% endfor %}
</ol></body></html>"""


def bare_app():
    """A minimal Flask app: one route, 20 offer rows with skill and person names through
    SQLAlchemy Core, an inline Jinja template. The baseline for what a page can cost."""
    from flask import Flask, render_template_string
    from sqlalchemy import column, create_engine, select, table, true

    engine = create_engine(f"sqlite:///{Path(os.environ[DB_ENV]) / 'bench.db'}")
    offers = table("offers", column("id"), column("user_id"), column("skill_id"),
                   column("kind"), column("level"), column("status"), column("created_at"))
    skills = table("skills", column("id"), column("name"))
    users = table("users", column("id"), column("display_name"), column("active"))
    query = (select(offers.c.id, offers.c.kind, offers.c.level,
                    skills.c.name.label("skill_name"), users.c.display_name)
             .join(skills, skills.c.id == offers.c.skill_id)
             .join(users, users.c.id == offers.c.user_id)
             .where(offers.c.status == "open", users.c.active == true())
             .order_by(offers.c.created_at.desc(), offers.c.id.desc()).limit(20))
    app = Flask("bare_offers")

    @app.get("/")
    def index():
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        return render_template_string(BARE_TEMPLATE, rows=rows)

    return app


# --- data ----------------------------------------------------------------------------------

@dataclass
class Marketplace:
    viewers: list[int]
    skill_slugs: list[str]
    category_slugs: list[str]
    departments: list[str]


def build(workdir: Path, people: int, offers: int, seed: int, viewers: int) -> Marketplace:
    from sqlalchemy import insert, update

    from app.accounts.models import User
    from app.accounts.passwords import hash_password
    from app.extensions import db
    from app.skills.models import Skill, SkillCategory
    from bench.harness import make_app
    from bench.matching import DEPARTMENTS, SKILLS, generate

    app, _ = make_app(workdir)
    with app.app_context():
        active = generate(people, offers, seed)
        # bench.matching leaves skills uncategorised; file them so the category filter bites.
        db.session.execute(insert(SkillCategory), [
            {"id": c, "name": f"Category {c}", "slug": f"category-{c}"}
            for c in range(1, CATEGORIES + 1)])
        for c in range(1, CATEGORIES + 1):
            db.session.execute(update(Skill).where((Skill.id % CATEGORIES) == (c - 1))
                               .values(category_id=c))
        chosen = random.Random(seed + 2).sample(active, viewers)
        password = hash_password(BENCH_PASSWORD)
        for user_id in chosen:
            db.session.get(User, user_id).password_hash = password
        db.session.commit()
    return Marketplace(chosen, [f"skill-{i}" for i in range(1, SKILLS + 1)],
                       [f"category-{c}" for c in range(1, CATEGORIES + 1)], list(DEPARTMENTS))


def offers_mix(market: Marketplace, seed: int) -> list[str]:
    """A realistic spread of marketplace requests: mostly the unfiltered list and single
    filters, some combinations, best match, a later page."""
    rng = random.Random(seed + 3)
    popular, rare = market.skill_slugs[:10], market.skill_slugs[10:]
    paths = []
    for _ in range(10):
        params_list = [
            {},
            {},
            {"kind": rng.choice(("teach", "learn"))},
            {"skill": rng.choice(popular)},
            {"skill": rng.choice(rare)},
            {"category": rng.choice(market.category_slugs),
             "kind": rng.choice(("teach", "learn"))},
            {"department": rng.choice(market.departments),
             "format": rng.choice(("one_to_one", "group", "async")),
             "level": rng.choice(("beginner", "intermediate", "advanced"))},
            {"sort": "match"},
            {"sort": "match", "kind": rng.choice(("teach", "learn"))},
            {"page": rng.randint(2, 20)},
        ]
        paths += ["/offers/" + (f"?{urlencode(p)}" if p else "") for p in params_list]
    rng.shuffle(paths)
    return paths


# --- servers -------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn, 1 worker with `threads` threads, on a free loopback port."""

    def __init__(self, name: str, factory: str, workdir: Path, threads: int):
        self.name, self.port = name, _free_port()
        self.log = open(workdir / f"gunicorn-{name}.log", "wb")  # noqa: SIM115
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603 — our own fixed command line
            [str(gunicorn), "--workers", "1", "--worker-class", "gthread",
             "--threads", str(threads), "--bind", f"{HOST}:{self.port}",
             "--log-level", "warning", f"bench.offers_throughput:{factory}()"],
            cwd=ROOT, env={**os.environ, DB_ENV: str(workdir)},
            stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited: see {self.log.name}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({self.name}) did not start within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- clients -------------------------------------------------------------------------------

def _cookie_header(jar: SimpleCookie) -> str:
    return "; ".join(f"{key}={morsel.value}" for key, morsel in jar.items())


def _remember_cookies(jar: SimpleCookie, response: http.client.HTTPResponse) -> None:
    for header in response.msg.get_all("Set-Cookie") or []:
        jar.load(header)


def log_in(port: int, user_id: int) -> SimpleCookie:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        body = urlencode({"email": f"p{user_id}@bench.example", "password": BENCH_PASSWORD})
        connection.request("POST", "/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        if response.status != 303:
            raise RuntimeError(f"logging in as p{user_id} failed ({response.status})")
        jar = SimpleCookie()
        _remember_cookies(jar, response)
        return jar
    finally:
        connection.close()


@dataclass
class Client:
    paths: list[str]
    jar: SimpleCookie | None = None  # None: anonymous
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes_read: int = 0


def _drive_one(port: int, client: Client, deadline: float, start_at: int) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    n = start_at
    try:
        while time.perf_counter() < deadline:
            path = client.paths[n % len(client.paths)]
            n += 1
            headers = {"Cookie": _cookie_header(client.jar)} if client.jar else {}
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as err:
                client.errors.append(f"{path}: {err!r}")
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                client.errors.append(f"{path}: HTTP {response.status}")
                continue
            if client.jar is not None:
                _remember_cookies(client.jar, response)
            client.latencies_ms.append(elapsed)
            client.bytes_read += len(data)
    finally:
        connection.close()


def drive(port: int, clients: list[Client], seconds: float) -> float:
    """Run every client against `port` for `seconds`; returns the measured wall time."""
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=_drive_one, args=(port, c, deadline, i * 7))
               for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


@dataclass
class Measured:
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes_read: int = 0
    rounds: list[float] = field(default_factory=list)  # requests/s of each round

    def add(self, clients: list[Client], seconds: float) -> None:
        count = sum(len(c.latencies_ms) for c in clients)
        self.seconds += seconds
        self.rounds.append(count / seconds)
        for c in clients:
            self.latencies_ms += c.latencies_ms
            self.errors += c.errors
            self.bytes_read += c.bytes_read

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def line(self, label: str) -> str:
        lat = self.latencies_ms
        return (f"{label}: {self.rps:,.0f} req/s ({len(lat):,} requests in "
                f"{self.seconds:.1f} s; rounds {', '.join(f'{r:,.0f}' for r in self.rounds)}), "
                f"p50 {statistics.median(lat):.1f} ms, p95 {percentile(lat, 95):.1f} ms, "
                f"{self.bytes_read / len(lat) / 1024:.1f} KiB/page")


def run(args, workdir: Path) -> bool:
    _say(f"Generating {args.people:,} people and {args.offers:,} offers (seed {args.seed}) "
         f"in {workdir} …")
    started = time.perf_counter()
    market = build(workdir, args.people, args.offers, args.seed, args.clients)
    _say(f"  done in {time.perf_counter() - started:.1f} s. Starting gunicorn "
         f"(1 worker, {args.threads} threads) for /offers/ and the bare page …")
    mix = offers_mix(market, args.seed)
    servers = {name: Server(name, factory, workdir, args.threads)
               for name, factory in (("offers", "product_app"), ("bare", "bare_app"))}
    results = {name: Measured() for name in servers}
    try:
        for server in servers.values():
            server.wait_ready()
        jars = [log_in(servers["offers"].port, user_id) for user_id in market.viewers]

        def clients(name: str) -> list[Client]:
            if name == "offers":
                return [Client(mix, jar) for jar in jars]
            return [Client(["/"]) for _ in range(args.clients)]

        for name, server in servers.items():  # warm-up: imports, templates, caches
            drive(server.port, clients(name), args.warmup)
        load_before = os.getloadavg()
        for n in range(args.rounds):
            order = list(servers) if n % 2 == 0 else list(reversed(servers))
            for name in order:
                batch = clients(name)
                seconds = drive(servers[name].port, batch, args.seconds)
                results[name].add(batch, seconds)
        load_after = os.getloadavg()
    finally:
        for server in servers.values():
            server.stop()
    for name, measured in results.items():
        if measured.errors:
            raise RuntimeError(f"{name}: {len(measured.errors)} failed requests, e.g. "
                               f"{measured.errors[:3]}")
    offers, bare = results["offers"], results["bare"]
    ratio = offers.rps / bare.rps
    verdict = "pass" if ratio >= RATIO_TARGET else "MISSED"
    _say("")
    _say(f"{os.cpu_count()} cores; load average {load_before[0]:.2f} / {load_before[1]:.2f} / "
         f"{load_before[2]:.2f} before timing, {load_after[0]:.2f} / {load_after[1]:.2f} / "
         f"{load_after[2]:.2f} after; {args.clients} client threads, gunicorn 1 worker × "
         f"{args.threads} threads, {args.rounds} alternating rounds of {args.seconds:g} s")
    _say(offers.line(f"/offers/, {len(mix)}-request filter mix, logged in"))
    _say(bare.line("bare Flask page, 20 offers, SQLAlchemy Core + inline template"))
    _say(f"/offers/ serves {ratio:.0%} of the bare page's throughput — target >= "
         f"{RATIO_TARGET:.0%}: {verdict}")
    return verdict == "pass"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds per server, alternating")
    parser.add_argument("--warmup", type=float, default=1.5, help="seconds per server")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, help="work in (and keep) this directory")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="skillswap-bench-offers-"))
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
