"""The application factory: configuration → extensions → blueprints → errors → CLI.

It only wires things together: no queries, no migrations, no network.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Config


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app. `config` (tests) is a mapping of settings used instead of the
    environment; without it, `Config.from_env()` reads the environment."""
    app = Flask(__name__, instance_relative_config=False)
    settings = dict(config) if config is not None else Config.from_env()
    app.config.update(settings)
    app.instance_path = str(app.config.get("INSTANCE_DIR", app.instance_path))

    if app.config.get("TRUST_PROXY_HEADERS"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    _init_extensions(app)
    from app.core.converters import IdConverter

    app.url_map.converters["int"] = IdConverter
    _register_blueprints(app)
    _register_errors_and_hooks(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app.core.db import configure_sqlite
    from app.extensions import csrf, db, htmx, limiter, login_manager, migrate

    configure_sqlite(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000))
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.refresh_view = "accounts.login"
    login_manager.needs_refresh_message = "Please log in again to confirm it's you."
    login_manager.needs_refresh_message_category = "info"
    from app.search import init_app as init_search

    register_document_types()
    init_search(app)
    import app.accounts.sessions  # noqa: F401  (registers the user loader)
    import app.core.generations  # noqa: F401  (the cache_generations table)


#: Each domain's searchable documents: importing the module registers its DocType.
DOCUMENT_MODULES = (
    "app.accounts.search_documents",  # "person"
    "app.events.search_documents",  # "event"
    "app.forum.search_documents",  # "question"
    "app.offers.search_documents",  # "offer"
    "app.skills.search_documents",  # "skill"
)


def register_document_types() -> None:
    """Import every domain's document module, so the registry knows every kind."""
    for name in DOCUMENT_MODULES:
        importlib.import_module(name)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _register_blueprints(app: Flask) -> None:
    from app.accounts import bp as accounts_bp
    from app.admin import bp as admin_bp
    from app.events import bp as events_bp
    from app.exchanges import bp as exchanges_bp
    from app.forum import bp as forum_bp
    from app.home import bp as home_bp
    from app.notifications import bp as notifications_bp
    from app.offers import bp as offers_bp
    from app.search import bp as search_bp
    from app.skills import bp as skills_bp

    for bp in (home_bp, accounts_bp, notifications_bp, skills_bp, offers_bp, exchanges_bp,
               events_bp, forum_bp, search_bp, admin_bp):
        app.register_blueprint(bp)


def _register_errors_and_hooks(app: Flask) -> None:
    from app.accounts.permissions import TEMPLATE_PREDICATES
    from app.core.errors import register_error_handlers
    from app.core.security import register_security_headers
    from app.core.templating import register_template_helpers

    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    app.jinja_env.globals.update(TEMPLATE_PREDICATES)


def _register_cli(app: Flask) -> None:
    from app.accounts.cli import users_cli
    from app.demo import seed_cli
    from app.events.cli import events_cli
    from app.exchanges import progress_cli  # noqa: F401  (adds `remind` to exchanges_cli)
    from app.exchanges.cli import exchanges_cli
    from app.search.cli import search_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(exchanges_cli)
    app.cli.add_command(events_cli)
