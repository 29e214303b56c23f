"""Exchange forms: they validate input, never save or query."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from app.core.validators import NoControlCharacters, normalise_newlines
from app.exchanges.models import CLOSE_REASON_MAX, MESSAGE_MAX
from app.offers.models import SUGGESTION_KEY_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RequestForm(FlaskForm):
    """Confirm a proposed exchange, with an optional note to the others."""

    offer = HiddenField()
    suggestion = HiddenField(validators=[Length(max=SUGGESTION_KEY_MAX)])
    message = TextAreaField("Message (optional)", filters=[normalise_newlines, _strip],
                            validators=[
                                Length(max=MESSAGE_MAX, message=f"Keep the message to "
                                                                f"{MESSAGE_MAX:,} characters "
                                                                "at most."),
                                NoControlCharacters(allow_newlines=True)],
                            description="Say hello, what you hope to get out of it and when "
                                        "you're usually free.",
                            render_kw={"maxlength": MESSAGE_MAX, "rows": 5})


class ReasonForm(FlaskForm):
    """Decline or cancel, with an optional reason the others see."""

    reason = StringField("Reason (optional)", filters=[_strip], validators=[
        Length(max=CLOSE_REASON_MAX,
               message=f"Keep the reason to {CLOSE_REASON_MAX} characters at most."),
        NoControlCharacters()], render_kw={"maxlength": CLOSE_REASON_MAX})
