"""Domain events. Each signal is sent by a service inside the request's transaction;
listeners (in the listening domain) only write rows, so a rollback undoes them too.

Every signal's sender is the object it is about; keyword arguments are documented below.
"""

from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered")
"""A person created an account. Sender: the new `User`."""

password_changed = _signals.signal("password-changed")
"""A person changed their password; every other session was ended. Sender: the `User`."""

user_deactivated = _signals.signal("user-deactivated")
"""An admin deactivated an account. Sender: the `User`; `by`: the admin `User`."""

user_reactivated = _signals.signal("user-reactivated")
"""An admin reactivated an account. Sender: the `User`; `by`: the admin `User`."""

# -- Forum ---------------------------------------------------------------------------------

question_asked = _signals.signal("question-asked")
"""A person asked a question (already flushed, with its tags). Sender: the `Question`."""

answer_posted = _signals.signal("answer-posted")
"""A person answered a question. Sender: the `Answer` (its `question` is loaded)."""

comment_posted = _signals.signal("comment-posted")
"""A person commented on a post. Sender: the `Comment`; `post`: the `Question` or `Answer`
it is on."""

answer_accepted = _signals.signal("answer-accepted")
"""The asker accepted an answer. Sender: the `Answer`; `by`: the asker (`User`)."""

post_hidden = _signals.signal("post-hidden")
"""An administrator hid a post. Sender: the hidden `Question`, `Answer` or `Comment`; `kind`:
"question", "answer" or "comment"; `question`: the `Question` the post belongs to (the post
itself for a question); `by`: the administrator (`User`)."""
