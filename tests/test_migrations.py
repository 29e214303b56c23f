"""Upgrading an empty database to head gives exactly the schema the models describe."""

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from tests.conftest import (
    _worker_id,
    drop_postgres_schema,
    make_test_config,
    postgres_schema_options,
    reset_postgres_schema,
)


@pytest.fixture
def migrated_app(backend, tmp_path):
    """An app on an empty database (its own PostgreSQL schema), for Alembic to fill."""
    config = make_test_config(backend, tmp_path)
    schema = f"skillswap_migrations_{_worker_id()}"
    if backend["name"] == "postgresql":
        reset_postgres_schema(backend["url"], schema)
        config["SQLALCHEMY_ENGINE_OPTIONS"] = postgres_schema_options(schema)
    yield create_app(config)
    if backend["name"] == "postgresql":
        drop_postgres_schema(backend["url"], schema)


def test_upgrade_to_head_matches_models(migrated_app):
    with migrated_app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == [], f"models and migrations differ: {differences}"


def test_downgrade_to_base_and_up_again(migrated_app):
    with migrated_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()
