"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from learning import create_app
from learning.extensions import db
from learning.models import render_migration_item

from .conftest import FIXTURE_COURSE


@pytest.fixture
def empty_database(database_url: str, tmp_path) -> Iterator[str]:
    """A database with no tables: a new SQLite file, or a new PostgreSQL schema."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    schema = f"migration_check_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in database_url else "?"
    yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_migrations_produce_exactly_the_models(empty_database):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "SECRET_KEY": "x",
            "CONTENT_ROOT": FIXTURE_COURSE,
        }
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "render_item": render_migration_item},
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"user_account", "organisation", "role_grant", "alembic_version"} <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_the_suite_runs_on_the_database_it_was_asked_for(database_url):
    wanted = os.environ.get("TEST_DB") == "postgresql"
    assert database_url.startswith("postgresql") == wanted
