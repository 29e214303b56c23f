"""Forum signals become notifications for the right people, never for the actor."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.forum import services
from app.notifications.models import Notification
from tests.factories import make_user
from tests.forum.factories import make_answer, make_comment, make_question


def notes(user, kind=None):
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def test_new_answer_notifies_asker_and_followers_not_the_answerer(app):
    asker, follower = make_user(), make_user()
    question = make_question(asker)
    services.toggle_follow_question(follower, question)
    db.session.commit()
    answer = make_answer(question)
    [to_asker] = notes(asker, "forum-answer")
    assert "your question" in to_asker.text
    assert to_asker.url.endswith(f"#answer-{answer.id}")
    assert "a question you follow" in notes(follower, "forum-answer")[0].text
    assert notes(answer.author, "forum-answer") == []
    make_answer(question, author=asker)
    assert len(notes(asker, "forum-answer")) == 1


def test_comment_notifies_the_post_author(app):
    answer = make_answer()
    make_comment(answer)
    make_comment(answer.question)
    make_comment(answer, author=answer.author)
    assert len(notes(answer.author, "forum-comment")) == 1
    assert len(notes(answer.question.author, "forum-comment")) == 1


def test_accepted_answer_notifies_its_author(app):
    answer = make_answer()
    services.accept_answer(answer.question.author, answer)
    db.session.commit()
    [note] = notes(answer.author, "forum-accepted")
    assert note.actor_id == answer.question.author_id


def test_new_question_in_followed_tag(app):
    fan, other = make_user(), make_user()
    seed = make_question(tags="rust, go")
    services.toggle_follow_tag(fan, seed.tags[1])
    services.toggle_follow_tag(fan, seed.tags[0])
    db.session.commit()
    make_question(tags="rust, go")
    make_question(fan, tags="rust")
    assert len(notes(fan, "forum-question")) == 1
    assert notes(other) == []
