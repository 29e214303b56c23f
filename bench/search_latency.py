"""Server-side latency of the search page over realistic queries on the generated forum.

Queries are 1–4 words drawn from the forum's own vocabulary (a topic's words mixed with
everyday ones), some with `tag:`, `is:unanswered`, a "quoted phrase", a `prefix*` or sorted
by newest. Each is requested once through the test client as a logged-in person, after a
warm-up with other queries, and timed inside the server (see `harness.ServerTimer`).
"""

from __future__ import annotations

import random
import re
from urllib.parse import urlencode

from flask import Flask

from bench.generate import Forum
from bench.harness import ServerTimer, logged_in_client, summary_ms

QUERIES = 200
WARM_UP = 30
KINDS = {"words": 55, "tag": 12, "unanswered": 8, "phrase": 10, "prefix": 10, "newest": 5}
SEARCH_PATH = "/search"


def _words(rng: random.Random, forum: Forum, count: int) -> list[str]:
    """`count` words a person might type about one topic: its tag's words, everyday ones."""
    vocab = forum.vocabulary
    topic = vocab.tag_words[vocab.tag(rng)]
    words: list[str] = []
    while len(words) < count:
        word = rng.choice(topic) if rng.random() < 0.6 else vocab.content_word(rng)
        if word not in words:
            words.append(word)
    return words


def _phrase(rng: random.Random, forum: Forum) -> str:
    """Two neighbouring words of a real title, quoted."""
    words = re.findall(r"[a-z0-9]+", rng.choice(forum.sample_titles).lower())
    start = rng.randrange(max(1, len(words) - 1))
    return '"' + " ".join(words[start:start + 2]) + '"'


def make_queries(forum: Forum, count: int = QUERIES, seed: int = 7) -> list[dict]:
    """`count` (kind, params) searches, the same for the same forum and seed."""
    rng = random.Random(seed)
    kinds = rng.choices(list(KINDS), weights=list(KINDS.values()), k=count)
    queries = []
    for kind in kinds:
        sort = "relevance"
        if kind == "words":
            text = " ".join(_words(rng, forum, rng.choices((1, 2, 3, 4), (30, 35, 22, 13))[0]))
        elif kind == "tag":
            text = " ".join(_words(rng, forum, rng.randint(1, 2)))
            text += f" tag:{forum.vocabulary.tag(rng)}"
        elif kind == "unanswered":
            text = " ".join(_words(rng, forum, rng.randint(1, 2))) + " is:unanswered"
        elif kind == "phrase":
            text = _phrase(rng, forum)
            if rng.random() < 0.5:
                text += " " + _words(rng, forum, 1)[0]
        elif kind == "prefix":
            word = max(_words(rng, forum, 2), key=len)
            text = word[:max(3, len(word) - 3)] + "*"
        else:
            text = " ".join(_words(rng, forum, rng.randint(1, 3)))
            sort = "newest"
        queries.append({"kind": kind, "q": text, "sort": sort})
    return queries


def _url(query: dict) -> str:
    params = {"q": query["q"]}
    if query["sort"] != "relevance":
        params["sort"] = query["sort"]
    return f"{SEARCH_PATH}?{urlencode(params)}"


def run(app: Flask, timer: ServerTimer, forum: Forum) -> dict:
    queries = make_queries(forum)
    client = logged_in_client(app, forum.viewer_email)
    for query in make_queries(forum, WARM_UP, seed=1):
        client.get(_url(query))
    wall, cpu = [], []
    for query in queries:
        response = client.get(_url(query))
        if response.status_code != 200:
            raise RuntimeError(f"{_url(query)} answered {response.status_code}")
        wall.append(timer.last_ms)
        cpu.append(timer.last_cpu_ms)
    by_kind = {}
    for kind in KINDS:
        values = [t for t, q in zip(wall, queries, strict=True) if q["kind"] == kind]
        if values:
            by_kind[kind] = summary_ms(values)
    slowest = sorted(zip(wall, queries, strict=True), key=lambda tq: -tq[0])[:5]
    return {**summary_ms(wall), "cpu": summary_ms(cpu), "by_kind": by_kind,
            "slowest": [{"ms": round(t, 1), **q} for t, q in slowest]}
