"""Typed domain errors and the one place that turns errors into pages.

Services raise these; routes either catch them to re-render a form, or let them reach the
handlers below, which answer with a human page (or a fragment for htmx requests).
"""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.core.htmx import is_htmx_request


class DomainError(Exception):
    """Something the user asked for cannot be done; `str(err)` is the message to show."""

    status_code = 400


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Invalid(DomainError):
    """One field's value is wrong; forms show `message` next to `field`."""

    status_code = 400

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


ERROR_TEXT = {
    400: ("That request didn't make sense", "Something in the request was malformed. "
          "Go back, check what you entered and try again."),
    403: ("You can't do that", "You don't have permission to see this page or take this action."),
    404: ("Page not found", "There is nothing here. The link may be old, or the thing it "
          "pointed to was removed."),
    405: ("That can't be done here", "This address doesn't accept that kind of request."),
    409: ("That clashes with something", "What you asked for conflicts with the current "
          "state of things. Reload the page and try again."),
    413: ("That was too large", "What you sent is bigger than this site accepts. "
          "Shorten it and try again."),
    429: ("Slow down a little", "There were too many attempts in a short time. "
          "Wait a few minutes, then try again."),
    500: ("Something went wrong on our side", "The error has been logged. Your last change "
          "was not saved; please try again in a moment."),
    503: ("Skillswap is very busy", "Many people are saving at this very moment and yours "
          "could not be saved. Nothing was changed: please try again in a few seconds."),
}


def render_error(status: int, message: str | None = None):
    title, default = ERROR_TEXT.get(status, ERROR_TEXT[500])
    context = {"status": status, "title": title, "message": message or default}
    if is_htmx_request():
        return render_template("errors/_error.html", **context), status
    return render_template("errors/error.html", **context), status


def register_error_handlers(app: Flask) -> None:
    from app.extensions import db

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        return render_error(err.status_code, str(err))

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):
        return render_error(400, "Your form expired or came from somewhere else. "
                                 "Reload the page and submit it again.")

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        message = None
        if status == 429:
            message = ERROR_TEXT[429][1]
        return render_error(status, message)

    @app.errorhandler(OperationalError)
    def database_busy(err: OperationalError):
        """SQLite gives up on its write lock after SQLITE_BUSY_TIMEOUT_MS: that is a busy
        moment, not a bug — say so, and invite a retry."""
        db.session.rollback()
        if "database is locked" not in str(err.orig):
            app.logger.exception("Unhandled database error")
            return render_error(500)
        app.logger.warning("SQLite write lock busy; answered 503: %s", err.orig)
        body, status = render_error(503)
        return body, status, {"Retry-After": "5"}

    @app.errorhandler(Exception)
    def unexpected_error(err: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_error(500)
