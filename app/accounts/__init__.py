"""Accounts: registration, login, sessions, profiles and the people directory."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from app.accounts import people_routes, routes  # noqa: E402, F401
