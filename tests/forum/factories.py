"""Forum factories: real rows made through the services, committed."""

from __future__ import annotations

import itertools

from app.extensions import db
from app.forum import services
from tests.factories import make_user

_counter = itertools.count(1)


def make_question(author=None, *, commit: bool = True, **overrides):
    n = next(_counter)
    fields = {"title": f"How do I configure thing number {n}?",
              "body": f"I tried **everything** for thing {n}.", "tags": "python, flask"}
    fields.update(overrides)
    question = services.ask_question(author or make_user(), **fields)
    if commit:
        db.session.commit()
    return question


def make_answer(question=None, author=None, *, commit: bool = True, body: str | None = None):
    question = question or make_question()
    answer = services.answer_question(author or make_user(), question,
                                      body=body or f"Try this, answer {next(_counter)}.")
    if commit:
        db.session.commit()
    return answer


def make_comment(post, author=None, *, commit: bool = True, body: str = "Good point."):
    comment = services.comment_on(author or make_user(), post, body=body)
    if commit:
        db.session.commit()
    return comment
