"""gunicorn settings for `make run` and production; each is overridable by environment.

Rate-limit counters live in the worker's memory unless RATELIMIT_STORAGE_URI (or REDIS_URL)
points at Redis. With in-memory counters several workers would each count separately, so the
embedded default is one worker process with threads; with Redis, several workers.

Worker class: `gthread` (the default) holds keep-alive connections and copes with slow
clients, so it suits gunicorn facing browsers directly, as `make run` does. Behind a reverse
proxy that buffers requests and keeps the browsers' connections (nginx, a load balancer),
`GUNICORN_WORKER_CLASS=sync` with one or two workers per core gives the steadiest latency:
each request goes to whichever worker is free, and no two requests share a GIL (bench/events.py
measures both).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
_shared_limits = bool(os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL"))
_default_workers = multiprocessing.cpu_count() * 2 + 1 if _shared_limits else 1
workers = int(os.environ.get("WEB_CONCURRENCY", _default_workers))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Threads are for gthread only: gunicorn quietly turns `sync` with threads into gthread.
_threaded = worker_class.rsplit(".", 1)[-1] in ("gthread", "ThreadWorker")
threads = int(os.environ.get("GUNICORN_THREADS", 4)) if _threaded else 1
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket: its default path is shared by every gunicorn on the machine.
control_socket_disable = True

if workers > 1 and not _shared_limits:
    print(  # noqa: T201 — operator-facing start-up warning
        "warning: several workers with in-memory rate limits; set REDIS_URL so login "
        "limits hold across workers."
    )


def post_worker_init(worker):
    """Once the app is loaded, move everything it built (routes, templates, mappers) out of
    the garbage collector's view: collections then scan only what requests allocate, which
    keeps them short (the cyclic collector otherwise walks the whole app every so often, in
    the middle of a request)."""
    gc.collect()
    gc.freeze()
