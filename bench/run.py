"""`make bench`: generate a 100,000-post forum, index it, time search and the question page,
score search relevance on the real corpus, print a summary and write bench/results/.

    .venv/bin/python -m bench.run [--posts N] [--seed S] [--keep DIR] [--no-relevance]

Exits with status 1 when a latency target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import question_page, relevance, search_latency
from bench.generate import generate_forum
from bench.harness import RESULTS_DIR, make_app, reindex

SEARCH_P95_TARGET_MS = 150
QUESTION_PAGE_TARGET_MS = 30


def _say(text: str) -> None:
    print(text, flush=True)


def _progress(done: int, total: int) -> None:
    print(f"\r  generating posts: {done:,} / {total:,}", end="", flush=True)


def _machine() -> dict:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(terse=True),
            "load_average_at_start": round(load, 2) if load is not None else None,
            "date": datetime.now(UTC).isoformat(timespec="seconds")}


def bench_forum(workdir: Path, posts: int, seed: int) -> dict:
    app, timer = make_app(workdir)
    with app.app_context():
        _say(f"Generating a forum of {posts:,} posts (seed {seed}) in {workdir} …")
        started = time.perf_counter()
        forum = generate_forum(posts, seed, progress=_progress)
        generated_s = time.perf_counter() - started
        _say(f"\n  done in {generated_s:.1f} s. Rebuilding the search index …")
        documents, seconds = reindex()
    results = {
        "forum": {"posts": forum.posts, "questions": forum.questions, "answers": forum.answers,
                  "comments": forum.comments, "users": forum.users,
                  "tags": len(forum.vocabulary.tags), "words": len(forum.vocabulary.words),
                  "seconds": round(generated_s, 1)},
        "reindex": {"documents": documents, "seconds": round(seconds, 1),
                    "docs_per_s": round(documents / seconds, 1),
                    "posts_per_s": round(forum.posts / seconds, 1)},
    }
    _say(f"  {documents:,} documents in {seconds:.1f} s. Timing /search …")
    results["search"] = search_latency.run(app, timer, forum)
    _say("  Timing the question page …")
    results["question_page"] = question_page.run(app, timer, forum)
    return results


def _verdict(value: float, target: float) -> str:
    return "pass" if value <= target else "MISSED"


def summary(results: dict) -> str:
    m, f, r = results["machine"], results["forum"], results["reindex"]
    s, p = results["search"], results["question_page"]
    rows = [
        ("Forum generated", f"{f['posts']:,} posts ({f['questions']:,} questions, "
         f"{f['answers']:,} answers), {f['comments']:,} comments in {f['seconds']} s", "", ""),
        ("Reindex", f"{r['docs_per_s']:,.0f} docs/s ({r['posts_per_s']:,.0f} posts/s): "
         f"{r['documents']:,} documents in {r['seconds']} s", "", ""),
        ("/search, 200 queries", f"p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms "
         f"(CPU p95 {s['cpu']['p95_ms']} ms)", f"p95 <= {SEARCH_P95_TARGET_MS} ms",
         _verdict(s["p95_ms"], SEARCH_P95_TARGET_MS)),
        ("Question page, 50 answers, 200 comments",
         f"median {p['p50_ms']} ms, p95 {p['p95_ms']} ms (CPU median {p['cpu']['p50_ms']} ms)",
         f"median <= {QUESTION_PAGE_TARGET_MS} ms", _verdict(p["p50_ms"], QUESTION_PAGE_TARGET_MS)),
    ]
    width = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"Skillswap benchmarks — {m['cores']} cores, Python {m['python']}, "
             f"load average {m['load_average_at_start']} at start", ""]
    lines += ["  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)).rstrip()
              for row in rows]
    lines += ["", "Slowest searches: " + "; ".join(
        f"{q['q']!r} {q['ms']} ms" for q in s["slowest"][:3])]
    lines += ["", "Relevance on ../shared/corpus (320 queries, own question dropped, top 10):"]
    rel = results.get("relevance", {})
    if "skipped" in rel:
        lines.append("  " + rel["skipped"])
        return "\n".join(lines)
    header = ("ranker", "nDCG@10", "nDCG@10 dup", "Recall@5", "Recall@10", "dup in top 5")
    table = [header]
    for name in ("search page", "similar questions"):
        x = rel[name]
        table.append((f"Skillswap {name}", f"{x['ndcg@10']:.3f}", f"{x['ndcg@10_duplicates']:.3f}",
                      f"{x['recall@5']:.3f}", f"{x['recall@10']:.3f}",
                      f"{x['duplicate_catch_top5']:.0%}"))
    for name, (ndcg, dup, recall10, caught) in relevance.REFERENCE.items():
        table.append((name, f"{ndcg:.3f}", f"{dup:.3f}", "—", f"{recall10:.3f}", f"{caught:.0%}"))
    width = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines += ["  " + "  ".join(c.ljust(width[i]) for i, c in enumerate(row)) for row in table]
    lines.append(f"  ({rel['documents']:,} questions from {rel['posts']:,} posts, indexed in "
                 f"{rel['reindex_s']} s; {rel['search page']['duplicate_queries']} queries "
                 "have a duplicate)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, help="work in (and keep) this directory")
    parser.add_argument("--no-relevance", action="store_true")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="skillswap-bench-"))
    if args.keep and workdir.exists():
        shutil.rmtree(workdir)
    results = {"machine": _machine()}
    try:
        results.update(bench_forum(workdir / "forum", args.posts, args.seed))
        if args.no_relevance:
            results["relevance"] = {"skipped": "skipped: --no-relevance"}
        else:
            _say("Scoring relevance on the corpus …")
            results["relevance"] = relevance.run(workdir / "corpus")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    text = summary(results)
    (RESULTS_DIR / "latest.txt").write_text(text + "\n")
    _say("\n" + text + f"\n\nFull results: {RESULTS_DIR / 'latest.json'}")
    missed = (results["search"]["p95_ms"] > SEARCH_P95_TARGET_MS
              or results["question_page"]["p50_ms"] > QUESTION_PAGE_TARGET_MS)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
