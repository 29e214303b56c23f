"""The knowledge forum: questions, answers, comments, votes, tags, revisions, follows, flags.

Counters that lists sort by (score, answer count, last activity) are kept on the rows and
changed with atomic UPDATEs, so a list page never counts votes or answers per row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db

TITLE_MIN, TITLE_MAX = 15, 150
BODY_MAX = 20_000
COMMENT_MAX = 600
TAG_MAX = 35
TAGS_PER_QUESTION = 5
FLAG_REASON_MAX = 200

question_tags = Table(
    "question_tags",
    db.metadata,
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tags"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TAG_MAX), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Question(db.Model):
    """`answer_count` counts the visible answers: hiding an answer lowers it, restoring one
    raises it again (see `app.forum.moderation`)."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint(f"length(title) >= {TITLE_MIN}", name="title_long_enough"),
        Index("ix_questions_visible_activity", "is_hidden", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body_md: Mapped[str] = mapped_column(String(BODY_MAX))
    body_html: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer, default=0)
    answer_count: Mapped[int] = mapped_column(Integer, default=0)
    accepted_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="SET NULL", use_alter=True,
                   name="fk_questions_accepted_answer_id_answers"))
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=question_tags, order_by=Tag.name)
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", foreign_keys="Answer.question_id")
    accepted_answer: Mapped[Answer | None] = relationship(
        foreign_keys=[accepted_answer_id], post_update=True)


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (CheckConstraint("length(body_md) > 0", name="body_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body_md: Mapped[str] = mapped_column(String(BODY_MAX))
    body_html: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer, default=0)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="answers",
                                              foreign_keys=[question_id])
    author: Mapped[User] = relationship()


def _one_target(*columns: str) -> CheckConstraint:
    """Exactly one of the target columns is set."""
    expr = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns)
    return CheckConstraint(f"{expr} = 1", name="one_target")


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        _one_target("question_id", "answer_id"),
        CheckConstraint("length(body) > 0", name="body_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(String(COMMENT_MAX))
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()


class Vote(db.Model):
    """One vote per person per post: unique (user, question) and (user, answer)."""

    __tablename__ = "votes"
    __table_args__ = (
        _one_target("question_id", "answer_id"),
        CheckConstraint("value IN (-1, 1)", name="value_up_or_down"),
        UniqueConstraint("user_id", "question_id", name="uq_votes_user_question"),
        UniqueConstraint("user_id", "answer_id", name="uq_votes_user_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Revision(db.Model):
    """The state of a question or answer after each edit (the first is the original)."""

    __tablename__ = "revisions"
    __table_args__ = (_one_target("question_id", "answer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    tags: Mapped[str | None] = mapped_column(String(TAG_MAX * TAGS_PER_QUESTION + 10))
    body_md: Mapped[str] = mapped_column(String(BODY_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    editor: Mapped[User] = relationship()


class QuestionFollow(db.Model):
    __tablename__ = "question_follows"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TagFollow(db.Model):
    __tablename__ = "tag_follows"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Flag(db.Model):
    """Someone asks the moderators to look at a post; one open flag per person and post."""

    __tablename__ = "flags"
    __table_args__ = (
        _one_target("question_id", "answer_id", "comment_id"),
        UniqueConstraint("reporter_id", "question_id", name="uq_flags_reporter_question"),
        UniqueConstraint("reporter_id", "answer_id", name="uq_flags_reporter_answer"),
        UniqueConstraint("reporter_id", "comment_id", name="uq_flags_reporter_comment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(FLAG_REASON_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
