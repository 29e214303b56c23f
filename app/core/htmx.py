"""Render a whole page, or only its fragment when htmx asked for it.

A page template includes its fragment; an htmx request gets the fragment alone. So every
page works without JavaScript and htmx only makes it faster.
"""

from flask import render_template, request


def is_htmx_request() -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page_or_fragment(page_template: str, fragment_template: str, /, **context) -> str:
    template = fragment_template if is_htmx_request() else page_template
    return render_template(template, **context)
