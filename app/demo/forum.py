"""Demo forum: questions with answers, comments, votes, tags and accepted answers.

Built from `forum_data.TOPICS` with the seeded `random.Random` only, so the same seed gives
the same forum. Rows are created directly (not through the services, which would notify
people and check permissions for every step); every rule the services keep still holds:
one vote per person and post, no votes on your own posts, counters equal to the rows.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from app.accounts.models import User
from app.core.markdown import render_markdown
from app.demo.forum_data import CLOSINGS, COMMENTS, TOPICS
from app.extensions import db
from app.forum.models import (
    TITLE_MAX,
    TITLE_MIN,
    Answer,
    Comment,
    Question,
    QuestionFollow,
    Revision,
    Tag,
    Vote,
)

HISTORY_DAYS = 365
ANSWER_COUNT_WEIGHTS = (15, 35, 30, 15, 5)  # 0, 1, 2, 3 or 4 answers
ACCEPTED_SHARE = 0.55
QUALIFIERS = ("", "", " (beginner question)", " — what worked for you?", " in a small team")


def _titles(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` (topic, title) pairs, all distinct while the combinations last."""
    options = []
    for topic in sorted(TOPICS):
        spec = TOPICS[topic]
        for template in spec["titles"]:
            fillers = spec["things"] if "{thing}" in template else ("",)
            for thing in fillers:
                for qualifier in QUALIFIERS:
                    title = template.format(thing=thing).rstrip("?") + qualifier
                    if template.endswith("?") and not qualifier.endswith("?"):
                        title += "?"
                    if TITLE_MIN <= len(title) <= TITLE_MAX:
                        options.append((topic, title))
    rng.shuffle(options)
    return [options[i % len(options)] for i in range(count)]


def _question_body(rng: random.Random, topic: str, department: str) -> str:
    spec = TOPICS[topic]
    lines = [rng.choice(spec["bodies"])]
    situation = rng.choice(("we tried a few things already", "this comes up every week",
                            "I found old threads but nothing current"))
    lines.append(f"Some context: I work in {department or 'a small team'}, and {situation}.")
    if rng.random() < 0.3:
        lines.append("What I have so far:\n\n```\n" + rng.choice(spec["answers"])[:80] + "\n```")
    closing = rng.choice(CLOSINGS)
    if closing:
        lines.append(closing)
    return "\n\n".join(lines)


def _answer_body(rng: random.Random, topic: str) -> str:
    paragraphs = rng.sample(TOPICS[topic]["answers"], k=min(2, len(TOPICS[topic]["answers"])))
    return "\n\n".join(paragraphs[: rng.choice((1, 1, 2))])


def _after(rng: random.Random, start: datetime, max_days: float, now: datetime) -> datetime:
    return min(now, start + timedelta(hours=rng.uniform(0.5, max_days * 24)))


def create_forum(rng: random.Random, people: list[User], count: int = 300, *,
                 progress: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Add a forum to the session and flush (never commit); returns what was created."""
    people = sorted((p for p in people if p.active), key=lambda p: p.id)
    if len(people) < 5:
        return {"questions": 0, "answers": 0, "votes": 0, "comments": 0}
    now = datetime.now(UTC)
    tags: dict[str, Tag] = {t.name: t for t in db.session.query(Tag).all()}
    stats = {"questions": 0, "answers": 0, "votes": 0, "comments": 0}

    def tag(name: str) -> Tag:
        if name not in tags:
            tags[name] = Tag(name=name)
        return tags[name]

    def comment_on(target: dict, after: datetime, exclude: User) -> datetime:
        latest = after
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            author = rng.choice([p for p in people[:60] if p is not exclude] or people)
            created = _after(rng, after, 10, now)
            db.session.add(Comment(author=author, body=rng.choice(COMMENTS),
                                   created_at=created, **target))
            stats["comments"] += 1
            latest = max(latest, created)
        return latest

    def votes_for(post: Question | Answer, author: User) -> int:
        """Votes from a few colleagues (never the author); returns the resulting score."""
        target = ({"question_id": post.id} if isinstance(post, Question)
                  else {"answer_id": post.id})
        voters = rng.sample(people, k=min(len(people), rng.choice((0, 1, 2, 3, 5, 8))))
        score = 0
        for voter in voters:
            if voter is author:
                continue
            value = 1 if rng.random() < 0.85 else -1
            db.session.add(Vote(user_id=voter.id, value=value, **target))
            score += value
            stats["votes"] += 1
        return score

    for topic, title in _titles(rng, count):
        spec = TOPICS[topic]
        asker = rng.choice(people)
        created = now - timedelta(days=rng.uniform(1, HISTORY_DAYS))
        body = _question_body(rng, topic, asker.department)
        names = [spec["tags"][0], *rng.sample(spec["tags"][1:], k=rng.choice((0, 1, 2)))]
        question = Question(author=asker, title=title, body_md=body,
                            body_html=render_markdown(body), created_at=created,
                            updated_at=created, last_activity_at=created,
                            tags=[tag(n) for n in names])
        db.session.add(question)
        db.session.flush()  # ids for votes, answers and revisions
        db.session.add(Revision(question_id=question.id, editor_id=asker.id, title=title,
                                tags=", ".join(names), body_md=body, created_at=created))
        db.session.add(QuestionFollow(user_id=asker.id, question_id=question.id,
                                      created_at=created))
        latest = comment_on({"question_id": question.id}, created, asker)

        answer_count = rng.choices(range(5), weights=ANSWER_COUNT_WEIGHTS)[0]
        answerers = rng.sample([p for p in people if p is not asker], k=answer_count)
        answers = []
        for answerer in answerers:
            answered = _after(rng, created, 14, now)
            text = _answer_body(rng, topic)
            answer = Answer(question_id=question.id, author=answerer, body_md=text,
                            body_html=render_markdown(text), created_at=answered,
                            updated_at=answered)
            db.session.add(answer)
            answers.append(answer)
            latest = max(latest, answered)
        db.session.flush()
        for answer in answers:
            db.session.add(Revision(answer_id=answer.id, editor_id=answer.author.id,
                                    body_md=answer.body_md, created_at=answer.created_at))
            answer.score = votes_for(answer, answer.author)
            latest = max(latest, comment_on({"answer_id": answer.id}, answer.created_at,
                                            answer.author))
        question.score = votes_for(question, asker)
        question.answer_count = len(answers)
        question.last_activity_at = latest
        if answers and rng.random() < ACCEPTED_SHARE:
            question.accepted_answer_id = max(answers, key=lambda a: a.score).id
        stats["questions"] += 1
        stats["answers"] += len(answers)
        progress(1)
    db.session.flush()
    return stats
