"""What every benchmark shares: an app on a throw-away database, a server-side request timer,
a logged-in client, the full reindex, and percentiles."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from app import create_app
from app.config import Config
from app.extensions import db
from app.search import maintenance

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
SHARED_DIR = BENCH_DIR.parent.parent / "shared"
CORPUS_DIR = SHARED_DIR / "corpus"
BENCH_PASSWORD = "bench viewer reads quietly 7"  # noqa: S105 — a throw-away local account


class ServerTimer:
    """WSGI middleware that times each request inside the server: routing, the view, the
    template and the teardown — not the test client building the request or reading the
    response."""

    def __init__(self, wsgi_app: Callable):
        self.wsgi_app = wsgi_app
        self.last_ms = 0.0  # wall-clock time of the last request
        self.last_cpu_ms = 0.0  # CPU time it used (unaffected by other busy processes)

    def __call__(self, environ, start_response):
        start, start_cpu = time.perf_counter(), time.thread_time()
        body = self.wsgi_app(environ, start_response)
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.last_ms = (time.perf_counter() - start) * 1000
        self.last_cpu_ms = (time.thread_time() - start_cpu) * 1000
        return [data]


def bench_config(workdir: Path) -> dict:
    """The production defaults, on a database and index inside `workdir`; CSRF and rate
    limits off so the benchmark can log in through the form."""
    config = {key: getattr(Config, key) for key in dir(Config) if key.isupper()}
    config.update(
        SECRET_KEY="bench-only-secret-key",  # noqa: S106
        INSTANCE_DIR=workdir,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'bench.db'}",
        SEARCH_INDEX_DIR=str(workdir / "search_index"),
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
        ARGON2_TIME_COST=1,
        ARGON2_MEMORY_COST=1024,
    )
    return config


def make_app(workdir: Path) -> tuple[Flask, ServerTimer]:
    """An app whose tables exist (empty on a new `workdir`), with its server timer."""
    workdir.mkdir(parents=True, exist_ok=True)
    app = create_app(bench_config(workdir))
    timer = ServerTimer(app.wsgi_app)
    app.wsgi_app = timer
    with app.app_context():
        db.create_all()
    return app, timer


def logged_in_client(app: Flask, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": BENCH_PASSWORD})
    if response.status_code != 303:
        raise RuntimeError(f"logging in as {email} failed ({response.status_code})")
    return client


def reindex() -> tuple[int, float]:
    """Rebuild the whole index from the database as `flask search reindex` does; returns
    (documents, seconds)."""
    report = maintenance.rebuild_index()
    db.session.commit()
    return report.documents, report.seconds


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 95), 1), "max_ms": round(max(values), 1),
            "mean_ms": round(statistics.fmean(values), 1)}
