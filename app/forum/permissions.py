"""Who may do what in the forum: pure predicates, also available in templates."""

from __future__ import annotations

from app.accounts.permissions import is_admin


def _is_author(user, post) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.id == post.author_id)


def can_see_post(user, post) -> bool:
    """Hidden posts vanish for everyone but administrators and their own authors."""
    return not post.is_hidden or is_admin(user) or _is_author(user, post)


def can_edit_post(user, post) -> bool:
    return _is_author(user, post) or is_admin(user)


def can_vote_on(user, post) -> bool:
    """Someone else's visible post on a question that is neither locked nor hidden."""
    if not getattr(user, "is_authenticated", False) or _is_author(user, post):
        return False
    question = getattr(post, "question", None) or post
    return is_open(question) and not post.is_hidden


def can_accept_answer(user, question) -> bool:
    return _is_author(user, question)


def can_moderate(user) -> bool:
    return is_admin(user)


def can_flag_post(user, post) -> bool:
    """Anyone logged in may flag someone else's visible post for the moderators."""
    return (bool(getattr(user, "is_authenticated", False)) and not post.is_hidden
            and not _is_author(user, post))


def is_open(question) -> bool:
    """Open for answers, comments and votes."""
    return not question.is_locked and not question.is_hidden


TEMPLATE_PREDICATES = {
    "can_see_post": can_see_post,
    "can_edit_post": can_edit_post,
    "can_vote_on": can_vote_on,
    "can_accept_answer": can_accept_answer,
    "can_moderate": can_moderate,
    "can_flag_post": can_flag_post,
    "question_is_open": is_open,
}
