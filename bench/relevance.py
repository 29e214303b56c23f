"""How well forum search ranks real questions: the Stack Exchange corpus in ../shared/corpus.

Its questions and answers are imported as forum posts into a fresh database (an answer's text
joins its question's search document, as the app indexes it), the index is rebuilt, and each
of the 320 queries — a question's title — is searched through the app's own functions. The
query's own question is dropped and the top 10 are scored against the corpus's judgments:
nDCG@10 (graded: 2 = duplicate, 1 = related), Recall@5 and @10, and for the queries that have
a duplicate, nDCG@10 on duplicates alone and how often a duplicate is in the top 5.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from sqlalchemy import insert

from app.accounts.models import User
from app.extensions import db
from app.forum.models import Answer, Question, Tag, question_tags
from app.search.queries import search_questions, similar_questions
from bench.harness import CORPUS_DIR, make_app, reindex

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
CUTOFF = 10
REFERENCE = {  # from the corpus README: (nDCG@10, nDCG@10 duplicates, Recall@10, catch rate)
    "SQLite FTS5 bm25 (reference)": (0.249, 0.581, 0.312, 0.59),
    "Whoosh 2.7.4 BM25F (reference)": (0.224, 0.556, 0.281, 0.68),
}


def corpus_missing() -> str | None:
    """Why the relevance benchmark cannot run, or None when it can."""
    for name in ("posts.jsonl", "queries.jsonl", "qrels.tsv"):
        if not (CORPUS_DIR / name).exists():
            return f"skipped: {CORPUS_DIR / name} is not there (../shared/ lives beside the repo)"
    return None


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    with path.open(encoding="utf-8") as lines:
        next(lines)  # header
        for line in lines:
            query_id, corpus_id, score = line.split()
            judged[query_id][corpus_id] = int(score)
    return judged


def import_corpus(posts: list[dict]) -> dict[str, int]:
    """Insert the corpus as forum posts; returns corpus id → question id."""
    db.session.execute(insert(User.__table__), [{
        "id": 1, "email": "corpus@bench.example", "handle": "corpus", "display_name": "Corpus",
        "password_hash": None, "session_token": "corpus", "department": "",
        "created_at": EPOCH, "updated_at": EPOCH}])
    question_ids: dict[str, int] = {}
    tag_ids: dict[str, int] = {}
    questions, links = [], []
    for post in posts:
        if post["type"] != "question":
            continue
        qid = question_ids[post["id"]] = len(question_ids) + 1
        created = EPOCH + timedelta(minutes=qid)
        questions.append({
            "id": qid, "author_id": 1, "title": post["title"], "body_md": post["body"],
            "body_html": f"<p>{escape(post['body'])}</p>", "score": 0, "answer_count": 0,
            "is_hidden": False, "is_locked": False, "created_at": created,
            "updated_at": created, "last_activity_at": created})
        for name in dict.fromkeys(t.lower() for t in post.get("tags") or ()):
            tag_ids.setdefault(name, len(tag_ids) + 1)
            links.append({"question_id": qid, "tag_id": tag_ids[name]})
    answers = []
    for post in posts:
        parent = question_ids.get(post.get("parent") or "")
        if post["type"] == "answer" and parent and post["body"].strip():
            questions[parent - 1]["answer_count"] += 1
            created = EPOCH + timedelta(minutes=parent, seconds=len(answers) % 60)
            answers.append({"id": len(answers) + 1, "question_id": parent, "author_id": 1,
                            "body_md": post["body"], "body_html": f"<p>{escape(post['body'])}</p>",
                            "score": 0, "is_hidden": False, "created_at": created,
                            "updated_at": created})
    db.session.execute(insert(Tag.__table__),
                       [{"id": i, "name": n, "created_at": EPOCH} for n, i in tag_ids.items()])
    db.session.execute(insert(Question.__table__), questions)
    db.session.execute(insert(Answer.__table__), answers)
    db.session.execute(insert(question_tags), links)
    db.session.commit()
    return question_ids


def ndcg(ranked: list[str], gains: dict[str, int], k: int = CUTOFF) -> float:
    """nDCG@k with linear gains (as trec_eval): sum(gain / log2(rank + 1))."""
    dcg = sum(gains.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], relevant: set[str], k: int) -> float:
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def score(rankings: dict[str, list[str]], judged: dict[str, dict[str, int]]) -> dict:
    ndcgs, r5, r10, dup_ndcgs, caught = [], [], [], [], []
    for query_id, ranked in rankings.items():
        gains = {doc: g for doc, g in judged.get(query_id, {}).items() if doc != query_id}
        ndcgs.append(ndcg(ranked, gains))
        r5.append(recall(ranked, set(gains), 5))
        r10.append(recall(ranked, set(gains), 10))
        duplicates = {doc: g for doc, g in gains.items() if g == 2}
        if duplicates:
            dup_ndcgs.append(ndcg(ranked, duplicates))
            caught.append(bool(set(duplicates) & set(ranked[:5])))
    return {"queries": len(rankings), "ndcg@10": round(statistics.fmean(ndcgs), 3),
            "recall@5": round(statistics.fmean(r5), 3),
            "recall@10": round(statistics.fmean(r10), 3),
            "ndcg@10_duplicates": round(statistics.fmean(dup_ndcgs), 3) if dup_ndcgs else None,
            "duplicate_queries": len(caught),
            "duplicate_catch_top5": round(sum(caught) / len(caught), 3) if caught else None}


def _rank(queries: list[dict], question_ids: dict[str, int], search) -> tuple[dict, float]:
    corpus_id = {qid: cid for cid, qid in question_ids.items()}
    rankings, timings = {}, []
    for query in queries:
        own = question_ids.get(query["_id"])
        start = time.perf_counter()
        found = search(query["text"], own)
        timings.append((time.perf_counter() - start) * 1000)
        rankings[query["_id"]] = [corpus_id[i] for i in found if i != own][:CUTOFF]
        db.session.remove()
    return rankings, statistics.median(timings)


def _search_page(text: str, own: int | None) -> list[int]:
    return [hit.question.id for hit in search_questions(text, per_page=CUTOFF + 1).items]


def _similar(text: str, own: int | None) -> list[int]:
    return [q.id for q in similar_questions(text, limit=CUTOFF, exclude_id=own)]


def run(workdir: Path) -> dict:
    missing = corpus_missing()
    if missing:
        return {"skipped": missing}
    posts = _read_jsonl(CORPUS_DIR / "posts.jsonl")
    queries = _read_jsonl(CORPUS_DIR / "queries.jsonl")
    judged = read_qrels(CORPUS_DIR / "qrels.tsv")
    app, _ = make_app(workdir)
    with app.app_context():
        question_ids = import_corpus(posts)
        documents, seconds = reindex()
        results = {"documents": documents, "posts": len(posts), "reindex_s": round(seconds, 1)}
        for name, search in (("search page", _search_page), ("similar questions", _similar)):
            rankings, median_ms = _rank(queries, question_ids, search)
            results[name] = {**score(rankings, judged), "median_ms": round(median_ms, 1)}
    return results
