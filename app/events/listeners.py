"""What events do when something happens elsewhere: a deactivated person's seats and
waitlist places go back to the people waiting (in the same transaction as the deactivation)."""

from app.core import signals
from app.events.booking import release_bookings_of


@signals.user_deactivated.connect
def release_seats_of_deactivated(user, **extra):
    release_bookings_of(user)
