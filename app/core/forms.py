"""Glue between typed domain errors and WTForms."""

from flask import flash
from flask_wtf import FlaskForm

from app.core.errors import Invalid
from app.extensions import csrf


def show_invalid(form: FlaskForm, err: Invalid) -> None:
    """Put a service's `Invalid(field, message)` next to that field, or flash it."""
    field = getattr(form, err.field, None)
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        flash(err.message, "error")


def csrf_checked_by_form(view):
    """For a view that validates a FlaskForm before it changes anything: the form checks the
    CSRF token itself, so the global check is skipped. An expired token then comes back as a
    message on the form with everything the person typed, instead of an error page that
    loses it. Views without a form keep the global check."""
    csrf.exempt(view)
    return view
