"""The event form: it validates what was typed, never saves or queries. What needs the
database (does this handle exist? is the capacity below the seats taken?) comes back from
the service as `Invalid(field, message)` and shows next to the same field."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.core.db import utcnow
from app.core.errors import Invalid
from app.core.validators import NoControlCharacters, is_timezone, normalise_newlines
from app.events.fields import (
    handles_problem,
    skill_names_problem,
    split_list,
    to_utc,
    url_problem,
)
from app.events.models import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    COHOSTS_MAX,
    DESCRIPTION_MAX,
    DURATION_MAX,
    DURATION_MIN,
    KINDS,
    LOCATION_MAX,
    SKILLS_MAX,
    TIMEZONE_MAX,
    TITLE_MAX,
    TITLE_MIN,
    URL_MAX,
    WORKSHOP,
)
from app.skills.models import SKILL_NAME_MAX

START_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
START_INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
SKILLS_FIELD_MAX = SKILLS_MAX * (SKILL_NAME_MAX + 2)
COHOSTS_FIELD_MAX = COHOSTS_MAX * 33


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def parse_start(text: str | None) -> datetime | None:
    for fmt in START_FORMATS:
        try:
            return datetime.strptime((text or "").strip(), fmt)
        except ValueError:
            continue
    return None


def start_input_value(moment: datetime, zone: str) -> str:
    """A stored UTC time as the form shows it: wall-clock time in the event's zone."""
    return moment.astimezone(ZoneInfo(zone)).strftime(START_INPUT_FORMAT)


def _whole_number(text: str | None, low: int, high: int, message: str) -> int:
    try:
        number = int((text or "").strip())
    except ValueError:
        raise ValidationError(message) from None
    if not low <= number <= high:
        raise ValidationError(message)
    return number


