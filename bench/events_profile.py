"""`python -m bench.events --profile N`: where an event page's time goes, in-process (the
test client; no HTTP, no other requests): server-side time, SQL statements and their time,
and the top functions by cumulative and own time."""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from pathlib import Path

from bench.events_data import Catalogue, page_kind
from bench.harness import percentile


def _say(text: str) -> None:
    print(text, flush=True)


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
