"""Moderation: flagging posts, the admins' flag queue, hiding, restoring and locking."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict, Invalid, NotAllowed
from app.extensions import db
from app.forum import moderation, services
from app.forum.models import Answer, Comment, Flag, Question
from app.forum.queries import question_slug
from app.notifications.models import Notification
from app.search import outbox
from app.search.queries import search_questions
from tests.accounts.test_routes import field_error, input_value
from tests.conftest import HTMX
from tests.factories import DEFAULT_PASSWORD, make_admin, make_user
from tests.forum.factories import make_answer, make_comment, make_question


def login(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code in (302, 303)
    return client


def found(text: str, viewer=None) -> list[int]:
    return [hit.question.id for hit in search_questions(text, viewer=viewer).items]


def open_flags(post) -> list[Flag]:
    target = {f"{moderation.post_kind(post)}_id": post.id}
    return list(db.session.scalars(select(Flag).filter_by(resolved_at=None, **target)))


def notes(user, kind="forum-moderation") -> list[Notification]:
    return list(db.session.scalars(select(Notification).filter_by(user_id=user.id, kind=kind)))


@pytest.fixture
def admin(app):
    return make_admin(display_name="Mo Moderator")


# -- Services ---------------------------------------------------------------------------------


def test_flag_a_post_once_and_again_after_it_was_resolved(app, admin):
    reporter, answer = make_user(), make_answer()
    flag = moderation.flag_post(reporter, answer, reason="  Rude   and off-topic ")
    db.session.commit()
    assert flag.reason == "Rude and off-topic" and flag.answer_id == answer.id
    with pytest.raises(Conflict, match="already flagged"):
        moderation.flag_post(reporter, answer, reason="Again")
    db.session.rollback()
    assert moderation.dismiss_flags(admin, answer) == 1
    db.session.commit()
    again = moderation.flag_post(reporter, answer, reason="Still rude")
    db.session.commit()
    assert again.id == flag.id and again.reason == "Still rude"
    assert again.resolved_at is None and again.resolved_by_id is None
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1


def test_flag_reason_is_checked(app):
    question = make_question()
    reporter = make_user()
    for reason, message in (("   ", "Say briefly"), ("x" * 201, "200 characters"),
                            ("bad\x07bell", "control characters")):
        with pytest.raises(Invalid, match=message) as err:
            moderation.flag_post(reporter, question, reason=reason)
        assert err.value.field == "reason"


def test_own_or_hidden_posts_cannot_be_flagged(app, admin):
    author = make_user()
    answer = make_answer(author=author)
    comment = make_comment(answer)
    with pytest.raises(NotAllowed, match="your own answer"):
        moderation.flag_post(author, answer, reason="Mine")
    moderation.hide_post(admin, answer)
    db.session.commit()
    with pytest.raises(Conflict, match="already hidden"):
        moderation.flag_post(make_user(), answer, reason="Spam")
    with pytest.raises(Conflict, match="already hidden"):  # a comment on a hidden answer
        moderation.flag_post(make_user(), comment, reason="Spam")


def test_only_admins_moderate(app):
    someone, answer = make_user(), make_answer()
    question = answer.question
    for action, post in ((moderation.hide_post, answer), (moderation.restore_post, answer),
                         (moderation.dismiss_flags, answer), (moderation.lock_question, question),
                         (moderation.unlock_question, question)):
        with pytest.raises(NotAllowed):
            action(someone, post)


def test_hiding_resolves_open_flags_and_counts_once(app, admin):
    answer = make_answer()
    for reporter in (make_user(), make_user()):
        moderation.flag_post(reporter, answer, reason="Wrong")
    db.session.commit()
    assert moderation.hide_post(admin, answer) == moderation.Outcome(changed=True, resolved=2)
    db.session.commit()
    assert open_flags(answer) == []
    resolved = db.session.scalars(select(Flag)).all()
    assert all(f.resolved_by_id == admin.id and f.resolved_at for f in resolved)
    assert moderation.hide_post(admin, answer) == moderation.Outcome(changed=False, resolved=0)
    db.session.commit()
    assert db.session.get(Question, answer.question_id).answer_count == 0


def test_answer_count_and_search_follow_hidden_answers(app, admin):
    question = make_question(title="Which notebook do you recommend?")
    answer = make_answer(question, body="The zettelkasten approach works well.")
    make_answer(question, body="Paper is fine.")
    outbox.drain_all()
    assert found("zettelkasten") == [question.id]
    moderation.hide_post(admin, answer)
    db.session.commit()
    outbox.drain_all()
    assert db.session.get(Question, question.id).answer_count == 1
    assert found("zettelkasten") == []
    moderation.restore_post(admin, answer)
    db.session.commit()
    outbox.drain_all()
    assert db.session.get(Question, question.id).answer_count == 2
    assert found("zettelkasten") == [question.id]


def test_the_author_is_told_when_a_moderator_hides_their_post(app, admin):
    author = make_user()
    question = make_question(author, title="A question that breaks the rules")
    answer = make_answer(question, author=author)
    comment = make_comment(question, author=author)
    for post in (question, answer, comment):
        moderation.hide_post(admin, post)
    db.session.commit()
    texts = {n.url.rsplit("#", 1)[1]: n.text for n in notes(author)}
    assert set(texts) == {f"question-{question.id}", f"answer-{answer.id}",
                          f"comment-{comment.id}"}
    assert "hid your question “A question that breaks the rules”" in texts[
        f"question-{question.id}"]
    assert "hid your answer on" in texts[f"answer-{answer.id}"]
    moderation.restore_post(admin, answer)
    moderation.hide_post(admin, make_question(admin))  # hiding your own post: no notice
    db.session.commit()
    assert len(notes(author)) == 3 and notes(admin) == []


def test_locking_stops_answers_comments_and_votes(app, admin):
    question = make_question()
    assert moderation.lock_question(admin, question) is True
    assert moderation.lock_question(admin, question) is False
    db.session.commit()
    someone = make_user()
    for attempt in (lambda: services.answer_question(someone, question, body="Hi"),
                    lambda: services.comment_on(someone, question, body="Hi"),
                    lambda: services.vote(someone, question, 1)):
        with pytest.raises(Conflict, match="locked"):
            attempt()
    assert moderation.unlock_question(admin, question) is True
    db.session.commit()
    services.answer_question(someone, question, body="Now it works")


# -- Flagging through the site ------------------------------------------------------------------


def test_flag_pages_for_each_kind_of_post(app):
    answer = make_answer(body="An answer that **shouts**.")
    question = answer.question
    comment = make_comment(answer, body="A comment with <b>tags</b>")
    client = login(app, make_user())
    for path, quoted in ((f"/questions/{question.id}/flag", question.title),
                         (f"/answers/{answer.id}/flag", "An answer that shouts."),
                         (f"/comments/{comment.id}/flag", "A comment with &lt;b&gt;tags")):
        page = client.get(path)
        assert page.status_code == 200
        assert quoted in page.text
        assert 'maxlength="200"' in page.text and '<label for="reason">' in page.text
        response = client.post(path, data={"reason": "Looks like spam"})
        assert response.status_code == 303
        anchor = path.split("/")[1][:-1] + "-" + path.split("/")[2]
        assert response.headers["Location"].endswith(f"#{anchor}")
        shown = client.get(response.headers["Location"])
        assert "Thanks — a moderator will take a look." in html.unescape(shown.text)
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 3


def test_bad_reasons_come_back_next_to_the_field(app):
    question = make_question()
    client = login(app, make_user())
    path = f"/questions/{question.id}/flag"
    for typed, message in (("", "Say briefly"), ("y" * 201, "200 characters"),
                           ("odd\x1bescape", "control characters")):
        response = client.post(path, data={"reason": typed})
        assert response.status_code == 400
        assert message in field_error(response.text, "reason")
        assert (input_value(response.text, "reason") or "") == typed
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


def test_a_second_flag_gets_a_friendly_message(app):
    answer = make_answer()
    client = login(app, make_user())
    client.post(f"/answers/{answer.id}/flag", data={"reason": "Spam"})
    response = client.post(f"/answers/{answer.id}/flag", data={"reason": "Spam!"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "You have already flagged this answer" in response.text
    assert len(open_flags(answer)) == 1


def test_own_and_hidden_posts_have_no_flag_link_and_are_refused(app, admin):
    author = make_user()
    answer = make_answer(author=author)
    client = login(app, author)
    page = client.get(f"/questions/{answer.question_id}", follow_redirects=True).text
    assert f"/answers/{answer.id}/flag" not in page
    assert f"/questions/{answer.question_id}/flag" in page
    response = client.get(f"/answers/{answer.id}/flag", follow_redirects=True)
    assert "your own answer" in response.text
    moderation.hide_post(admin, answer)
    db.session.commit()
    other = login(app, make_user())
    assert other.get(f"/answers/{answer.id}/flag").status_code == 404
    admin_client = login(app, admin)
    response = admin_client.post(f"/answers/{answer.id}/flag", data={"reason": "x"},
                                 follow_redirects=True)
    assert "already hidden" in response.text
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


# -- Hiding, restoring and locking from the question page -------------------------------------


def test_only_admins_see_the_moderation_buttons(app, admin):
    answer = make_answer()
    make_comment(answer)
    path = f"/questions/{answer.question_id}"
    page = login(app, make_user()).get(path, follow_redirects=True).text
    assert "/admin/" not in page
    page = login(app, admin).get(path, follow_redirects=True).text
    for action in (f"/admin/posts/question/{answer.question_id}/hide",
                   f"/admin/questions/{answer.question_id}/lock",
                   f"/admin/posts/answer/{answer.id}/hide", "/admin/posts/comment/"):
        assert f'action="{action}' in page
    admin_forms = re.findall(r'<form method="post" action="/admin/.*?</form>', page, re.S)
    assert len(admin_forms) == 4 and all('name="csrf_token"' in f for f in admin_forms)


def test_hidden_question_vanishes_for_others_and_comes_back(app, admin):
    question = make_question(title="Where can I find the quokka guide?", tags="wildlife")
    outbox.drain_all()
    reader, moderator = login(app, make_user()), login(app, admin)
    url = reader.get(f"/questions/{question.id}").headers["Location"]

    def visible() -> dict[str, bool]:
        return {
            "list": "quokka guide" in reader.get("/questions/").text,
            "tag": "quokka guide" in reader.get("/tags/wildlife").text,
            "search": f'href="{url}"' in reader.get("/search?q=quokka").text,
            "page": reader.get(url).status_code == 200,
        }

    assert visible() == {"list": True, "tag": True, "search": True, "page": True}
    response = moderator.post(f"/admin/posts/question/{question.id}/hide", data={"next": url})
    assert response.status_code == 303 and response.headers["Location"] == url
    outbox.drain_all()
    assert visible() == {"list": False, "tag": False, "search": False, "page": False}
    assert reader.get(url).status_code == 404
    page = moderator.get(url)
    assert page.status_code == 200 and "hidden by a moderator" in page.text
    assert "quokka guide" in moderator.get("/questions/").text
    assert f'action="/admin/posts/question/{question.id}/restore"' in page.text
    moderator.post(f"/admin/posts/question/{question.id}/restore", data={"next": url})
    outbox.drain_all()
    assert visible() == {"list": True, "tag": True, "search": True, "page": True}
    assert len(notes(question.author)) == 1


def test_hidden_answer_and_comment_vanish_for_others_but_not_their_authors(app, admin):
    answer = make_answer(body="An answer worth hiding")
    author = answer.author
    comment = make_comment(answer.question, author=author, body="A comment worth hiding")
    moderator = login(app, admin)
    for kind, post in (("answer", answer), ("comment", comment)):
        response = moderator.post(f"/admin/posts/{kind}/{post.id}/hide",
                                  data={"next": "https://evil.example/"})  # not followed
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/{question_slug(answer.question)}"
                                                     f"#{kind}-{post.id}")
    path = f"/questions/{answer.question_id}"
    page = login(app, make_user()).get(path, follow_redirects=True).text
    assert "worth hiding" not in page and "0 answers" in page
    assert "<strong>0</strong> answers" in login(app, make_user()).get("/questions/").text
    page = login(app, author).get(path, follow_redirects=True).text
    assert "An answer worth hiding" in page and "This answer is hidden by a moderator" in page
    assert "A comment worth hiding" in page
    page = moderator.get(path, follow_redirects=True).text
    assert "An answer worth hiding" in page
    assert f'action="/admin/posts/answer/{answer.id}/restore"' in page
    assert {n.url.rsplit("#")[1] for n in notes(author)} == {f"answer-{answer.id}",
                                                             f"comment-{comment.id}"}


def test_locked_question_refuses_new_posts_with_a_clear_message(app, admin):
    question = make_question()
    moderator = login(app, admin)
    response = moderator.post(f"/admin/questions/{question.id}/lock")
    assert response.status_code == 303 and f"#question-{question.id}" in response.headers[
        "Location"]
    assert db.session.get(Question, question.id).is_locked
    reader = login(app, make_user())
    page = reader.get(f"/questions/{question.id}", follow_redirects=True).text
    assert "This question is locked" in page and "Post your answer" not in page
    response = reader.post(f"/questions/{question.id}/answers", data={"answer": "Hi"})
    assert response.status_code == 409 and "locked" in response.text
    response = reader.post(f"/questions/{question.id}/vote", data={"value": "up"})
    assert response.status_code == 409 and "locked" in response.text
    response = reader.post(f"/questions/{question.id}/vote", data={"value": "up"},
                           headers=HTMX)
    assert response.status_code == 409 and "<html" not in response.text
    response = reader.post(f"/questions/{question.id}/comments", data={"body": "Hi"},
                           follow_redirects=True)
    assert response.status_code in (200, 409) and "locked" in response.text
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    moderator.post(f"/admin/questions/{question.id}/unlock")
    response = reader.post(f"/questions/{question.id}/answers", data={"answer": "Hi"})
    assert response.status_code == 303
