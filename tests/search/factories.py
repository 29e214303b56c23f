"""Forum rows made directly with the models, for the search tests."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from app.core.markdown import render_markdown
from app.extensions import db
from app.forum.models import Answer, Question, Tag
from tests.factories import make_user

_counter = itertools.count(1)


def get_tag(name: str) -> Tag:
    tag = db.session.scalar(select(Tag).where(Tag.name == name))
    if tag is None:
        tag = Tag(name=name)
        db.session.add(tag)
    return tag


def make_question(*, author=None, tags=(), commit: bool = True, **overrides) -> Question:
    n = next(_counter)
    fields = {"title": f"Question number {n} about something", "body_md": f"Body of question {n}."}
    fields.update(overrides)
    fields.setdefault("body_html", render_markdown(fields["body_md"]))
    question = Question(author=author or make_user(), **fields)
    question.tags = [get_tag(name) for name in tags]
    db.session.add(question)
    if commit:
        db.session.commit()
    return question


def make_answer(question: Question, *, author=None, commit: bool = True, **overrides) -> Answer:
    n = next(_counter)
    fields = {"body_md": f"Answer number {n}."}
    fields.update(overrides)
    fields.setdefault("body_html", render_markdown(fields["body_md"]))
    answer = Answer(question=question, author=author or make_user(), **fields)
    db.session.add(answer)
    question.answer_count = (question.answer_count or 0) + 1
    if commit:
        db.session.commit()
    return answer


def only_questions(monkeypatch) -> None:
    """Index questions alone, so counting outbox rows and documents counts questions (the
    authors these factories make are people, documents of their own)."""
    from app import register_document_types
    from app.search import registry

    register_document_types()  # every kind registered before, not into, the copy
    monkeypatch.setattr(registry, "_doc_types", {"question": registry.get("question")})
