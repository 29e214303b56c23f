"""A large, believable forum written straight into the database, the same for the same seed.

Rows go in with SQLAlchemy Core bulk inserts (it is a data generator, not a service: no
signals, no notifications, no outbox), then the index is rebuilt with the app's own document
builder. One question gets 50 answers and 200 comments, for the question-page benchmark.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

from sqlalchemy import bindparam, insert, update
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.forum.models import TITLE_MAX, Answer, Comment, Question, Tag, Vote, question_tags
from bench.harness import BENCH_PASSWORD
from bench.vocabulary import Vocabulary, build_vocabulary

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
HISTORY_DAYS = 730
USERS = 2000
VIEWER_EMAIL = "viewer@bench.example"
BIG_ANSWERS, BIG_COMMENTS = 50, 200
ANSWER_WEIGHTS = (12, 20, 22, 16, 10, 7, 5, 3, 2, 2, 1)  # 0 … 10 answers a question
COMMENT_WEIGHTS = (60, 25, 10, 5)  # 0 … 3 comments a post
TOPIC_SHARE = 0.22  # share of a post's words taken from its tags' topic words
CHUNK = 5000
TITLE_TEMPLATES = (
    "How do I {w} {t} with {t}?", "Why is {t} so {w} after the {t} {w}?",
    "{T} keeps {w} when {t} {w}", "Best way to {w} {t} {w} in {t}",
    "What is the difference between {t} and {t}?", "{T} {t} not {w} on {w}",
    "Can {t} {w} {t} without {w}?", "Is {t} worth it for {w} {w}?",
    "{T} {w} {t} fails with {t} {w}", "Moving {t} {w} from {t} to {t}",
)


@dataclass
class Forum:
    """What was generated, for the benchmarks that use it."""

    vocabulary: Vocabulary
    questions: int = 0
    answers: int = 0
    comments: int = 0
    users: int = 0
    big_question_id: int = 0
    viewer_email: str = VIEWER_EMAIL
    sample_titles: list[str] = field(default_factory=list)

    @property
    def posts(self) -> int:
        return self.questions + self.answers


class Writer:
    """Builds post text from the vocabulary: sentences, paragraphs, a little Markdown."""

    def __init__(self, rng: random.Random, vocabulary: Vocabulary):
        self.rng, self.vocab = rng, vocabulary

    def words(self, topic: list[str], k: int) -> list[str]:
        words = self.vocab.words_like_text(self.rng, k)
        rnd, choice = self.rng.random, self.rng.choice
        return [choice(topic) if rnd() < TOPIC_SHARE else w for w in words]

    def sentence(self, topic: list[str]) -> str:
        words = self.words(topic, self.rng.randint(6, 20))
        text = " ".join(words)
        return text[0].upper() + text[1:] + self.rng.choice(".....?!")

    def paragraph(self, topic: list[str]) -> tuple[str, str]:
        """(Markdown, HTML) of one paragraph; some mention a term as `code`."""
        sentences = [self.sentence(topic) for _ in range(self.rng.randint(1, 4))]
        md = " ".join(sentences)
        html = escape(md)
        if self.rng.random() < 0.3:
            term = self.rng.choice(topic)
            md += f" Look at `{term}` first."
            html += f" Look at <code>{escape(term)}</code> first."
        return md, f"<p>{html}</p>"

    def code_block(self, topic: list[str]) -> tuple[str, str]:
        a, b, c = (self.rng.choice(topic) for _ in range(3))
        code = f"{a}.{b}({c}, retries=3)"
        return f"```\n{code}\n```", f"<pre><code>{escape(code)}\n</code></pre>"

    def body(self, topic: list[str], paragraphs: tuple[int, int], code: float) -> tuple[str, str]:
        parts = [self.paragraph(topic) for _ in range(self.rng.randint(*paragraphs))]
        if self.rng.random() < code:
            parts.insert(self.rng.randint(1, len(parts)), self.code_block(topic))
        return "\n\n".join(p[0] for p in parts), "\n".join(p[1] for p in parts)

    def title(self, topic: list[str]) -> str:
        template = self.rng.choice(TITLE_TEMPLATES)
        while "{" in template:
            if "{T}" in template:
                word = self.rng.choice(topic)
                template = template.replace("{T}", word[0].upper() + word[1:], 1)
            elif "{t}" in template:
                template = template.replace("{t}", self.rng.choice(topic), 1)
            else:
                template = template.replace("{w}", self.vocab.content_word(self.rng), 1)
        return template[:TITLE_MAX] if len(template) >= 15 else template + " in practice"

    def comment(self, topic: list[str]) -> str:
        return self.sentence(topic)[:600]


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])


def _users(rng: random.Random) -> int:
    firsts = FREQUENCY_LISTS["female_names"][:300] + FREQUENCY_LISTS["male_names"][:300]
    lasts = FREQUENCY_LISTS["surnames"][:1000]
    rows = [{"id": 1, "email": VIEWER_EMAIL, "handle": "viewer", "display_name": "Bench Viewer",
             "password_hash": hash_password(BENCH_PASSWORD), "session_token": "viewer-token"}]
    for n in range(2, USERS + 1):
        name = f"{rng.choice(firsts).title()} {rng.choice(lasts).title()}"
        rows.append({"id": n, "email": f"user{n}@bench.example", "handle": f"user{n}",
                     "display_name": name, "password_hash": None, "session_token": f"t{n}"})
    for row in rows:
        row.update(created_at=EPOCH, updated_at=EPOCH, department="Engineering")
    _insert(User.__table__, rows)
    return len(rows)


def _answer_counts(rng: random.Random, questions: int, answers: int) -> list[int]:
    """Answers per question (the last question has BIG_ANSWERS), summing to `answers`."""
    counts = rng.choices(range(len(ANSWER_WEIGHTS)), weights=ANSWER_WEIGHTS, k=questions - 1)
    diff = answers - BIG_ANSWERS - sum(counts)
    while diff:
        i = rng.randrange(len(counts))
        if diff > 0 and counts[i] < 15:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 0:
            counts[i] -= 1
            diff += 1
    return [*counts, BIG_ANSWERS]


def _comment_rows(rng: random.Random, writer: Writer, target: dict, topic: list[str],
                  after: datetime, count: int, first_id: int) -> list[dict]:
    return [{"id": first_id + i, **target, "author_id": rng.randint(2, USERS),
             "body": writer.comment(topic), "is_hidden": False,
             "created_at": after + timedelta(hours=rng.uniform(0.2, 200))}
            for i in range(count)]


def generate_forum(posts: int = 100_000, seed: int = 42,
                   progress=lambda done, total: None) -> Forum:
    """Fill the (empty) database with about `posts` questions and answers; commits."""
    rng = random.Random(seed)
    vocabulary = build_vocabulary(seed)
    writer = Writer(rng, vocabulary)
    forum = Forum(vocabulary=vocabulary, users=_users(rng))
    tag_ids = {name: i + 1 for i, name in enumerate(vocabulary.tags)}
    _insert(Tag.__table__, [{"id": i, "name": n, "created_at": EPOCH} for n, i in tag_ids.items()])

    n_questions = posts // 4
    counts = _answer_counts(rng, n_questions, posts - n_questions)
    questions, answers, comments, links, accepted = [], [], [], [], []
    answer_id = comment_id = 0
    for qid, n_answers in enumerate(counts, start=1):
        big = qid == n_questions
        tags = vocabulary.tags_for_question(rng, rng.choices((1, 2, 3, 4, 5),
                                                             (25, 35, 25, 10, 5))[0])
        topic = [w for t in tags for w in vocabulary.tag_words[t]]
        title = writer.title(topic)
        body_md, body_html = writer.body(topic, (1, 4), 0.2)
        created = EPOCH + timedelta(days=rng.uniform(0, HISTORY_DAYS))
        links += [{"question_id": qid, "tag_id": tag_ids[t]} for t in tags]
        if qid % 100 == 0:
            forum.sample_titles.append(title)
        q_comments = (BIG_COMMENTS // 10 if big
                      else rng.choices(range(4), weights=COMMENT_WEIGHTS)[0])
        on_question = {"question_id": qid, "answer_id": None}
        comments += _comment_rows(rng, writer, on_question, topic, created, q_comments,
                                  comment_id + 1)
        comment_id += q_comments
        latest, best = created, None
        for _ in range(n_answers):
            answer_id += 1
            a_md, a_html = writer.body(topic, (2, 6) if big else (1, 3), 0.15)
            answered = created + timedelta(hours=rng.uniform(0.5, 24 * 30))
            score = int(rng.paretovariate(1.5)) - 1 - (rng.random() < 0.1)
            answers.append({"id": answer_id, "question_id": qid, "author_id": rng.randint(2, USERS),
                            "body_md": a_md, "body_html": a_html, "score": score,
                            "is_hidden": False, "created_at": answered, "updated_at": answered})
            best = answer_id if best is None or score > answers[best - 1]["score"] else best
            latest = max(latest, answered)
            if not big:
                n = rng.choices(range(4), weights=COMMENT_WEIGHTS)[0]
                on_answer = {"question_id": None, "answer_id": answer_id}
                comments += _comment_rows(rng, writer, on_answer, topic, answered, n,
                                          comment_id + 1)
                comment_id += n
        if big:
            for _ in range(BIG_COMMENTS - q_comments):
                comment_id += 1
                target = {"question_id": None,
                          "answer_id": answer_id - rng.randrange(n_answers)}
                comments += _comment_rows(rng, writer, target, topic, created, 1, comment_id)
        if best is not None and rng.random() < 0.5:
            accepted.append({"qid": qid, "aid": best})
        questions.append({
            "id": qid, "author_id": rng.randint(2, USERS), "title": title, "body_md": body_md,
            "body_html": body_html, "score": int(rng.paretovariate(1.3)) - 1,
            "answer_count": n_answers, "is_hidden": False, "is_locked": False,
            "created_at": created, "updated_at": created, "last_activity_at": latest})
        if qid % 2500 == 0 or big:
            progress(qid + answer_id, posts)

    _insert(Question.__table__, questions)
    _insert(Answer.__table__, answers)
    _insert(question_tags, links)
    _insert(Comment.__table__, comments)
    db.session.execute(update(Question.__table__).where(Question.id == bindparam("qid"))
                       .values(accepted_answer_id=bindparam("aid")), accepted)
    big_answers = [a["id"] for a in answers if a["question_id"] == n_questions]
    _insert(Vote.__table__, [
        {"user_id": 1, "answer_id": aid, "value": 1, "created_at": EPOCH}
        for aid in big_answers[::4]])
    db.session.commit()
    forum.questions, forum.answers, forum.comments = len(questions), len(answers), len(comments)
    forum.big_question_id = n_questions
    return forum
