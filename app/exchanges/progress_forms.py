"""Forms for a running exchange: fit check, rating, hours. They validate, never save or query."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from app.core.validators import NoControlCharacters, normalise_newlines
from app.exchanges.models import COMMENT_MAX, FITS, HOURS_NOTE_MAX, MINUTES_MAX

HOURS_FIELD_MAX = 5  # "11.75"
DATE_FIELD_MAX = 10  # "2026-12-01"
MAX_HOURS = MINUTES_MAX // 60
RATING_CHOICES = {"5": "5 – Excellent", "4": "4 – Good", "3": "3 – OK",
                  "2": "2 – Disappointing", "1": "1 – Poor"}
HOURS_MESSAGE = (f"Enter the time in hours, like 1 or 1.5: more than 0 and at most "
                 f"{MAX_HOURS}.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def hours_to_minutes(text: str | None) -> int | None:
    """ "1.5" (or "1,5") hours → 90 minutes; None when it isn't a number of hours in range."""
    try:
        hours = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not hours.is_finite() or not 0 < hours <= MAX_HOURS:
        return None
    minutes = int((hours * 60).to_integral_value())
    return minutes if minutes >= 1 else None


def parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


class FitForm(FlaskForm):
    fit = RadioField("Is this exchange a good fit for you?", choices=dict(FITS),
                     validate_choice=False)

    def validate_fit(self, field):
        if field.data not in FITS:
            raise ValidationError("Choose good fit, not sure yet or not a fit.")


class RatingForm(FlaskForm):
    rating = RadioField("Your rating", choices=RATING_CHOICES, validate_choice=False)
    comment = TextAreaField("Comment (optional)", filters=[normalise_newlines], validators=[
        Length(max=COMMENT_MAX, message=f"Keep the comment to {COMMENT_MAX:,} characters "
                                        "at most."),
        NoControlCharacters(allow_newlines=True),
    ], description="What went well, what could be better. The others see it once everyone "
                   "has rated.", render_kw={"rows": 4, "maxlength": COMMENT_MAX})

    def validate_rating(self, field):
        if field.data not in RATING_CHOICES:
            raise ValidationError("Choose a rating from 1 to 5.")


class HoursForm(FlaskForm):
    """`leg.choices` ({leg id: label}) are set by the route: the member's own legs."""

    leg = SelectField("What was taught", validate_choice=False)
    # An explicit id: the exchange page's "Hours" section already uses id="hours".
    hours = StringField("Hours", id="hours-amount", filters=[_strip],
                        description=f"In hours: 1 for an hour, 1.5 for an hour and a half "
                                    f"(at most {MAX_HOURS}).",
                        render_kw={"maxlength": HOURS_FIELD_MAX, "inputmode": "decimal",
                                   "autocomplete": "off"})
    happened_on = StringField("Date", filters=[_strip], description="The day you met.",
                              render_kw={"type": "date", "maxlength": DATE_FIELD_MAX})
    note = StringField("Note (optional)", filters=[_strip], validators=[
        Length(max=HOURS_NOTE_MAX,
               message=f"Keep the note to {HOURS_NOTE_MAX} characters at most."),
        NoControlCharacters(),
    ], description="What you covered, for your own record.",
        render_kw={"maxlength": HOURS_NOTE_MAX})

    def validate_leg(self, field):
        if field.data not in (self.leg.choices or {}):
            raise ValidationError("Choose who taught whom, from the list.")

    def validate_hours(self, field):
        if hours_to_minutes(field.data) is None:
            raise ValidationError(HOURS_MESSAGE)

    def validate_happened_on(self, field):
        if parse_date(field.data) is None:
            raise ValidationError("Enter the date as YYYY-MM-DD, like 2026-03-14.")
