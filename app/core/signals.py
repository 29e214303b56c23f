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

# -- Events --------------------------------------------------------------------------------

event_booked = _signals.signal("event-booked")
"""A person holds a confirmed seat at an event. Sender: the `Booking`; `how`: "booked" (they
booked a free seat), "claimed" (they claimed a seat offered to them) or "promoted" (the
waitlist gave them a seat directly, because the event starts within the claim window)."""

event_waitlisted = _signals.signal("event-waitlisted")
"""A person joined a full event's waitlist. Sender: the `Booking`; `position`: their place
in the queue (1 = next)."""

seat_offered = _signals.signal("seat-offered")
"""A seat freed up and is held for the first person waiting until `booking.offer_expires_at`.
Sender: the `Booking` (status "offered")."""

seat_offer_expired = _signals.signal("seat-offer-expired")
"""A seat offered from the waitlist was not claimed in time; it went to the next person.
Sender: the `Booking` (status "lapsed")."""

event_changed = _signals.signal("event-changed")
"""A host changed an event's time, place, link or capacity. Sender: the `Event`; `by`: the
host (`User`); `changes`: the names of the fields that changed, in words ("the time")."""

event_cancelled = _signals.signal("event-cancelled")
"""A host cancelled an event; every booking was cancelled with it. Sender: the `Event`; `by`:
the host (`User`); `notify`: the `User`s who were booked, offered a seat or waiting."""

event_reminder = _signals.signal("event-reminder")
"""An event starts within a day. Sent once per booking by `flask events send-reminders`.
Sender: the confirmed `Booking`."""

event_feedback_due = _signals.signal("event-feedback-due")
"""An event ended; an attendee may rate it (and, after a workshop, host a teach-back). Sent
once per booking by `flask events send-reminders`. Sender: the `Booking`."""

event_repeat_scheduled = _signals.signal("event-repeat-scheduled")
"""A host scheduled a repeat of an event that had a waitlist. Sender: the new `Event`; `to`:
the `User`s left waiting on the original, told first."""

proposal_scheduled = _signals.signal("proposal-scheduled")
"""Someone turned a session proposal into an event. Sender: the `SessionProposal`; `event`:
the new `Event`; `to`: everyone who had added their interest (the host excluded)."""
