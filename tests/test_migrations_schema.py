"""Alembic owns the schema: migrating an empty database yields exactly the tables the code maps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import journey.adapters.sql.tables.all  # noqa: F401
from journey.adapters.clock import FixedClock
from journey.adapters.sql import schema_upgrade as schema
from journey.bootstrap import App
from tests.conftest import make_settings


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[App]:
    """Here the migrations themselves build the schema (elsewhere tests copy what they built once)."""
    application = App(make_settings(database_url, tmp_path), clock=clock)
    application.init_database()
    yield application
    application.close()


def test_migrations_match_the_models(app: App) -> None:
    with app.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], diff


def test_init_is_idempotent_and_nothing_is_pending(app: App) -> None:
    first = app.init_database()
    assert app.init_database() == first
    assert schema.pending(app.engine) == []


def test_every_migration_downgrades_and_upgrades_again(app: App) -> None:
    from alembic import command
    from sqlalchemy import inspect

    with app.engine.connect() as conn:
        cfg = schema._config(conn)
        command.downgrade(cfg, "base")  # type: ignore[arg-type]
        conn.commit()
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    assert app.init_database() == [_head()]
    assert schema.pending(app.engine) == []


def _head() -> str:
    """The newest revision in the code (every migration chains to it: the history is linear)."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory(str(schema.ALEMBIC)).get_current_head())
