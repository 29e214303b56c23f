"""How forum questions become search documents.

A question's document holds its title, its tags, and its body followed by the text of its
visible answers, so an answer's words find the question. A hidden question is indexed with
`is_hidden` set, and only administrators' searches include it.
A change to an answer or a tag refreshes the questions it belongs to (through the outbox's
`watch`); adding or removing a tag changes `Question.tags`, which refreshes the question.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.markdown import to_plain_text
from app.extensions import db
from app.forum.models import Answer, Question, Tag, question_tags
from app.search.registry import DocType, register

DOC_TYPE = "question"


def _visible_answers(question: Question) -> list[Answer]:
    return [a for a in question.answers if not a.is_hidden]


def question_document(question: Question) -> dict:
    answers = _visible_answers(question)
    parts = [to_plain_text(question.body_md)]
    parts += [to_plain_text(a.body_md) for a in sorted(answers, key=lambda a: a.id)]
    return {
        "title": question.title,
        "tags": ",".join(tag.name for tag in question.tags),
        "body": "\n\n".join(p for p in parts if p),
        "created_at": question.created_at,
        "is_answered": bool(answers),
        "is_accepted": question.accepted_answer_id is not None,
        "is_hidden": question.is_hidden,
    }


def is_indexable(question: Question) -> bool:
    """Every question, hidden ones too (flagged `is_hidden`): administrators search them."""
    return True


def load_questions(ids: Sequence[int]) -> list[Question]:
    """The questions with these ids, in the order given (missing ones left out)."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Question).where(Question.id.in_(list(ids)))
        .options(selectinload(Question.tags), selectinload(Question.answers))
    ).all()
    by_id = {q.id: q for q in rows}
    return [by_id[i] for i in ids if i in by_id]


def _questions_tagged(tag: Tag) -> list[int]:
    """A renamed tag refreshes every question carrying it (none for a new tag)."""
    if tag.id is None:
        return []
    return list(db.session.connection().scalars(
        select(question_tags.c.question_id).where(question_tags.c.tag_id == tag.id)))


QUESTION_DOCS = register(DocType(
    name=DOC_TYPE,
    model=Question,
    to_document=question_document,
    is_indexable=is_indexable,
    load_many=load_questions,
    all_ids=lambda: select(Question.id).order_by(Question.id),
    watch=[(Answer, lambda answer: answer.question_id), (Tag, _questions_tagged)],
))
