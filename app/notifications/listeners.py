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


# -- Exchanges: requests and answers --------------------------------------------------------


def _exchange_link(exchange) -> str:
    return link("exchanges.exchange", exchange_id=exchange.id)


def _with_reason(text: str, reason: str) -> str:
    return f"{text} They wrote: “{reason}”" if reason else text


@signals.exchange_requested.connect
def exchange_request_received(exchange, by=None, **extra):
    from app.exchanges.queries import summary_for

    asker = by or exchange.requested_by
    for member in exchange.members:
        if member.user_id != asker.id:
            notify(member.user, "exchange-request",
                   f"{asker.display_name} asked you for an exchange: "
                   f"{summary_for(exchange, member.user_id)}. Accept or decline it.",
                   _exchange_link(exchange), actor=asker)


@signals.exchange_accepted.connect
def exchange_now_active(exchange, by=None, **extra):
    from app.exchanges.queries import names, others, summary_for

    for member in exchange.members:
        notify(member.user, "exchange-accepted",
               f"Your exchange with {names(others(exchange, member.user_id))} is active: "
               f"{summary_for(exchange, member.user_id)}. Agree on a first session.",
               _exchange_link(exchange), actor=by)


@signals.exchange_declined.connect
def exchange_was_declined(exchange, by=None, reason="", **extra):
    from app.exchanges.queries import title_for

    for member in exchange.members:
        notify(member.user, "exchange-declined",
               _with_reason(f"{by.display_name} declined the exchange request "
                            f"({title_for(exchange, member.user_id)}).", reason),
               _exchange_link(exchange), actor=by)


@signals.exchange_cancelled.connect
def exchange_was_cancelled(exchange, by=None, reason="", **extra):
    from app.exchanges.queries import title_for
    from app.exchanges.services import NOT_A_FIT

    for member in exchange.members:
        what = f"the exchange ({title_for(exchange, member.user_id)})"
        text = (f"{by.display_name} found {what} isn't a fit, so it has ended kindly. "
                "Your matches may suggest someone else."
                if reason == NOT_A_FIT else
                _with_reason(f"{by.display_name} cancelled {what}.", reason))
        notify(member.user, "exchange-cancelled", text, _exchange_link(exchange), actor=by)


@signals.exchange_expired.connect
def exchange_request_expired(exchange, **extra):
    from app.exchanges.models import EXPIRE_AFTER_DAYS
    from app.exchanges.queries import title_for

    for member in exchange.members:
        notify(member.user, "exchange-expired",
               f"The exchange request ({title_for(exchange, member.user_id)}) expired: not "
               f"everyone answered within {EXPIRE_AFTER_DAYS} days.", _exchange_link(exchange))


# -- Exchanges: after acceptance -------------------------------------------------------------


def _others(exchange, user) -> str:
    names = [m.user.display_name for m in exchange.members if m.user_id != user.id]
    return " and ".join(names) or "your partner"


@signals.fit_check_due.connect
def ask_for_fit_check(exchange, to=(), **extra):
    from app.exchanges.progress import FIT_CHECK_KIND, reminder_link

    for user in to:
        notify(user, FIT_CHECK_KIND,
               f"How is your exchange with {_others(exchange, user)} going? Tell us whether "
               "it's a good fit.", reminder_link(FIT_CHECK_KIND, exchange.id))


@signals.feedback_due.connect
def ask_for_feedback(exchange, to=(), by=None, **extra):
    from app.exchanges.progress import FEEDBACK_KIND, reminder_link

    for user in to:
        opening = (f"{by.display_name} marked your exchange as completed."
                   if by is not None else
                   f"Your exchange with {_others(exchange, user)} is completed.")
        notify(user, FEEDBACK_KIND, f"{opening} Rate it to see what the others said.",
               reminder_link(FEEDBACK_KIND, exchange.id), actor=by)
