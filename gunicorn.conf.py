"""gunicorn settings for `make run` and production; each is overridable by environment.

Rate-limit counters live in the worker's memory unless RATELIMIT_STORAGE_URI (or REDIS_URL)
points at Redis. With in-memory counters several workers would each count separately, so the
embedded default is one worker process with threads; with Redis, several workers.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
_shared_limits = bool(os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL"))
_default_workers = multiprocessing.cpu_count() * 2 + 1 if _shared_limits else 1
workers = int(os.environ.get("WEB_CONCURRENCY", _default_workers))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

if workers > 1 and not _shared_limits:
    print(  # noqa: T201 — operator-facing start-up warning
        "warning: several workers with in-memory rate limits; set REDIS_URL so login "
        "limits hold across workers."
    )
