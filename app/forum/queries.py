"""Read-side forum queries. Every page loads a constant number of statements: related rows
come in with `selectinload`, never one query per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.permissions import is_admin
from app.core.markdown import to_plain_text
from app.core.text import slug
from app.extensions import db
from app.forum.models import (
    Answer,
    Comment,
    Flag,
    Question,
    QuestionFollow,
    Revision,
    Tag,
    TagFollow,
    Vote,
    question_tags,
)


def question_slug(question: Question) -> str:
    """The readable part of a question's address: its title as a slug."""
    return _title_slug(question.title)


@lru_cache(maxsize=4096)
def _title_slug(title: str) -> str:
    # Memoised: a long question page links to its own question once per post and comment.
    return slug(title)[:80].strip("-") or "question"


def followers_of_question(question: Question) -> list[User]:
    return list(db.session.scalars(
        select(User).join(QuestionFollow, QuestionFollow.user_id == User.id)
        .where(QuestionFollow.question_id == question.id, User.active)))


def followers_of_tags(tags: list[Tag]) -> list[User]:
    if not tags:
        return []
    return list(db.session.scalars(
        select(User).where(User.active, User.id.in_(
            select(TagFollow.user_id).where(TagFollow.tag_id.in_([t.id for t in tags]))))))


TABS = {
    "newest": "Newest",
    "active": "Active",
    "unanswered": "Unanswered",
    "votes": "Most votes",
}
TAG_SORTS = {"popular": "Popular", "name": "Name"}


def question_list_select(viewer: User, *, tab: str = "newest", tag: Tag | None = None) -> Select:
    query = select(Question).options(selectinload(Question.author), selectinload(Question.tags))
    if not is_admin(viewer):
        query = query.where(Question.is_hidden.is_(False))
    if tag is not None:
        query = query.where(Question.id.in_(
            select(question_tags.c.question_id).where(question_tags.c.tag_id == tag.id)))
    if tab == "active":
        order = (Question.last_activity_at.desc(),)
    elif tab == "unanswered":
        query = query.where(Question.answer_count == 0)
        order = (Question.created_at.desc(),)
    elif tab == "votes":
        order = (Question.score.desc(), Question.created_at.desc())
    else:
        order = (Question.created_at.desc(),)
    return query.order_by(*order, Question.id.desc())


def _question_count(tag_id_column):
    return (select(func.count()).select_from(question_tags)
            .join(Question, Question.id == question_tags.c.question_id)
            .where(question_tags.c.tag_id == tag_id_column, Question.is_hidden.is_(False))
            .scalar_subquery())


def tag_list_select(*, sort: str = "popular") -> Select:
    """Tags by popularity (visible questions) or by name."""
    if sort == "name":
        return select(Tag).order_by(Tag.name)
    return select(Tag).order_by(_question_count(Tag.id).desc(), Tag.name)


def question_counts(tags: list[Tag]) -> dict[int, int]:
    """Visible questions per tag, for one page of tags, in one query."""
    if not tags:
        return {}
    rows = db.session.execute(
        select(question_tags.c.tag_id, func.count())
        .join(Question, Question.id == question_tags.c.question_id)
        .where(question_tags.c.tag_id.in_([t.id for t in tags]), Question.is_hidden.is_(False))
        .group_by(question_tags.c.tag_id))
    return {tag_id: count for tag_id, count in rows}


@dataclass
class QuestionPage:
    """Everything the question page shows, loaded in a fixed number of queries."""

    question: Question
    answers: list[Answer]
    comments: dict[tuple[str, int], list[Comment]] = field(default_factory=dict)
    my_votes: dict[tuple[str, int], int] = field(default_factory=dict)
    following: bool = False

    def comments_on(self, post) -> list[Comment]:
        return self.comments.get(_key(post), [])

    def my_vote(self, post) -> int:
        return self.my_votes.get(_key(post), 0)


def _key(post) -> tuple[str, int]:
    return ("q" if isinstance(post, Question) else "a", post.id)


def _visible(viewer: User, model):
    if is_admin(viewer):
        return True
    return or_(model.is_hidden.is_(False), model.author_id == viewer.id)


# What the page shows of the people who wrote its answers and comments (a long page has
# hundreds; loading every column of each costs more than the rest of the page's queries).
_AUTHOR_SHOWN = (User.handle, User.display_name)


def question_page(viewer: User, question_id: int) -> QuestionPage | None:
    question = db.session.scalar(
        select(Question).where(Question.id == question_id)
        .options(selectinload(Question.author), selectinload(Question.tags)))
    if question is None:
        return None
    answers = list(db.session.scalars(
        select(Answer).where(Answer.question_id == question.id, _visible(viewer, Answer))
        .options(selectinload(Answer.author).load_only(*_AUTHOR_SHOWN))
        .order_by(case((Answer.id == question.accepted_answer_id, 0), else_=1),
                  Answer.score.desc(), Answer.created_at, Answer.id)))
    page = QuestionPage(question, answers)
    answer_ids = [a.id for a in answers]
    on_posts = Comment.question_id == question.id
    if answer_ids:
        on_posts = or_(on_posts, Comment.answer_id.in_(answer_ids))
    for comment in db.session.scalars(
            select(Comment).where(on_posts, _visible(viewer, Comment))
            .options(selectinload(Comment.author).load_only(*_AUTHOR_SHOWN))
            .order_by(Comment.created_at, Comment.id)):
        key = ("q", comment.question_id) if comment.question_id else ("a", comment.answer_id)
        page.comments.setdefault(key, []).append(comment)
    on_votes = Vote.question_id == question.id
    if answer_ids:
        on_votes = or_(on_votes, Vote.answer_id.in_(answer_ids))
    for vote in db.session.scalars(select(Vote).where(Vote.user_id == viewer.id, on_votes)):
        key = ("q", vote.question_id) if vote.question_id else ("a", vote.answer_id)
        page.my_votes[key] = vote.value
    page.following = is_following_question(viewer, question)
    return page


