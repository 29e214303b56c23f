"""Security headers, Content-Security-Policy and safe redirects."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])

# A local path: one slash, then anything but a second slash or backslash, and no whitespace
# or control characters anywhere (browsers drop tabs and newlines, turning "/\t/x" into "//x").
_LOCAL_PATH = re.compile(r"^/(?![/\\])[^\s\\\x00-\x1f\x7f]*$")


def is_safe_next(target: str | None) -> bool:
    """True when `target` is a page of this site, safe to redirect to after login.

    Stricter than "a relative URL": the path must be one of our own GET routes, and neither
    it nor its query may hold another address (`//`, `scheme:/`, backslashes), even once
    percent-decoded. So `/https://evil.example/` and `/?next=//evil.example` are refused too.
    """
    if not target or len(target) > 2000:
        return False
    candidate = target
    for _ in range(3):  # also refuse what only turns hostile once decoded
        if not _LOCAL_PATH.match(candidate) or "//" in candidate or ":/" in candidate:
            return False
        decoded = unquote(candidate).replace(" ", "")  # %20 is harmless; dropping it is stricter
        if decoded == candidate:
            break
        candidate = decoded
    else:
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return False
    return _is_own_route(unquote(parts.path))


def _is_own_route(path: str) -> bool:
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(path, method="GET")
    except RequestRedirect:
        return True  # only a missing trailing slash
    except HTTPException:
        return False
    return endpoint != "static"


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
            headers.add("Vary", "HX-Request")
        return response
