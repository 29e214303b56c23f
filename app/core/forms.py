"""Glue between typed domain errors and WTForms."""

from flask import flash
from flask_wtf import FlaskForm

from app.core.errors import Invalid


def show_invalid(form: FlaskForm, err: Invalid) -> None:
    """Put a service's `Invalid(field, message)` next to that field, or flash it."""
    field = getattr(form, err.field, None)
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        flash(err.message, "error")
