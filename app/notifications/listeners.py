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
