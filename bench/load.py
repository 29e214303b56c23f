"""Closed-loop HTTP load: N connections, each sending its next request as soon as the last
answer arrived, over a list of paths, each request as one of several logged-in people.

Two drivers, the same measurement:

- `wrk` (Debian/Ubuntu: `apt-get install wrk`), when it is on PATH: a C load generator in
  its own process, using a few per cent of one core — so the server keeps both cores.
- Python threads in this process otherwise. They use part of a core (and share one GIL)
  to keep 16 connections busy, which the server then lacks, and their own timing waits on
  the GIL: figures come out somewhat worse. The report says which driver ran.

Latencies are measured from sending a request to reading its whole answer.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import percentile

HOST = "127.0.0.1"

# Each wrk thread walks the paths from its own offset and signs each request as one of the
# people; done() prints the summary as one JSON line for us to read.
WRK_SCRIPT = """
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 37)
  table.insert(threads, thread)
end

function init(args)
  n = offset
end

function request()
  n = n + 1
  -- the person moves on by one more on each pass over the paths, so every page is seen
  -- by every person in turn (not always by the same one)
  local person = (n + math.floor(n / #paths)) %% #cookies
  return wrk.format("GET", paths[(n %% #paths) + 1], {["Cookie"] = cookies[person + 1]})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class LoadResult:
    """One load run: how many answers, over how long, at which latencies (milliseconds)."""

    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self, label: str) -> str:
        return (f"{label:>14}: {self.rate:6,.0f} req/s ({self.requests:,} requests), "
                f"p50 {self.p50:5.1f} ms, p95 {self.p95:5.1f} ms, p99 {self.p99:5.1f} ms, "
                f"max {self.max:6.1f} ms")


def driver_name() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def run_load(port: int, paths: list[str], cookies: list[str], seconds: float,
             connections: int, driver: str | None = None) -> LoadResult:
    """Drive `paths` (cycled) at `connections` concurrent connections for `seconds`."""
    if (driver or driver_name()) == "wrk":
        return _run_wrk(port, paths, cookies, seconds, connections)
    return _run_threads(port, paths, cookies, seconds, connections)


def _lua_strings(values: list[str]) -> str:
    return ", ".join(json.dumps(value) for value in values)  # JSON strings are Lua strings


def _run_wrk(port: int, paths: list[str], cookies: list[str], seconds: float,
             connections: int) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": _lua_strings(paths),
                                   "cookies": _lua_strings(cookies)})
    try:
        done = subprocess.run(  # noqa: S603 — wrk from PATH with our own arguments
            [shutil.which("wrk") or "wrk", "--threads", "1", "--connections", str(connections),
             "--duration", f"{max(1, round(seconds))}s", "--timeout", "10s",
             "--script", script.name, f"http://{HOST}:{port}/"],
            capture_output=True, text=True, check=True, timeout=seconds + 60)
    finally:
        Path(script.name).unlink(missing_ok=True)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    errors = [f"{summary[kind]} {kind} errors" for kind in
              ("connect", "read", "write", "status", "timeout") if summary[kind]]
    return LoadResult(requests=summary["requests"], seconds=summary["duration_us"] / 1e6,
                      p50=summary["p50"] / 1000, p95=summary["p95"] / 1000,
                      p99=summary["p99"] / 1000, max=summary["max"] / 1000, errors=errors)


def _client(port: int, paths: list[str], cookie: str, deadline: float, start_at: int,
            latencies: list[float], errors: list[str]) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    n = start_at
    try:
        while time.perf_counter() < deadline:
            path = paths[n % len(paths)]
            n += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as err:
                errors.append(f"{path}: {err!r}")
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
                continue
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()


def _run_threads(port: int, paths: list[str], cookies: list[str], seconds: float,
                 connections: int) -> LoadResult:
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors: list[str] = []
    started = time.perf_counter()
    threads = [threading.Thread(target=_client, args=(
        port, paths, cookies[i % len(cookies)], started + seconds, i * 37, latencies[i],
        errors)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spent = time.perf_counter() - started
    every = [ms for values in latencies for ms in values] or [0.0]
    return LoadResult(requests=sum(map(len, latencies)), seconds=spent,
                      p50=percentile(every, 50), p95=percentile(every, 95),
                      p99=percentile(every, 99), max=max(every), errors=errors)
