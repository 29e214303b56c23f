"""Accounts: registration, login, sessions, profiles and the people directory."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from app.accounts import routes, people_routes  # noqa: E402, F401
