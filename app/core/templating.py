"""Jinja filters and globals every template can use."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup

HTMX_VERSION = "2.0.11"


def local_time(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """A UTC datetime in the viewer's own time zone."""
    if value is None:
        return ""
    zone = "UTC"
    if getattr(current_user, "is_authenticated", False):
        zone = current_user.timezone or "UTC"
    try:
        return value.astimezone(ZoneInfo(zone)).strftime(fmt)
    except (KeyError, ValueError):
        return value.strftime(fmt)


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def url_with(**changes) -> str:
    """The current URL with some query arguments replaced (for pagination and filters)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["iso"] = iso
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["htmx_script"] = lambda: url_for(
        "static", filename=f"js/htmx-{HTMX_VERSION}.min.js")
    app.jinja_env.globals["Markup"] = Markup
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
