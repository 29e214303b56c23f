"""Forum operations in domain words: ask, answer, comment, vote, accept, edit, follow.

They take the acting user explicitly, flush but never commit, and raise typed domain errors
(`Invalid` names the form field). Search indexing follows the rows on its own.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core import signals
from app.core.db import utcnow
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.markdown import render_markdown
from app.extensions import db
from app.forum import permissions
from app.forum.models import (
    BODY_MAX,
    COMMENT_MAX,
    TAG_MAX,
    TAGS_PER_QUESTION,
    TITLE_MAX,
    TITLE_MIN,
    Answer,
    Comment,
    Question,
    QuestionFollow,
    Revision,
    Tag,
    TagFollow,
    Vote,
)

TAG_RE = re.compile(r"^[a-z0-9+#.-]+$")

# -- Tags ----------------------------------------------------------------------------------


def normalise_tag(raw: str) -> str:
    """" Node JS " → "node-js"; "C#" → "c#". Raises `Invalid` for characters or lengths a
    tag can't have."""
    name = "-".join(raw.strip().lower().split())
    if not name:
        raise Invalid("tags", "A tag can't be empty.")
    if len(name) > TAG_MAX:
        raise Invalid("tags", f"“{name[:40]}” is too long: a tag has at most {TAG_MAX} "
                              "characters.")
    if not TAG_RE.match(name):
        raise Invalid("tags", f"“{name}” has characters a tag can't have. Use letters, "
                              "digits and + # . -")
    return name


def parse_tags(text: str | None) -> list[str]:
    """"python, Flask, python" → ["python", "flask"]: 1 to 5 distinct tags, in order."""
    names: list[str] = []
    for piece in (text or "").split(","):
        if not piece.strip():
            continue
        name = normalise_tag(piece)
        if name not in names:
            names.append(name)
    if not names:
        raise Invalid("tags", "Add at least one tag, like “python”.")
    if len(names) > TAGS_PER_QUESTION:
        raise Invalid("tags", f"Use at most {TAGS_PER_QUESTION} tags ({len(names)} given).")
    return names


def get_or_create_tags(names: list[str]) -> list[Tag]:
    """The Tag rows for these names, created where missing. Two people creating one tag at
    once both end up with the same row (the unique name settles it)."""
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    for name in names:
        if name in existing:
            continue
        tag = Tag(name=name)
        try:
            with db.session.begin_nested():
                db.session.add(tag)
        except IntegrityError:
            tag = db.session.scalar(select(Tag).where(Tag.name == name))
            if tag is None:  # pragma: no cover — the row we collided with vanished
                raise Conflict("We couldn't save the tags just now. Please try again.") from None
        existing[name] = tag
    return [existing[n] for n in names]


def tag_by_name(name: str) -> Tag | None:
    return db.session.scalar(select(Tag).where(Tag.name == name.lower()))


# -- Questions -----------------------------------------------------------------------------


def _clean_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN:
        raise Invalid("title", f"Make the title at least {TITLE_MIN} characters: say what "
                               "you want to know.")
    if len(title) > TITLE_MAX:
        raise Invalid("title", f"Keep the title to {TITLE_MAX} characters at most.")
    return title