def is_following_question(user: User, question: Question) -> bool:
    return db.session.get(QuestionFollow, (user.id, question.id)) is not None


def is_following_tag(user: User, tag: Tag) -> bool:
    return db.session.get(TagFollow, (user.id, tag.id)) is not None


def revisions_select(question: Question) -> Select:
    """The question's revisions and its answers' revisions, newest first."""
    answer_ids = select(Answer.id).where(Answer.question_id == question.id)
    return (select(Revision).options(selectinload(Revision.editor))
            .where(or_(Revision.question_id == question.id, Revision.answer_id.in_(answer_ids)))
            .order_by(Revision.created_at.desc(), Revision.id.desc()))


def open_flags_select() -> Select:
    return (select(Flag).where(Flag.resolved_at.is_(None))
            .order_by(Flag.created_at, Flag.id))


# -- The moderators' flag queue ---------------------------------------------------------------

EXCERPT_CHARS = 300


def open_flag_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Flag).where(Flag.resolved_at.is_(None))) or 0


def post_excerpt(post: Question | Answer | Comment, limit: int = EXCERPT_CHARS) -> str:
    """A post's text as one plain line (not HTML: escape it on output)."""
    if isinstance(post, Comment):
        text = post.body
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return to_plain_text(post.body_md, limit)


@dataclass
class FlaggedPost:
    """One post in the flag queue with its open flags (oldest first)."""

    post: Question | Answer | Comment
    kind: str  # "question", "answer" or "comment"
    question: Question  # the question it is on (the post itself for a question)
    flags: list[Flag]

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.post.id}"

    @property
    def excerpt(self) -> str:
        return post_excerpt(self.post)


def flagged_posts_select() -> Select:
    """One row per post with open flags, the post flagged longest ago first, for `paginate`.
    Each row is the id of the post's first open flag; `flagged_posts()` loads a page of them."""
    first = func.min(Flag.id)
    return (select(first).where(Flag.resolved_at.is_(None))
            .group_by(Flag.question_id, Flag.answer_id, Flag.comment_id)
            .order_by(func.min(Flag.created_at), first))


def _flag_target(flag: Flag) -> tuple[str, int]:
    if flag.question_id is not None:
        return "question", flag.question_id
    if flag.answer_id is not None:
        return "answer", flag.answer_id
    return "comment", flag.comment_id


def flagged_posts(first_flag_ids: list[int]) -> list[FlaggedPost]:
    """The posts behind a page of `flagged_posts_select()`, in its order, each with all its
    open flags and reporters, in a fixed number of queries."""
    if not first_flag_ids:
        return []
    order = [_flag_target(f) for f in sorted(
        db.session.scalars(select(Flag).where(Flag.id.in_(first_flag_ids))),
        key=lambda f: first_flag_ids.index(f.id))]
    wanted = {kind: [i for k, i in order if k == kind] for kind in ("question", "answer",
                                                                    "comment")}
    flags: dict[tuple[str, int], list[Flag]] = {}
    for flag in db.session.scalars(
            select(Flag).where(Flag.resolved_at.is_(None), or_(
                Flag.question_id.in_(wanted["question"]), Flag.answer_id.in_(wanted["answer"]),
                Flag.comment_id.in_(wanted["comment"])))
            .options(selectinload(Flag.reporter)).order_by(Flag.created_at, Flag.id)):
        flags.setdefault(_flag_target(flag), []).append(flag)
    comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(wanted["comment"]))
        .options(selectinload(Comment.author)))}
    answer_ids = set(wanted["answer"]) | {c.answer_id for c in comments.values() if c.answer_id}
    answers = {a.id: a for a in db.session.scalars(
        select(Answer).where(Answer.id.in_(answer_ids)).options(selectinload(Answer.author)))}
    question_ids = (set(wanted["question"]) | {a.question_id for a in answers.values()}
                    | {c.question_id for c in comments.values() if c.question_id})
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(question_ids))
        .options(selectinload(Question.author)))}
    posts = {"question": questions, "answer": answers, "comment": comments}
    result = []
    for kind, post_id in order:
        post = posts[kind].get(post_id)
        if post is None:
            continue
        if kind == "question":
            question = post
        elif kind == "answer":
            question = questions.get(post.question_id)
        else:
            parent = answers.get(post.answer_id) if post.answer_id else None
            question = questions.get(parent.question_id if parent else post.question_id)
        if question is not None:
            result.append(FlaggedPost(post, kind, question, flags.get((kind, post_id), [])))
    return result
