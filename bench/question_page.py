"""Server-side time of the question page for a question with 50 answers and 200 comments,
viewed by a logged-in person who voted on some of the answers."""

from __future__ import annotations

from flask import Flask

from app.extensions import db
from app.forum.models import Question
from app.forum.queries import question_slug
from bench.generate import Forum
from bench.harness import ServerTimer, logged_in_client, summary_ms

REQUESTS = 50
WARM_UP = 5


def run(app: Flask, timer: ServerTimer, forum: Forum) -> dict:
    with app.app_context():
        question = db.session.get(Question, forum.big_question_id)
        url = f"/questions/{question.id}/{question_slug(question)}"
        db.session.remove()
    client = logged_in_client(app, forum.viewer_email)
    timings, cpu = [], []
    for n in range(WARM_UP + REQUESTS):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if n >= WARM_UP:
            timings.append(timer.last_ms)
            cpu.append(timer.last_cpu_ms)
    page = response.get_data(as_text=True)
    return {"url": url, **summary_ms(timings), "cpu": summary_ms(cpu),
            "answers_shown": page.count('id="answer-'), "page_kb": round(len(page) / 1024)}
