"""Turn domain signals into notification rows, inside the sender's transaction."""

from flask import url_for

from app.core import signals
from app.notifications.services import notify


@signals.user_registered.connect
def welcome(user, **extra):
    notify(user, "welcome",
           "Welcome to Skillswap! Add your department, time zone and a short bio so "
           "colleagues can find you.",
           url_for("accounts.settings"))


@signals.password_changed.connect
def password_was_changed(user, **extra):
    notify(user, "security",
           "Your password was changed and you were logged out on your other devices. "
           "If this wasn't you, tell an administrator.",
           url_for("accounts.settings"))


@signals.user_reactivated.connect
def account_reactivated(user, by=None, **extra):
    notify(user, "account", "Your account was reactivated. Welcome back!",
           url_for("home.index"), actor=by)
