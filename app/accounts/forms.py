"""Account forms: they validate input, never save or query."""

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from app.accounts.models import (
    BIO_MAX,
    DEPARTMENT_MAX,
    EMAIL_MAX,
    HANDLE_MAX,
    HANDLE_MIN,
    JOB_TITLE_MAX,
    LOCATION_MAX,
    NAME_MAX,
    PASSWORD_MAX,
)
from app.core.validators import NoControlCharacters, TimeZone, normalise_newlines


class _MinPasswordLength(Length):
    """Length(min=PASSWORD_MIN_LENGTH) read from config at validation time."""

    def __init__(self):
        super().__init__(max=PASSWORD_MAX)

    def __call__(self, form, field):
        self.min = current_app.config["PASSWORD_MIN_LENGTH"]
        self.message = f"Use at least {self.min} characters (at most {PASSWORD_MAX})."
        super().__call__(form, field)


def _strip(value):
    """Phones and copy-paste add stray spaces around an address; nobody means them."""
    return value.strip() if isinstance(value, str) else value


def _email_field(label="Email"):
    return EmailField(label, filters=[_strip], validators=[
        DataRequired("Enter your email address."),
        Length(max=EMAIL_MAX),
        NoControlCharacters(),
        Email("Enter a valid email address, like ana@example.com.",
              check_deliverability=False),
    ], render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX})


class RegisterForm(FlaskForm):
    name = StringField("Full name", validators=[
        DataRequired("Tell us your name."), Length(max=NAME_MAX), NoControlCharacters(),
    ], render_kw={"autocomplete": "name", "maxlength": NAME_MAX})
    email = _email_field("Work email")
    password = PasswordField("Password", validators=[
        DataRequired("Choose a password."), _MinPasswordLength(),
    ], description="At least 10 characters. A few unrelated words make a strong, memorable "
                   "password; common passwords are refused.",
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX})


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField("Password", validators=[
        DataRequired("Enter your password."), Length(max=PASSWORD_MAX),
    ], render_kw={"autocomplete": "current-password", "maxlength": PASSWORD_MAX})
    remember = BooleanField("Remember me on this device")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[
        DataRequired("Enter your current password."), Length(max=PASSWORD_MAX),
    ], render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("New password", validators=[
        DataRequired("Choose a new password."), _MinPasswordLength(),
    ], render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX})
    confirm_password = PasswordField("Repeat the new password", validators=[
        DataRequired("Repeat the new password."),
        EqualTo("new_password", "The two new passwords don't match."),
    ], render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX})


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[
        DataRequired("Your name can't be empty."), Length(max=NAME_MAX), NoControlCharacters(),
    ], render_kw={"maxlength": NAME_MAX, "autocomplete": "name"})
    handle = StringField("Handle", validators=[
        DataRequired("Choose a handle."),
        Length(min=HANDLE_MIN, max=HANDLE_MAX),
        Regexp(r"^@?[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$",
               message="Use letters, digits, '-' or '_', starting and ending with a letter "
                       "or digit."),
    ], description="Your address on Skillswap: /people/<handle>.",
        render_kw={"maxlength": HANDLE_MAX + 1, "autocapitalize": "none"})
    job_title = StringField("Job title", validators=[
        Optional(), Length(max=JOB_TITLE_MAX), NoControlCharacters(),
    ], render_kw={"maxlength": JOB_TITLE_MAX, "autocomplete": "organization-title"})
    department = StringField("Department", validators=[
        Optional(), Length(max=DEPARTMENT_MAX), NoControlCharacters(),
    ], render_kw={"maxlength": DEPARTMENT_MAX, "list": "departments"})
    location = StringField("Location", validators=[
        Optional(), Length(max=LOCATION_MAX), NoControlCharacters(),
    ], render_kw={"maxlength": LOCATION_MAX})
    timezone = StringField("Time zone", validators=[
        DataRequired("Choose your time zone."), TimeZone(),
    ], description="An IANA name such as Europe/Berlin; times on the site are shown in it.",
        render_kw={"list": "timezones", "maxlength": 64, "autocomplete": "off"})
    bio_md = TextAreaField("About you", filters=[normalise_newlines], validators=[
        Optional(), Length(max=BIO_MAX), NoControlCharacters(allow_newlines=True),
    ], description=f"Markdown, up to {BIO_MAX} characters: what you work on, what you "
                   "like to teach and learn.", render_kw={"rows": 6, "maxlength": BIO_MAX})
    open_to_mentoring = BooleanField("Mentoring others")
    open_to_being_mentored = BooleanField("Being mentored")
    open_to_swaps = BooleanField("Peer skill swaps")


class ConfirmForm(FlaskForm):
    """An empty form for POST buttons: it only carries the CSRF token."""
