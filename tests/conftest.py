"""Fixtures shared by the whole suite.

Every test that uses `app` runs once on SQLite and, when TEST_DATABASE_URL is set, once more
on PostgreSQL (each pytest-xdist worker in its own schema). REQUIRE_POSTGRES=1 turns a missing
PostgreSQL into a failure instead of a skip.
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests.factories import DEFAULT_PASSWORD

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]


def shared_path(*parts: str) -> Path:
    """A file under ../shared/, or skip — except in CI, where its absence is an error."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI must have ../shared/ beside the repository")
        pytest.skip(f"{path} is not available (../shared/ lives beside the repository)")
    return path


def _worker_id() -> str:
    """Unique per test process, so parallel runs never share a PostgreSQL schema."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def postgres_url() -> str:
    if not TEST_DATABASE_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    url = TEST_DATABASE_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def postgres_schema_options(schema: str) -> dict:
    return {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}}


def drop_postgres_schema(url: str, schema: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    finally:
        engine.dispose()


def reset_postgres_schema(url: str, schema: str) -> None:
    if not re.fullmatch(r"[a-z0-9_]+", schema):
        raise ValueError(schema)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as err:  # noqa: BLE001 — turned into a clear skip/failure
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is not usable: {err}")
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is not usable: {err}")
    finally:
        engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> dict:
    """The database a test runs on: SQLite always, PostgreSQL when configured."""
    if request.param == "sqlite":
        yield {"name": "sqlite"}
        return
    url = postgres_url()
    schema = f"skillswap_test_{_worker_id()}"
    reset_postgres_schema(url, schema)
    yield {"name": "postgresql", "url": url, "schema": schema}
    drop_postgres_schema(url, schema)


def make_test_config(backend: dict, tmp_path: Path, **overrides) -> dict:
    config = TestConfig.as_dict()
    config.update(INSTANCE_DIR=tmp_path, SEARCH_INDEX_DIR=str(tmp_path / "search_index"))
    if backend["name"] == "sqlite":
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'test.db'}"
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    else:
        config["SQLALCHEMY_DATABASE_URI"] = backend["url"]
        config["SQLALCHEMY_ENGINE_OPTIONS"] = postgres_schema_options(backend["schema"])
    config.update(overrides)
    return config


def _empty_all_tables(schema: str) -> None:
    """Delete every row and restart the id sequences, in one round trip. (TRUNCATE takes
    ~200 ms for all the tables, however few rows they hold; DELETE on a test's handful of
    rows takes a few.)"""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if not tables:
        return
    with db.engine.begin() as conn:
        sequences = _sequences.get(schema)
        if sequences is None:
            sequences = _sequences[schema] = list(conn.exec_driver_sql(
                "SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = current_schema()").scalars())
        statements = [f"DELETE FROM {name}" for name in tables]  # noqa: S608 — our table names
        statements += [f"ALTER SEQUENCE {name} RESTART" for name in sequences]
        conn.exec_driver_sql("; ".join(statements))


_sequences: dict[str, list[str]] = {}
_created: set[str] = set()  # PostgreSQL schemas whose tables this worker has created
_sqlite_template: dict[str, Path] = {}


def _create_tables(app, backend: dict, config: dict) -> None:
    """The tables, made once per worker: PostgreSQL keeps its schema between tests (emptied
    after each); SQLite copies a file made once instead of creating every table again."""
    if backend["name"] == "postgresql":
        if backend["schema"] not in _created:
            db.create_all()
            _created.add(backend["schema"])
        return
    uri = config["SQLALCHEMY_DATABASE_URI"]
    target = Path(uri.removeprefix("sqlite:///"))
    if not uri.startswith("sqlite:///") or target.exists():
        db.create_all()
        return
    template = _sqlite_template.get("tables")
    if template is None:
        db.create_all()
        db.engine.dispose()  # checkpoints the WAL into the file
        template = target.with_name("template.db")
        shutil.copyfile(target, template)
        _sqlite_template["tables"] = template
    else:
        shutil.copyfile(template, target)


@pytest.fixture
def app_config(backend, tmp_path) -> dict:
    """Override in a module (or edit in a test before `app` is used) to change settings."""
    return make_test_config(backend, tmp_path)


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production.

    The `app` fixture keeps an app context pushed so tests can use `db.session`; Flask would
    reuse it for every request, sharing `flask.g` (Flask-Login's current user, the CSRF token)
    and the SQLAlchemy session between requests and clients. Here every request starts from
    an empty context, and afterwards the test's own session forgets what it had loaded, so
    the test reads what the request committed.
    """

    def open(self, *args, **kwargs):
        def run():
            _cv_app.set(None)
            return super(IsolatedClient, self).open(*args, **kwargs)

        response = contextvars.copy_context().run(run)
        session = db.session
        if not (session.new or session.dirty or session.deleted):
            session.expire_all()
        return response


@pytest.fixture
def app(app_config, backend):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        _create_tables(app, backend, app_config)
        try:
            yield app
        finally:
            db.session.remove()
            if backend["name"] == "postgresql":
                _empty_all_tables(backend["schema"])
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = DEFAULT_PASSWORD, remember: bool = False):
        email = getattr(user_or_email, "email", user_or_email)
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


HTMX = {"HX-Request": "true"}
