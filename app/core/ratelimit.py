"""Keys for Flask-Limiter: the client's address, and the account being logged in to."""

from flask import request


def client_ip() -> str:
    """The address the request came from (ProxyFix rewrites it when TRUST_PROXY_HEADERS is on)."""
    return request.remote_addr or "unknown"


def login_account() -> str:
    """The account a login attempt is aimed at, so guessing one account from many
    addresses is limited too."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"account:{email}" if email else f"ip:{client_ip()}"
