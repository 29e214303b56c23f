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

# -- Exchanges -----------------------------------------------------------------------------

exchange_requested = _signals.signal("exchange-requested")
"""A person asked others for an exchange (members and legs flushed; the requester counts as
accepted). Sender: the `Exchange`; `by`: the requester (`User`)."""

exchange_accepted = _signals.signal("exchange-accepted")
"""Everyone in an exchange has accepted: it is active and holds its seats. Sender: the
`Exchange`; `by`: the member whose acceptance completed it (`User`)."""

exchange_declined = _signals.signal("exchange-declined")
"""A member declined a request; it is closed. Sender: the `Exchange`; `by`: who declined
(`User`); `reason`: what they wrote ("" when nothing)."""

exchange_cancelled = _signals.signal("exchange-cancelled")
"""A member cancelled a requested or active exchange (or answered "not a fit"); any seats it
held were given back. Sender: the `Exchange`; `by`: who cancelled (`User`); `reason`: what
they wrote, or "not a fit"."""

exchange_expired = _signals.signal("exchange-expired")
"""A request went unanswered for `EXPIRE_AFTER_DAYS` and expired. Sender: the `Exchange`."""

fit_check_due = _signals.signal("fit-check-due")
"""An active exchange's fit check is open (the members have met: hours were logged, or a week
has passed) and some members haven't answered. Sent by `flask exchanges remind`, at most once
per member. Sender: the `Exchange`; `to`: the `User`s to ask."""

feedback_due = _signals.signal("feedback-due")
"""A completed exchange is waiting for ratings. Sent when a member marks it completed (`to`:
the other members, `by`: who completed it) and by `flask exchanges remind` to members who
still haven't rated (`to`: them, `by`: None), at most once per member. Sender: the
`Exchange`."""
