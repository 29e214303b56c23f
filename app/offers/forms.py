"""Offer forms: they validate input, never save or query."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.core.validators import NoControlCharacters, normalise_newlines
from app.offers.models import (
    AVAILABILITY_MAX,
    CAPACITY_MAX,
    CAPACITY_MIN,
    DESCRIPTION_MAX,
    FORMATS,
    KINDS,
    LEARN,
    LEVELS,
    TEACH,
)
from app.skills.models import SKILL_NAME_MAX

CAPACITY_FIELD_MAX = 3  # digits: 50 is the most
KIND_CHOICES = {TEACH: "teach this skill", LEARN: "learn this skill"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OfferDetailsForm(FlaskForm):
    """What an offer's owner can change: everything but its kind and skill.

    `offer_kind` says whether the capacity counts (teaching) or is ignored (learning); the
    form for a new offer reads it from its own `kind` field."""

    offer_kind: str | None = None

    level = SelectField("Level", choices=dict(LEVELS), default="intermediate",
                        validate_choice=False, validators=[
                            DataRequired("Choose a level.")],
                        description="Teaching: the level you can take people to. "
                                    "Learning: where you are now.")
    formats = SelectMultipleField("Formats", choices=dict(FORMATS),
                                  default=["one_to_one"], validate_choice=False)
    capacity = StringField("Learners at once", filters=[_strip],
                           description=f"Teaching offers only: {CAPACITY_MIN} to "
                                       f"{CAPACITY_MAX} people.",
                           default="1",
                           render_kw={"maxlength": CAPACITY_FIELD_MAX, "inputmode": "numeric",
                                      "autocomplete": "off"})
    availability = StringField("Availability", filters=[_strip], validators=[
        Length(max=AVAILABILITY_MAX,
               message=f"Keep availability to {AVAILABILITY_MAX} characters at most."),
        NoControlCharacters(),
    ], description="When you're usually free, like “Tuesday afternoons, CET”.",
        render_kw={"maxlength": AVAILABILITY_MAX})
    description = TextAreaField("Description", filters=[normalise_newlines], validators=[
        Length(max=DESCRIPTION_MAX,
               message=f"Keep the description to {DESCRIPTION_MAX:,} characters at most."),
        NoControlCharacters(allow_newlines=True),
    ], description="Markdown. What you can cover, or what you hope to get out of it.",
        render_kw={"rows": 8, "maxlength": DESCRIPTION_MAX})

    def current_kind(self) -> str | None:
        return self.offer_kind

    def validate_level(self, field):
        if field.data not in LEVELS:
            raise ValidationError("Choose a level: beginner, intermediate or advanced.")

    def validate_formats(self, field):
        if not field.data:
            raise ValidationError("Choose at least one format.")
        if any(value not in FORMATS for value in field.data):
            raise ValidationError("Choose formats from the list.")

    def validate_capacity(self, field):
        if self.current_kind() != TEACH:
            return  # learning offers have no capacity: whatever was typed is ignored
        try:
            number = int(field.data or "")
        except ValueError:
            raise ValidationError(f"Enter a number from {CAPACITY_MIN} to {CAPACITY_MAX}."
                                  ) from None
        if not CAPACITY_MIN <= number <= CAPACITY_MAX:
            raise ValidationError(f"Choose from {CAPACITY_MIN} to {CAPACITY_MAX} learners.")


class NewOfferForm(OfferDetailsForm):
    kind = RadioField("I want to", choices=KIND_CHOICES, default=TEACH, validate_choice=False,
                      validators=[DataRequired("Choose whether you can teach it or want to "
                                               "learn it.")])
    skill = StringField("Skill", filters=[_strip], validators=[
        DataRequired("Name a skill, like “SQL” or “Public speaking”."),
        Length(max=SKILL_NAME_MAX,
               message=f"Keep a skill's name to {SKILL_NAME_MAX} characters at most."),
        NoControlCharacters(),
    ], description="Pick a skill from the suggestions, or name a new one.",
        render_kw={"maxlength": SKILL_NAME_MAX, "autocomplete": "off", "list": "skill-names"})

    def current_kind(self) -> str | None:
        return self.kind.data

    def validate_kind(self, field):
        if field.data not in KINDS:
            raise ValidationError("Choose whether you can teach it or want to learn it.")
