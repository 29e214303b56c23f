"""Moderation in domain words: flag a post; hide, restore or lock it; dismiss its flags.

Anyone logged in may flag someone else's visible post; everything else is for
administrators (`NotAllowed` for anyone else). Like every service these take the acting
user explicitly, flush but never commit, and raise typed domain errors.

Hiding and restoring are conditional UPDATEs (`… WHERE is_hidden = <the other state>`), so
two moderators acting at once change the post, its counters and its author's notification
only once. Acting on a post (hide, restore, dismiss) resolves its open flags.

`Question.answer_count` counts the *visible* answers: it is what lists show and what the
"Unanswered" tab filters on, and it matches the search document, which leaves hidden
answers out. So hiding an answer lowers the count by one and restoring it raises it again,
in the same atomic UPDATE style as posting an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.validators import has_control_characters
from app.extensions import db
from app.forum import permissions
from app.forum.models import FLAG_REASON_MAX, Answer, Comment, Flag, Question
from app.forum.search_documents import DOC_TYPE as QUESTION_DOC
from app.search import outbox

Post = Question | Answer | Comment
KINDS: dict[str, type] = {"question": Question, "answer": Answer, "comment": Comment}


def post_kind(post: Post) -> str:
    """"question", "answer" or "comment"."""
    if isinstance(post, Question):
        return "question"
    return "answer" if isinstance(post, Answer) else "comment"


def post_anchor(post: Post) -> str:
    """The id of the post's element on its question page."""
    return f"{post_kind(post)}-{post.id}"


def post_context(post: Post) -> tuple[Question, Answer | None]:
    """The question a post belongs to, and the answer for a comment on an answer (or an
    answer itself)."""
    if isinstance(post, Question):
        return post, None
    if isinstance(post, Answer):
        return post.question, post
    if post.answer_id is not None:
        answer = db.session.get(Answer, post.answer_id)
        return answer.question, answer
    return db.session.get(Question, post.question_id), None


def _target(post: Post) -> dict[str, int]:
    return {f"{post_kind(post)}_id": post.id}


def _require_moderator(actor: User) -> None:
    if not permissions.can_moderate(actor):
        raise NotAllowed("Only administrators can moderate posts.")


# -- Flagging -------------------------------------------------------------------------------


def _clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid("reason", "Say briefly what is wrong.")
    if len(reason) > FLAG_REASON_MAX:
        raise Invalid("reason", f"Keep the reason to {FLAG_REASON_MAX} characters at most.")
    if has_control_characters(reason):
        raise Invalid("reason", "Remove the invisible control characters from this field.")
    return reason


def ensure_flaggable(reporter: User, post: Post) -> None:
    """Raise why `reporter` can't flag `post`: their own post, or one already hidden (or on
    a hidden question or answer)."""
    noun = post_kind(post)
    if post.author_id == reporter.id:
        raise NotAllowed(f"You can't flag your own {noun}; you can edit it instead.")
    question, answer = post_context(post)
    if any(p is not None and p.is_hidden for p in (post, question, answer)):
        raise Conflict(f"This {noun} is already hidden by a moderator.")


def flag_post(reporter: User, post: Post, *, reason: str) -> Flag:
    """Ask the moderators to look at `post`. One open flag per person and post: flagging
    it again while the first is open is a `Conflict`; once a moderator resolved the earlier
    flag, flagging again reopens it with the new reason (the database keeps one flag row
    per person and post)."""
    reason = _clean_reason(reason)
    ensure_flaggable(reporter, post)
    noun = post_kind(post)
    already = Conflict(f"You have already flagged this {noun}; a moderator will take a look.")
    target = _target(post)
    flag = db.session.scalar(select(Flag).filter_by(reporter_id=reporter.id, **target))
    if flag is not None:
        if flag.resolved_at is None:
            raise already
        reopened = db.session.execute(
            update(Flag).where(Flag.id == flag.id, Flag.resolved_at.is_not(None))
            .values(reason=reason, created_at=utcnow(), resolved_at=None, resolved_by_id=None)
            .execution_options(synchronize_session=False)).rowcount
        if not reopened:  # someone reopened it a moment ago: the same click twice
            raise already
        db.session.refresh(flag)
        return flag
    flag = Flag(reporter_id=reporter.id, reason=reason, **target)
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:  # the same click arrived twice
        raise already from None
    return flag


# -- Resolving flags ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a moderation action did: whether the post changed, and how many open flags on
    it were resolved."""

    changed: bool
    resolved: int


def _resolve_flags(actor: User, post: Post) -> int:
    return db.session.execute(
        update(Flag).filter_by(**_target(post)).where(Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount or 0


def dismiss_flags(actor: User, post: Post) -> int:
    """Resolve the open flags on `post` without changing it; returns how many."""
    _require_moderator(actor)
    resolved = _resolve_flags(actor, post)
    db.session.flush()
    return resolved


# -- Hiding and restoring -------------------------------------------------------------------


def _set_hidden(post: Post, hidden: bool) -> bool:
    """Flip `is_hidden` only if it isn't already; True when this call changed it."""
    model = type(post)
    changed = db.session.execute(
        update(model).where(model.id == post.id, model.is_hidden.is_(not hidden))
        .values(is_hidden=hidden).execution_options(synchronize_session=False)).rowcount
    if not changed:
        db.session.refresh(post, ["is_hidden"])
        return False
    if isinstance(post, Answer):
        delta = -1 if hidden else 1
        db.session.execute(
            update(Question).where(Question.id == post.question_id)
            .values(answer_count=Question.answer_count + delta)
            .execution_options(synchronize_session=False))
        db.session.refresh(post.question, ["answer_count"])
    if not isinstance(post, Comment):  # answers feed their question's search document
        question_id = post.id if isinstance(post, Question) else post.question_id
        outbox.touch(QUESTION_DOC, question_id)
    db.session.refresh(post, ["is_hidden"])
    return True


def hide_post(actor: User, post: Post) -> Outcome:
    """Hide a question, answer or comment from everyone but administrators and its author,
    resolve its open flags, and tell its author (`post_hidden`). Hiding an answer lowers its
    question's `answer_count`; a hidden question leaves lists and search."""
    _require_moderator(actor)
    changed = _set_hidden(post, True)
    resolved = _resolve_flags(actor, post)
    db.session.flush()
    if changed:
        question, _ = post_context(post)
        signals.post_hidden.send(post, kind=post_kind(post), question=question, by=actor)
    return Outcome(changed, resolved)


def restore_post(actor: User, post: Post) -> Outcome:
    """Show a hidden post again and resolve its open flags; a restored answer counts in
    `answer_count` again."""
    _require_moderator(actor)
    changed = _set_hidden(post, False)
    resolved = _resolve_flags(actor, post)
    db.session.flush()
    return Outcome(changed, resolved)


# -- Locking --------------------------------------------------------------------------------


def _set_locked(question: Question, locked: bool) -> bool:
    changed = db.session.execute(
        update(Question).where(Question.id == question.id, Question.is_locked.is_(not locked))
        .values(is_locked=locked).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(question, ["is_locked"])
    return bool(changed)


def lock_question(actor: User, question: Question) -> bool:
    """Stop new answers, comments and votes on `question`; False if it was locked already."""
    _require_moderator(actor)
    return _set_locked(question, True)


def unlock_question(actor: User, question: Question) -> bool:
    """Open a locked question again; False if it wasn't locked."""
    _require_moderator(actor)
    return _set_locked(question, False)