def _clean_body(body: str | None, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid(field, "Write something first." if field != "body"
                      else "Describe your question.")
    if len(body) > BODY_MAX:
        raise Invalid(field, f"Keep it to {BODY_MAX:,} characters at most.")
    return body


def _require_open(question: Question, action: str) -> None:
    if question.is_hidden:
        raise Conflict(f"This question was hidden by a moderator; you can't {action} it.")
    if question.is_locked:
        raise Conflict(f"This question is locked; you can't {action} it any more.")


def ask_question(author: User, *, title: str, body: str, tags: str) -> Question:
    title, body, names = _clean_title(title), _clean_body(body), parse_tags(tags)
    now = utcnow()
    question = Question(author=author, title=title, body_md=body, body_html=render_markdown(body),
                        tags=get_or_create_tags(names), created_at=now, updated_at=now,
                        last_activity_at=now)
    db.session.add(question)
    db.session.flush()
    db.session.add(Revision(question_id=question.id, editor=author, title=title,
                            tags=", ".join(names), body_md=body))
    db.session.add(QuestionFollow(user_id=author.id, question_id=question.id))
    db.session.flush()
    signals.question_asked.send(question)
    return question


def edit_question(editor: User, question: Question, *, title: str, body: str,
                  tags: str) -> Question:
    if not permissions.can_edit_post(editor, question):
        raise NotAllowed("Only the author or an administrator can edit this question.")
    title, body, names = _clean_title(title), _clean_body(body), parse_tags(tags)
    question.title = title
    question.body_md = body
    question.body_html = render_markdown(body)
    question.tags = get_or_create_tags(names)
    question.updated_at = question.last_activity_at = utcnow()
    db.session.add(Revision(question_id=question.id, editor=editor, title=title,
                            tags=", ".join(names), body_md=body))
    db.session.flush()
    return question


# -- Answers and comments --------------------------------------------------------------------


def _touch(question_id: int, **counters) -> None:
    """Atomically bump a question's counters and its last activity."""
    values = {"last_activity_at": utcnow()}
    for name, delta in counters.items():
        values[name] = getattr(Question, name) + delta
    db.session.execute(update(Question).where(Question.id == question_id).values(**values)
                       .execution_options(synchronize_session=False))


def answer_question(author: User, question: Question, *, body: str) -> Answer:
    _require_open(question, "answer")
    body = _clean_body(body, field="answer")
    answer = Answer(question=question, author=author, body_md=body,
                    body_html=render_markdown(body))
    db.session.add(answer)
    db.session.flush()
    db.session.add(Revision(answer_id=answer.id, editor=author, body_md=body))
    _touch(question.id, answer_count=1)
    db.session.flush()
    db.session.refresh(question, ["answer_count", "last_activity_at"])
    signals.answer_posted.send(answer)
    return answer


def edit_answer(editor: User, answer: Answer, *, body: str) -> Answer:
    if not permissions.can_edit_post(editor, answer):
        raise NotAllowed("Only the author or an administrator can edit this answer.")
    body = _clean_body(body, field="answer")
    answer.body_md = body
    answer.body_html = render_markdown(body)
    answer.updated_at = utcnow()
    db.session.add(Revision(answer_id=answer.id, editor=editor, body_md=body))
    _touch(answer.question_id)
    db.session.flush()
    return answer


def comment_on(author: User, post: Question | Answer, *, body: str) -> Comment:
    question = post if isinstance(post, Question) else post.question
    _require_open(question, "comment on")
    if isinstance(post, Answer) and post.is_hidden:
        raise Conflict("This answer was hidden by a moderator; you can't comment on it.")
    body = " ".join((body or "").split())
    if not body:
        raise Invalid("body", "Write a comment first.")
    if len(body) > COMMENT_MAX:
        raise Invalid("body", f"Keep comments to {COMMENT_MAX} characters at most.")
    target = {"question_id": post.id} if isinstance(post, Question) else {"answer_id": post.id}
    comment = Comment(author=author, body=body, **target)
    db.session.add(comment)
    db.session.flush()
    _touch(question.id)
    signals.comment_posted.send(comment, post=post)
    return comment


# -- Votes ----------------------------------------------------------------------------------


def _vote_target(post: Question | Answer) -> tuple[type, dict]:
    if isinstance(post, Question):
        return Question, {"question_id": post.id}
    return Answer, {"answer_id": post.id}


def my_vote(user: User, post: Question | Answer) -> int:
    _, target = _vote_target(post)
    value = db.session.scalar(select(Vote.value).filter_by(user_id=user.id, **target))
    return value or 0


def vote(user: User, post: Question | Answer, value: int, *, seen: int | None = None) -> int:
    """Vote `post` up (+1) or down (-1). The same vote again withdraws it; the other
    direction changes it. Returns the person's vote afterwards (-1, 0 or 1); `post.score`
    is refreshed.

    `seen` is the vote the person saw on the page when they clicked. If it is no longer the
    current one, an earlier click (a double click, a second tab) already acted on that page
    and this one changes nothing, rather than undoing it. Two clicks racing to insert are
    settled by the unique (user, post) constraint."""
    if value not in (-1, 1):
        raise Invalid("value", "Vote up or down.")
    if post.author_id == user.id:
        raise NotAllowed("You can't vote on your own post.")
    question = post if isinstance(post, Question) else post.question
    _require_open(question, "vote on")
    if post.is_hidden:
        raise Conflict("This post was hidden by a moderator; you can't vote on it.")
    model, target = _vote_target(post)
    current = my_vote(user, post)
    if seen is not None and seen != current:
        return current
    delta, result = 0, current
    if current == 0:
        try:
            with db.session.begin_nested():
                db.session.add(Vote(user_id=user.id, value=value, **target))
            delta, result = value, value
        except IntegrityError:  # the same click arrived twice: already voted
            return my_vote(user, post)
    elif current == value:
        gone = db.session.execute(delete(Vote).filter_by(user_id=user.id, value=value, **target)
                                  .execution_options(synchronize_session=False)).rowcount
        delta, result = (-value, 0) if gone else (0, my_vote(user, post))
    else:
        changed = db.session.execute(
            update(Vote).filter_by(user_id=user.id, value=current, **target).values(value=value)
            .execution_options(synchronize_session=False)).rowcount
        delta, result = (2 * value, value) if changed else (0, my_vote(user, post))
    if delta:
        db.session.execute(update(model).where(model.id == post.id)
                           .values(score=model.score + delta)
                           .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(post, ["score"])
    return result


# -- Accepting --------------------------------------------------------------------------------


def accept_answer(user: User, answer: Answer) -> bool:
    """The asker accepts `answer` (replacing any earlier choice), or un-accepts it when it is
    already accepted. Returns whether it is accepted afterwards."""
    question = answer.question
    if not permissions.can_accept_answer(user, question):
        raise NotAllowed("Only the person who asked can accept an answer.")
    _require_open(question, "accept answers on")
    if answer.is_hidden:
        raise Conflict("This answer was hidden by a moderator; it can't be accepted.")
    if question.accepted_answer_id == answer.id:
        question.accepted_answer = None
        db.session.flush()
        return False
    question.accepted_answer = answer
    db.session.flush()
    signals.answer_accepted.send(answer, by=user)
    return True


# -- Following ------------------------------------------------------------------------------


def _toggle(model, **key) -> bool:
    """Insert the follow row, or delete it when it exists; True when following afterwards.
    Two clicks racing to insert both end up following."""
    gone = db.session.execute(delete(model).filter_by(**key)
                              .execution_options(synchronize_session=False)).rowcount
    if gone:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(model(**key))
    except IntegrityError:
        pass
    return True


def toggle_follow_question(user: User, question: Question) -> bool:
    return _toggle(QuestionFollow, user_id=user.id, question_id=question.id)


def toggle_follow_tag(user: User, tag: Tag) -> bool:
    return _toggle(TagFollow, user_id=user.id, tag_id=tag.id)
