"""`gunicorn.conf.py`: what an operator can set by environment, and the worker start-up."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.fixture
def load(monkeypatch):
    for name in ("GUNICORN_WORKER_CLASS", "GUNICORN_ACCESS_LOG", "WEB_CONCURRENCY",
                 "GUNICORN_THREADS", "REDIS_URL", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)

    def load(**env) -> dict:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG))

    return load


def test_serving_browsers_directly_is_the_default(load):
    settings = load()
    assert settings["worker_class"] == "gthread"
    assert settings["workers"] == 1 and settings["threads"] == 4
    assert settings["accesslog"] == "-"


def test_behind_a_proxy_sync_workers_and_no_access_log(load):
    settings = load(GUNICORN_WORKER_CLASS="sync", WEB_CONCURRENCY="2", GUNICORN_ACCESS_LOG="",
                    REDIS_URL="redis://127.0.0.1:6379/0")
    assert settings["worker_class"] == "sync"
    assert settings["workers"] == 2
    assert settings["threads"] == 1  # with more, gunicorn would run gthread after all
    assert settings["accesslog"] is None


def test_threads_follow_gthread_however_it_is_named(load):
    assert load(GUNICORN_WORKER_CLASS="gunicorn.workers.gthread.ThreadWorker",
                GUNICORN_THREADS="8")["threads"] == 8


def test_a_worker_freezes_what_the_app_built_at_start_up(load):
    settings = load()
    try:
        settings["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
