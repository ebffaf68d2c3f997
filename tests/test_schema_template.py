"""The suite's template copy (tests/schema_template.py) is exactly what `journey init` makes."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, make_database_url, migrated
from tests.schema_template import _pg_schema, pg_dump


def _contents(url: str) -> list[Any]:
    """Every schema object's definition and every row (alembic_version included), names made neutral."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            objects = [(kind, name, table, _lines(sql)) for kind, name, table, sql in
                       db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")]
            rows = [(name, db.execute(f'SELECT * FROM "{name}"').fetchall())
                    for kind, name, _, _ in objects if kind == "table"]
            settings = [db.execute(f"PRAGMA {p}").fetchall() for p in ("journal_mode", "user_version", "auto_vacuum")]
        return [objects, rows, settings]
    schema = _pg_schema(url)
    return [line.replace(schema, "SCHEMA") for line in pg_dump(url)]


def _lines(sql: str | None) -> list[str]:
    """A definition's lines in sorted order, without separating commas: Alembic's batch mode rebuilds a
    table with its constraints in set order, which differs between two runs of `journey init` itself."""
    return sorted(line.strip().rstrip(",").strip() for line in (sql or "").splitlines())


def test_a_template_copy_holds_exactly_what_journey_init_makes(database_url: str, tmp_path: Path,
                                                                request: pytest.FixtureRequest) -> None:
    initialised = Cli(database_url, tmp_path / "a")
    out = initialised.ok("init").output
    assert "Database ready" in out
    (tmp_path / "b").mkdir()
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    copied = make_database_url(backend, tmp_path / "b", request)
    migrated(copied, tmp_path / "b")
    made, copy = _contents(database_url), _contents(copied)
    assert copy == made
    assert any("alembic_version" in str(part) for part in made)  # the comparison saw the schema, not nothing
