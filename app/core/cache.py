"""A small per-process cache of rendered page parts, keyed by cache generation.

Keys always begin with the area's generation (see `app.core.generations`), so a change to
the data makes every old entry unreachable; the least recently used ones are dropped once
the cache holds `PAGE_CACHE_ENTRIES` of them. Nothing here is shared between processes and
nothing needs to be: each worker fills its own cache from the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

from app.core import generations

T = TypeVar("T")
_EXTENSION = "skillswap_page_cache"


class PageCache:
    """A thread-safe least-recently-used mapping (gunicorn's threads share one)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[return-value]
        value = make()  # outside the lock: two threads may both build it, and that is fine
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)


def page_cache() -> PageCache:
    cache = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(
            _EXTENSION, PageCache(current_app.config.get("PAGE_CACHE_ENTRIES", 2048)))
    return cache


def cached(area: str, key: Hashable, make: Callable[[], T]) -> T:
    """`make()`, or what it made before for `key` while `area`'s data has not changed.

    Uncached when the area has no generation yet, or the cache is switched off."""
    generation = generations.current(area)
    if generation is None or current_app.config.get("PAGE_CACHE_ENTRIES", 2048) <= 0:
        return make()
    return page_cache().get_or_make((area, generation, key), make)