class EventForm(FlaskForm):
    """Hosting or editing an event. `is_new` asks for a start in the future (an edit may keep
    the start of an event that is under way)."""

    is_new = True

    kind = RadioField("Kind of event", choices=KINDS, default=WORKSHOP,
                      validate_choice=False,
                      validators=[DataRequired("Choose the kind of event.")])
    title = StringField("Title", filters=[_strip], validators=[
        DataRequired("Give the event a title."),
        Length(min=TITLE_MIN, max=TITLE_MAX,
               message=f"Give a title of {TITLE_MIN} to {TITLE_MAX} characters."),
        NoControlCharacters(),
    ], render_kw={"maxlength": TITLE_MAX})
    skills = StringField("Skills", filters=[_strip], validators=[
        DataRequired("Name at least one skill, like “SQL” or “Public speaking”."),
        Length(max=SKILLS_FIELD_MAX, message=f"Choose at most {SKILLS_MAX} skills."),
        NoControlCharacters(),
    ], description=f"1 to {SKILLS_MAX}, separated by commas, like “SQL, Data modelling”.",
        render_kw={"maxlength": SKILLS_FIELD_MAX, "autocomplete": "off"})
    description = TextAreaField("Description", filters=[normalise_newlines], validators=[
        Length(max=DESCRIPTION_MAX,
               message=f"Keep the description to {DESCRIPTION_MAX:,} characters at most."),
        NoControlCharacters(allow_newlines=True),
    ], description="Markdown. What you'll cover, who it's for, what to bring.",
        render_kw={"rows": 8, "maxlength": DESCRIPTION_MAX})
    starts_at = StringField("Starts", filters=[_strip], validators=[
        DataRequired("Give the date and time the event starts."),
    ], description="Date and time in the event's time zone.",
        render_kw={"type": "datetime-local", "maxlength": 19})
    duration_minutes = StringField("Duration in minutes", filters=[_strip], default="60",
                                   validators=[DataRequired("Give the duration in minutes.")],
                                   description=f"{DURATION_MIN} to {DURATION_MAX} "
                                               "(24 hours).",
                                   render_kw={"maxlength": 5, "inputmode": "numeric",
                                              "autocomplete": "off"})
    timezone = StringField("Time zone", filters=[_strip], validators=[
        DataRequired("Choose the event's time zone."),
    ], description="An IANA name such as Europe/Berlin.",
        render_kw={"list": "timezones", "maxlength": TIMEZONE_MAX, "autocomplete": "off"})
    location = StringField("Place", filters=[_strip], validators=[
        Length(max=LOCATION_MAX, message=f"Keep the place to {LOCATION_MAX} characters at most."),
        NoControlCharacters(),
    ], description="A room or an address. Give a place, an online link, or both.",
        render_kw={"maxlength": LOCATION_MAX})
    online_url = StringField("Online link", filters=[_strip], validators=[
        Length(max=URL_MAX, message=f"Keep the link to {URL_MAX} characters at most."),
    ], description="A video call or stream, starting with https://.",
        render_kw={"type": "url", "maxlength": URL_MAX, "autocomplete": "off"})
    capacity = StringField("Seats", filters=[_strip], default="20",
                           validators=[DataRequired("Give the number of seats.")],
                           description=f"{CAPACITY_MIN} to {CAPACITY_MAX} people; when it's "
                                       "full, people join a waitlist.",
                           render_kw={"maxlength": 3, "inputmode": "numeric",
                                      "autocomplete": "off"})
    cohosts = StringField("Co-hosts", filters=[_strip], validators=[
        Length(max=COHOSTS_FIELD_MAX, message=f"Add at most {COHOSTS_MAX} co-hosts."),
        NoControlCharacters(),
    ], description=f"Optional: up to {COHOSTS_MAX} handles, separated by commas, like "
                   "“ana, ben-k”. Co-hosts can change and cancel the event too.",
        render_kw={"maxlength": COHOSTS_FIELD_MAX, "autocomplete": "off",
                   "autocapitalize": "none"})

    def validate_kind(self, field):
        if field.data not in KINDS:
            raise ValidationError("Choose a workshop, a lunch-and-learn or a teach-back.")

    def validate_skills(self, field):
        if problem := skill_names_problem(split_list(field.data)):
            raise ValidationError(problem)

    def validate_timezone(self, field):
        if not is_timezone(field.data):
            raise ValidationError("Choose a time zone from the list, like Europe/Paris or "
                                  "America/New_York.")

    def validate_starts_at(self, field):
        start = parse_start(field.data)
        if start is None:
            raise ValidationError("Give a date and time, like 2030-05-14 12:30.")
        if not is_timezone(self.timezone.data):
            return  # the time zone's own message says what to fix
        try:
            utc = to_utc(start, self.timezone.data)
        except Invalid as err:
            raise ValidationError(err.message) from None
        if self.is_new and utc <= utcnow():
            raise ValidationError("Choose a start in the future.")

    def validate_duration_minutes(self, field):
        message = f"Give a duration from {DURATION_MIN} to {DURATION_MAX} minutes (24 hours)."
        try:
            if int(field.data or "") <= 0:
                message = ("The event must end after it starts: give it at least "
                           f"{DURATION_MIN} minutes.")
        except ValueError:
            pass
        _whole_number(field.data, DURATION_MIN, DURATION_MAX, message)

    def validate_capacity(self, field):
        _whole_number(field.data, CAPACITY_MIN, CAPACITY_MAX,
                      f"Give a capacity from {CAPACITY_MIN} to {CAPACITY_MAX} people.")

    def validate_online_url(self, field):
        if field.data and (problem := url_problem(field.data)):
            raise ValidationError(problem)

    def validate_location(self, field):
        if not field.data and not (self.online_url.data or "").strip():
            raise ValidationError("Give a place, an online link, or both.")

    def validate_cohosts(self, field):
        if problem := handles_problem(split_list(field.data)):
            raise ValidationError(problem)

    def details(self) -> dict:
        """The valid input, as `services.schedule_event` / `update_event` take it."""
        return {
            "kind": self.kind.data, "title": self.title.data,
            "skills": split_list(self.skills.data), "description": self.description.data or "",
            "starts_at": parse_start(self.starts_at.data),
            "duration_minutes": int(self.duration_minutes.data),
            "timezone": self.timezone.data, "location": self.location.data or "",
            "online_url": self.online_url.data or "", "capacity": int(self.capacity.data),
            "cohosts": split_list(self.cohosts.data),
        }


def one_week_later(moment: datetime, zone: str) -> str:
    """The same wall-clock time a week later (across a clock change too), for a repeat; empty
    when that is already past."""
    local = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None) + timedelta(days=7)
    try:
        if to_utc(local, zone) <= utcnow():
            return ""
    except Invalid:
        return ""
    return local.strftime(START_INPUT_FORMAT)
