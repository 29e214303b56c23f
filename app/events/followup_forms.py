"""Forms for what follows an event: attendance, materials, feedback. They validate input,
never save or query. Each has a prefix, so its field ids stay unique on the event page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.core.validators import NoControlCharacters, normalise_newlines
from app.events.models import (
    FEEDBACK_COMMENT_MAX,
    FEEDBACK_MIN_FOR_HOSTS,
    MATERIAL_NOTES_MAX,
    MATERIAL_TITLE_MAX,
    URL_MAX,
)

RATING_CHOICES = {"5": "5 – Excellent", "4": "4 – Good", "3": "3 – OK",
                  "2": "2 – Disappointing", "1": "1 – Poor"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BookingIdsField(SelectMultipleField):
    """Ticked booking ids; anything that isn't a number is refused with a plain message."""

    def process_formdata(self, valuelist):
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = []
            raise ValueError("Tick people from the list.") from None


class AttendanceForm(FlaskForm):
    """The ticked boxes are the confirmed bookings of people who came."""

    attendees = BookingIdsField("Who attended", validate_choice=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "attendance")
        super().__init__(*args, **kwargs)


class MaterialForm(FlaskForm):
    title = StringField("Title", filters=[_strip], validators=[
        DataRequired("Give the material a title, like “Slides” or “Exercises”."),
        Length(max=MATERIAL_TITLE_MAX,
               message=f"Keep the title to {MATERIAL_TITLE_MAX} characters at most."),
        NoControlCharacters(),
    ], render_kw={"maxlength": MATERIAL_TITLE_MAX})
    url = StringField("Link", filters=[_strip], validators=[
        Length(max=URL_MAX, message=f"Keep the link to {URL_MAX} characters at most."),
        NoControlCharacters(),
    ], description="Slides, a repository, a recording: an address starting with https://.",
        render_kw={"maxlength": URL_MAX, "type": "url", "inputmode": "url",
                   "autocomplete": "off"})
    notes = TextAreaField("Notes", filters=[normalise_newlines], validators=[
        Length(max=MATERIAL_NOTES_MAX,
               message=f"Keep the notes to {MATERIAL_NOTES_MAX:,} characters at most."),
        NoControlCharacters(allow_newlines=True),
    ], description="Markdown. A summary, exercises, further reading. A link, notes or both.",
        render_kw={"rows": 5, "maxlength": MATERIAL_NOTES_MAX})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "material")
        super().__init__(*args, **kwargs)


class FeedbackForm(FlaskForm):
    rating = RadioField("Your rating", choices=RATING_CHOICES, validate_choice=False)
    comment = TextAreaField("Comment (optional)", filters=[normalise_newlines], validators=[
        Length(max=FEEDBACK_COMMENT_MAX,
               message=f"Keep the comment to {FEEDBACK_COMMENT_MAX:,} characters at most."),
        NoControlCharacters(allow_newlines=True),
    ], description="What worked, what could be better. The hosts see comments without "
                   "names, and only once at least "
                   f"{FEEDBACK_MIN_FOR_HOSTS} people have rated.",
        render_kw={"rows": 4, "maxlength": FEEDBACK_COMMENT_MAX})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "feedback")
        super().__init__(*args, **kwargs)

    def validate_rating(self, field):
        if field.data not in RATING_CHOICES:
            raise ValidationError("Choose a rating from 1 to 5.")
