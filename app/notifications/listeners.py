"""Turn domain signals into notification rows, inside the sender's transaction."""

from app.core import signals
from app.notifications.services import link, notify


@signals.user_registered.connect
def welcome(user, **extra):
    notify(user, "welcome",
           "Welcome to Skillswap! Add your department, time zone and a short bio so "
           "colleagues can find you.",
           link("accounts.settings"))


@signals.password_changed.connect
def password_was_changed(user, **extra):
    notify(user, "security",
           "Your password was changed and you were logged out on your other devices. "
           "If this wasn't you, tell an administrator.",
           link("accounts.settings"))


@signals.user_reactivated.connect
def account_reactivated(user, by=None, **extra):
    notify(user, "account", "Your account was reactivated. Welcome back!",
           link("home.index"), actor=by)


# -- Forum ---------------------------------------------------------------------------------


def _question_link(question, anchor: str = "") -> str:
    from app.forum.queries import question_slug

    url = link("forum.question", question_id=question.id, slug=question_slug(question))
    return f"{url}#{anchor}" if anchor else url


def _quoted(title: str) -> str:
    return f"“{title}”"


@signals.question_asked.connect
def new_question_in_followed_tags(question, **extra):
    from app.forum.queries import followers_of_tags

    for user in followers_of_tags(question.tags):
        notify(user, "forum-question",
               f"{question.author.display_name} asked {_quoted(question.title)} in a tag you "
               "follow.", _question_link(question), actor=question.author)


@signals.answer_posted.connect
def new_answer(answer, **extra):
    from app.forum.queries import followers_of_question

    question = answer.question
    recipients = {question.author.id: question.author}
    recipients.update({u.id: u for u in followers_of_question(question)})
    for user in recipients.values():
        whose = "your question" if user.id == question.author_id else "a question you follow"
        notify(user, "forum-answer",
               f"{answer.author.display_name} answered {whose} {_quoted(question.title)}.",
               _question_link(question, f"answer-{answer.id}"), actor=answer.author)


@signals.comment_posted.connect
def new_comment(comment, post=None, **extra):
    if post is None:
        return
    question = getattr(post, "question", None) or post
    noun = "question" if post is question else "answer"
    anchor = f"{noun}-{post.id}"
    notify(post.author, "forum-comment",
           f"{comment.author.display_name} commented on your {noun} on "
           f"{_quoted(question.title)}.", _question_link(question, anchor), actor=comment.author)


@signals.answer_accepted.connect
def answer_was_accepted(answer, by=None, **extra):
    notify(answer.author, "forum-accepted",
           f"Your answer to {_quoted(answer.question.title)} was accepted.",
           _question_link(answer.question, f"answer-{answer.id}"), actor=by)


@signals.post_hidden.connect
def post_was_hidden(post, kind="post", question=None, by=None, **extra):
    if question is None:
        return
    what = (f"your question {_quoted(question.title)}" if post is question
            else f"your {kind} on {_quoted(question.title)}")
    notify(post.author, "forum-moderation",
           f"A moderator hid {what}. Other people can no longer see it; ask an "
           "administrator if you think this is a mistake.",
           _question_link(question, f"{kind}-{post.id}"), actor=by)
